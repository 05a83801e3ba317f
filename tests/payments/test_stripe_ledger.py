"""Stripe's path into the attribution ledger: the same webhook delivered twice writes one
set of entries; a refund confirmed by webhook (twice) writes one set of reversals."""

import pytest
from django.core.management import call_command

from attribution.models import EntryKind, LedgerEntry
from orders.models import OrderLine
from payments import stripe_gateway
from payments.models import StripeRefund

pytestmark = pytest.mark.django_db


def test_the_same_payment_webhook_twice_writes_one_set_of_entries(deliver_event, fake_stripe, order):
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    event = fake_stripe.pay(record.intent_id, "alipay")

    assert deliver_event(event).status_code == 200
    assert deliver_event(event).status_code == 200

    # Two lines (2 × 59.90 and 1 × 12.50), no linkage: each is one producer entry.
    entries = LedgerEntry.objects.filter(order=order).order_by("order_line_id")
    assert [(e.kind, e.beneficiary_kind, e.amount_fen) for e in entries] == [
        (EntryKind.SALE, "producer", 11980),
        (EntryKind.SALE, "producer", 1250),
    ]


def test_a_stripe_refund_confirmed_by_two_events_reverses_once(
    deliver_event, django_capture_on_commit_callbacks, fake_stripe, order, capsys
):
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    deliver_event(fake_stripe.pay(record.intent_id))
    line = OrderLine.objects.filter(suborder__order=order).order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        refund = stripe_gateway.refund_through_stripe(order.pk, lines={line.pk: 1}, reason="少发一箱")
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFUND).exists()  # not confirmed yet

    stripe_refund = StripeRefund.objects.get(refund=refund)
    events = fake_stripe.settle_refund(stripe_refund.stripe_refund_id)  # refund.updated, charge.refunded
    for event in events + events:
        assert deliver_event(event).status_code == 200

    reversals = LedgerEntry.objects.filter(kind=EntryKind.REFUND)
    assert list(reversals.values_list("order_line_id", "amount_fen")) == [(line.pk, -5990)]
    call_command("audit_ledger")
    assert "0 discrepancies" in capsys.readouterr().out
