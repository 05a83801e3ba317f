"""Row locks for everything that moves stock or money, taken in ONE fixed order.

The order: the order row first, then its products by primary key. Checkout locks only
products (its order does not exist yet), in primary-key order; payment, refund and expiry
handling (bank transfers and Stripe webhooks in ``payments``) lock the order and then its
products through ``lock_order``. Two transactions therefore always ask for shared rows in
the same sequence and cannot deadlock. Call these inside ``transaction.atomic``; on
SQLite ``select_for_update`` is a no-op and the database serialises writers itself."""

from catalog.models import Product
from catalog.services import lock_products, require_transaction

from .models import Order, OrderLine

__all__ = ["lock_order", "lock_products"]


def lock_order(order_id: int) -> tuple[Order, dict[int, Product]]:
    """Lock the order, then the products of its lines (by pk). Returns the locked order
    and its products by pk. Raises ``Order.DoesNotExist``. Inside ``transaction.atomic`` only."""
    require_transaction("lock_order")
    order = Order.objects.select_for_update().get(pk=order_id)
    product_ids = OrderLine.objects.filter(suborder__order_id=order_id).values_list("product_id", flat=True)
    return order, lock_products(product_ids)
