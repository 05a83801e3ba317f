"""Wiping ledger rows, for ``load_demo --reset`` only (``demo/builder.py`` removes a shop's
orders app by app: this ledger first, then payments' and orders' own rows).

The ledger is append-only (model, query set and, on PostgreSQL, privileges and triggers:
``core/append_only.py``). Rebuilding demo data is the one deliberate exception; it goes
through here, in the caller's transaction, signed in as the table's owner
(``load_demo --reset`` is), which switches the row trigger off for that transaction only.
The application's role is refused ("must be owner")."""

from django.db import connection, transaction

from core.append_only import purging

from .models import LedgerEntry, Payout, StatementAccess

CHUNK = 2000


@transaction.atomic
def purge_ledger(order_ids: list[int], shop_ids: list[int]) -> None:
    """Delete the ledger entries of these orders, and the payouts of these shops and the
    statement access codes of the households their products benefit."""
    table = LedgerEntry._meta.db_table
    with purging(table), connection.cursor() as cursor:
        for start in range(0, len(order_ids), CHUNK):
            part = order_ids[start : start + CHUNK]
            cursor.execute(f"DELETE FROM {table} WHERE order_id IN ({','.join(['%s'] * len(part))})", part)
    Payout.objects.filter(shop_id__in=shop_ids).delete()
    StatementAccess.objects.filter(household__shares__linkage__product__shop_id__in=shop_ids).delete()
