"""Wiping money rows, for ``load_demo --reset`` only (``demo/builder.py``): the payments,
refunds and Stripe records of orders about to be deleted. (Stripe's event log is kept:
it names no order by key.)"""

from django.db import transaction

from .models import Payment, Refund, RefundLine, StripePaymentIntent, StripeRefund

CHUNK = 2000


@transaction.atomic
def purge_money_of_orders(order_ids: list[int]) -> None:
    for start in range(0, len(order_ids), CHUNK):
        part = order_ids[start : start + CHUNK]
        StripeRefund.objects.filter(refund__order_id__in=part).delete()
        RefundLine.objects.filter(refund__order_id__in=part).delete()
        Refund.objects.filter(order_id__in=part).delete()
        StripePaymentIntent.objects.filter(order_id__in=part).delete()
        Payment.objects.filter(order_id__in=part).delete()
