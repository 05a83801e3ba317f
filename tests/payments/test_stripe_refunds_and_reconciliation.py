"""Refunds through Stripe's Refund API (confirmed by webhook, in any order) and the
reconciliation task that asks Stripe about payments the webhook has not told us of."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import DomainError
from orders.models import OrderLine, OrderStatus
from payments import stripe_gateway
from payments.models import Payment, Refund, StripeEvent, StripePaymentIntent, StripeRefund
from payments.tasks import reconcile_stripe_payments

from .conftest import place_stripe_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(deliver_event, fake_stripe, order):
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    deliver_event(fake_stripe.pay(record.intent_id))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def _first_line(order) -> OrderLine:
    return OrderLine.objects.filter(suborder__order=order).order_by("pk").first()


def _refund_one(order, django_capture_on_commit_callbacks, quantity=1) -> Refund:
    line = _first_line(order)
    with django_capture_on_commit_callbacks(execute=True):
        refund = stripe_gateway.refund_through_stripe(order.pk, lines={line.pk: quantity}, reason="少发一箱")
    refund.refresh_from_db()
    return refund


def test_a_refund_goes_through_stripe_with_its_own_key_and_is_confirmed_by_webhook(
    deliver_event, django_capture_on_commit_callbacks, fake_stripe, paid_order
):
    intent = StripePaymentIntent.objects.get(order=paid_order)

    refund = _refund_one(paid_order, django_capture_on_commit_callbacks)

    [call] = fake_stripe.calls("POST", "/v1/refunds")
    assert call.idempotency_key == f"refund-{refund.pk}-v1"
    assert call.params == {
        "payment_intent": intent.intent_id,
        "amount": "5990",
        "reason": "requested_by_customer",
        "metadata[refund_id]": str(refund.pk),
        "metadata[order_id]": str(paid_order.pk),
    }
    # Sent, not yet confirmed: nothing is counted back until Stripe says so.
    assert refund.status == Refund.Status.PENDING
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.refunded_fen) == (OrderStatus.PAID, 0)
    record = StripeRefund.objects.get(refund=refund)
    assert (record.amount_fen, record.status) == (5990, "pending")

    for event in fake_stripe.settle_refund(record.stripe_refund_id):  # refund.updated, charge.refunded
        assert deliver_event(event).status_code == 200

    refund.refresh_from_db()
    assert (refund.status, refund.reference) == (Refund.Status.CONFIRMED, record.stripe_refund_id)
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, 5990)
    line = _first_line(paid_order)
    assert (line.refunded_quantity, line.product.stock) == (1, 10 - 2 + 1)  # not shipped: back in stock
    assert Refund.objects.count() == 1


def test_charge_refunded_before_refund_updated_confirms_once(
    deliver_event, django_capture_on_commit_callbacks, fake_stripe, paid_order
):
    refund = _refund_one(paid_order, django_capture_on_commit_callbacks)
    record = StripeRefund.objects.get(refund=refund)
    updated, charge_refunded = fake_stripe.settle_refund(record.stripe_refund_id)

    deliver_event(charge_refunded)
    deliver_event(updated)
    deliver_event(charge_refunded)

    refund.refresh_from_db()
    assert refund.status == Refund.Status.CONFIRMED
    paid_order.refresh_from_db()
    assert paid_order.refunded_fen == 5990
    assert _first_line(paid_order).refunded_quantity == 1
    outcomes = dict(StripeEvent.objects.filter(type__startswith="refund.").values_list("type", "outcome"))
    assert outcomes["refund.updated"] == StripeEvent.Outcome.NO_EFFECT


def test_a_refund_event_arriving_before_our_record_of_it_is_matched_by_metadata(
    deliver_event, django_capture_on_commit_callbacks, fake_stripe, paid_order
):
    refund = _refund_one(paid_order, django_capture_on_commit_callbacks)
    record = StripeRefund.objects.get(refund=refund)
    stripe_id = record.stripe_refund_id
    record.delete()  # as if the API answer had not been stored yet when the webhook came

    deliver_event(fake_stripe.settle_refund(stripe_id)[0])

    refund.refresh_from_db()
    assert refund.status == Refund.Status.CONFIRMED
    assert StripeRefund.objects.get(refund=refund).stripe_refund_id == stripe_id


def test_late_payment_succeeded_after_the_refund_changes_nothing(
    deliver_event, django_capture_on_commit_callbacks, fake_stripe, order
):
    """payment_intent.succeeded arrives after a later charge.refunded: the payment was
    booked by reconciliation, refunded in full, and the stale success is a no-op."""
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    succeeded = fake_stripe.pay(record.intent_id)
    StripePaymentIntent.objects.filter(pk=record.pk).update(created_at=timezone.now() - dt.timedelta(minutes=20))
    reconcile_stripe_payments()
    with django_capture_on_commit_callbacks(execute=True):
        refund = stripe_gateway.refund_through_stripe(order.pk)  # everything
    for event in fake_stripe.settle_refund(StripeRefund.objects.get(refund=refund).stripe_refund_id):
        deliver_event(event)
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (OrderStatus.REFUNDED, 13230)

    deliver_event(succeeded)

    order.refresh_from_db()
    assert (order.status, order.paid_fen, order.refunded_fen) == (OrderStatus.REFUNDED, 13230, 13230)
    assert Payment.objects.count() == 1
    assert Payment.objects.get().provider_event_id is None  # booked by reconciliation


def test_stripe_refusing_a_refund_fails_it_and_frees_the_amount(
    django_capture_on_commit_callbacks, fake_stripe, paid_order
):
    intent = StripePaymentIntent.objects.get(order=paid_order)
    # Someone refunded most of it in Stripe's dashboard, outside the marketplace.
    fake_stripe.refunds["re_outside"] = {
        "id": "re_outside",
        "object": "refund",
        "amount": 13000,
        "currency": "cny",
        "payment_intent": intent.intent_id,
        "status": "succeeded",
        "metadata": {},
    }

    refund = _refund_one(paid_order, django_capture_on_commit_callbacks)

    assert refund.status == Refund.Status.FAILED
    assert "Refund amount (5990) is greater than unrefunded amount" in refund.reason
    assert not StripeRefund.objects.exists()
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.refunded_fen) == (OrderStatus.PAID, 0)


def test_a_refund_made_outside_the_marketplace_is_flagged(deliver_event, fake_stripe, paid_order):
    intent = StripePaymentIntent.objects.get(order=paid_order)
    outside = {
        "id": "re_dashboard",
        "object": "refund",
        "amount": 100,
        "currency": "cny",
        "payment_intent": intent.intent_id,
        "status": "succeeded",
        "metadata": {},
    }
    deliver_event(fake_stripe.event("refund.updated", outside))

    assert StripeEvent.objects.get(type="refund.updated").outcome == StripeEvent.Outcome.FLAGGED
    paid_order.refresh_from_db()
    assert paid_order.refunded_fen == 0


def test_only_stripe_paid_orders_refund_through_stripe(db, fake_stripe):
    transfer_order = place_stripe_order(method="transfer")
    with pytest.raises(DomainError):
        stripe_gateway.refund_through_stripe(transfer_order.pk)


# --- reconciliation ---------------------------------------------------------------------------------------------------


def _age(record, minutes):
    StripePaymentIntent.objects.filter(pk=record.pk).update(created_at=timezone.now() - dt.timedelta(minutes=minutes))


def test_reconciliation_books_a_payment_the_webhook_never_brought(deliver_event, fake_stripe, order):
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    late_event = fake_stripe.pay(record.intent_id)  # paid; the webhook is lost
    _age(record, 16)

    assert reconcile_stripe_payments() == {"events": 0, "intents": 1, "paid": 1, "cancelled": 0, "errors": 0}

    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, 13230)
    [payment] = Payment.objects.all()
    assert (payment.method, payment.reference, payment.amount_fen) == ("card", record.intent_id, 13230)
    # When the webhook does arrive, it finds the payment booked.
    deliver_event(late_event)
    assert Payment.objects.count() == 1
    # And a paid intent is not asked about again.
    before = len(fake_stripe.requests)
    assert reconcile_stripe_payments()["intents"] == 0
    assert len(fake_stripe.requests) == before


def test_reconciliation_leaves_young_unpaid_and_old_intents_alone(fake_stripe, db):
    young, unpaid, ancient = (place_stripe_order() for _ in range(3))
    records = {o.pk: stripe_gateway.ensure_payment_intent(o)[0] for o in (young, unpaid, ancient)}
    _age(records[young.pk], 5)
    _age(records[unpaid.pk], 30)
    _age(records[ancient.pk], 60 * 49)
    fake_stripe.pay(records[young.pk].intent_id)
    fake_stripe.pay(records[ancient.pk].intent_id)
    fake_stripe.requests.clear()

    assert reconcile_stripe_payments() == {"events": 0, "intents": 1, "paid": 0, "cancelled": 0, "errors": 0}

    assert [r.path for r in fake_stripe.requests] == [f"/v1/payment_intents/{records[unpaid.pk].intent_id}"]
    assert not Payment.objects.exists()


def test_reconciliation_carries_on_past_a_stripe_error(fake_stripe, settings, db):
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    first, second = place_stripe_order(), place_stripe_order()
    records = [stripe_gateway.ensure_payment_intent(o)[0] for o in (first, second)]
    for record in records:
        _age(record, 20)
        fake_stripe.pay(record.intent_id)
    fake_stripe.failures = [500]  # the first read fails

    assert reconcile_stripe_payments() == {"events": 0, "intents": 2, "paid": 1, "cancelled": 0, "errors": 1}
    assert reconcile_stripe_payments() == {"events": 0, "intents": 1, "paid": 1, "cancelled": 0, "errors": 0}
    assert Payment.objects.count() == 2


def test_reconciliation_processes_events_whose_task_was_lost(fake_stripe, order, client):
    from .conftest import deliver

    record, _secret = stripe_gateway.ensure_payment_intent(order)
    deliver(client, fake_stripe.pay(record.intent_id))  # stored; its on-commit task never ran
    StripeEvent.objects.update(received_at=timezone.now() - dt.timedelta(minutes=20))
    assert not Payment.objects.exists()

    counts = reconcile_stripe_payments()

    assert (counts["events"], counts["errors"]) == (1, 0)
    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.APPLIED
    assert Payment.objects.get().status == Payment.Status.ACCEPTED


def test_reconciliation_does_nothing_without_stripe(settings, db):
    settings.STRIPE_SECRET_KEY = ""
    assert reconcile_stripe_payments() == {"events": 0, "intents": 0, "paid": 0, "cancelled": 0, "errors": 0}


def _lapse(order):
    from orders.services import expire_unpaid_orders

    assert expire_unpaid_orders(now=order.payment_due_at + dt.timedelta(minutes=1)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_a_lapsed_orders_open_intent_is_cancelled_at_stripe(fake_stripe, order):
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    _lapse(order)

    assert reconcile_stripe_payments()["cancelled"] == 1

    [call] = fake_stripe.calls("POST", f"/v1/payment_intents/{record.intent_id}/cancel")
    assert call.params == {"cancellation_reason": "abandoned"}
    assert call.idempotency_key == f"order-{order.pk}-pi-cancel-v1"
    assert fake_stripe.intents[record.intent_id]["status"] == "canceled"
    record.refresh_from_db()
    assert record.status == "canceled"
    assert reconcile_stripe_payments()["cancelled"] == 0  # closed, not asked again


def test_money_that_arrives_for_a_lapsed_order_is_flagged_not_accepted(deliver_event, fake_stripe, order):
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    _lapse(order)
    event = fake_stripe.pay(record.intent_id)  # the page was left open; the buyer paid late

    counts = reconcile_stripe_payments()  # the cancel is refused: it has succeeded
    deliver_event(event)

    assert (counts["cancelled"], counts["errors"]) == (1, 0)
    [payment] = Payment.objects.all()
    assert payment.status == Payment.Status.FLAGGED
    assert "已取消" in payment.flag_reason
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.CANCELLED, 0)
