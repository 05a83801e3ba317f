"""Wiping orders and their ledger, for ``load_demo --reset`` only.

The ledger is append-only (model, query set and, on PostgreSQL, a trigger). Rebuilding
demo data is the one deliberate exception; it goes through here, in one transaction, with
the same ``marketplace.audit_purge`` switch the certification audit trail honours."""

from django.db import connection, transaction

from core.append_only import purge_switch
from orders.models import CartItem, Order, OrderEvent, OrderLine, SubOrder
from payments.models import Payment, Refund, RefundLine, StripePaymentIntent, StripeRefund

from .models import LedgerEntry, Payout, StatementAccess

CHUNK = 2000


@transaction.atomic
def purge_orders_of_shops(shop_ids: list[int]) -> int:
    """Delete every order with a sub-order of these shops — its ledger entries, payments,
    refunds, Stripe records and history — and the shops' payouts. (Stripe's event log is
    kept: it names no order by key.) Returns how many orders went."""
    order_ids = list(SubOrder.objects.filter(shop_id__in=shop_ids).values_list("order_id", flat=True).distinct())
    table = LedgerEntry._meta.db_table
    with connection.cursor() as cursor, purge_switch(cursor):
        for start in range(0, len(order_ids), CHUNK):
            part = order_ids[start : start + CHUNK]
            cursor.execute(f"DELETE FROM {table} WHERE order_id IN ({','.join(['%s'] * len(part))})", part)
    Payout.objects.filter(shop_id__in=shop_ids).delete()
    StatementAccess.objects.filter(household__shares__linkage__product__shop_id__in=shop_ids).delete()
    CartItem.objects.filter(product__shop_id__in=shop_ids).delete()
    for start in range(0, len(order_ids), CHUNK):
        part = order_ids[start : start + CHUNK]
        StripeRefund.objects.filter(refund__order_id__in=part).delete()
        RefundLine.objects.filter(refund__order_id__in=part).delete()
        Refund.objects.filter(order_id__in=part).delete()
        StripePaymentIntent.objects.filter(order_id__in=part).delete()
        Payment.objects.filter(order_id__in=part).delete()
        OrderEvent.objects.filter(order_id__in=part).delete()
        OrderLine.objects.filter(suborder__order_id__in=part).delete()
        SubOrder.objects.filter(order_id__in=part).delete()
        Order.objects.filter(pk__in=part).delete()
    return len(order_ids)
