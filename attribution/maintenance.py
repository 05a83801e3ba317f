"""Wiping ledger rows, for ``load_demo --reset`` only (``demo/builder.py`` removes a shop's
orders app by app: this ledger first, then payments' and orders' own rows).

The ledger is append-only (model, query set and, on PostgreSQL, a trigger). Rebuilding
demo data is the one deliberate exception; it goes through here, in the caller's
transaction, with the same ``marketplace.audit_purge`` switch the certification audit
trail honours."""

from django.db import connection, transaction

from core.append_only import purge_switch

from .models import LedgerEntry, Payout, StatementAccess

CHUNK = 2000


@transaction.atomic
def purge_ledger(order_ids: list[int], shop_ids: list[int]) -> None:
    """Delete the ledger entries of these orders, and the payouts of these shops and the
    statement access codes of the households their products benefit."""
    table = LedgerEntry._meta.db_table
    with connection.cursor() as cursor, purge_switch(cursor):
        for start in range(0, len(order_ids), CHUNK):
            part = order_ids[start : start + CHUNK]
            cursor.execute(f"DELETE FROM {table} WHERE order_id IN ({','.join(['%s'] * len(part))})", part)
    Payout.objects.filter(shop_id__in=shop_ids).delete()
    StatementAccess.objects.filter(household__shares__linkage__product__shop_id__in=shop_ids).delete()
