"""Writes of the catalogue that other apps need: locking products, and their stock and
units sold. Catalog owns these numbers; orders asks here when an order reserves stock,
is cancelled, is paid or is refunded, never setting them itself.

Callers lock first (``lock_products``, inside ``transaction.atomic``; orders takes it
through ``orders.locking`` in its fixed order) and pass the locked rows in. Each write
saves only the fields it changes, so the search index upkeep (``search/signals.py``)
knows no text changed."""

from collections.abc import Iterable

from django.db import transaction

from .models import Product


def require_transaction(what: str) -> None:
    """Row locks only mean something inside a transaction: refuse to take one outside."""
    if transaction.get_autocommit():
        raise transaction.TransactionManagementError(f"{what} must run inside transaction.atomic")


def lock_products(ids: Iterable[int]) -> dict[int, Product]:
    """Lock the products ``ids`` in primary-key order and return them by pk. On SQLite
    ``select_for_update`` is a no-op and the database serialises writers itself; the caller
    must hold a transaction on either (checked here, so a caller that forgot
    ``transaction.atomic`` fails on SQLite too, not only on PostgreSQL)."""
    require_transaction("lock_products")
    ids = sorted(set(ids))
    if not ids:
        return {}
    # Evaluated as a list so the whole lock is taken here, in the ORDER BY pk sequence.
    rows = list(Product.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    return {p.pk: p for p in rows}


def reserve_stock(product: Product, quantity: int) -> None:
    """Take ``quantity`` units out of stock for an order (the caller checked there are)."""
    product.stock -= quantity
    product.save(update_fields=["stock", "updated_at"])


def return_stock(product: Product, quantity: int) -> None:
    """Put ``quantity`` reserved units back (an unpaid order cancelled or lapsed)."""
    product.stock += quantity
    product.save(update_fields=["stock", "updated_at"])


def count_sold(product: Product, quantity: int) -> None:
    """``quantity`` units were paid for."""
    product.units_sold += quantity
    product.save(update_fields=["units_sold", "updated_at"])


def count_refunded(product: Product, quantity: int, *, restock: bool) -> None:
    """``quantity`` paid units were refunded: no longer sold, and back in stock when the
    goods never left the shop (``restock``)."""
    product.units_sold = max(0, product.units_sold - quantity)
    if restock:
        product.stock += quantity
    product.save(update_fields=["units_sold", "stock", "updated_at"])
