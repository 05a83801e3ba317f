"""Locally signed webhook deliveries: only a verified event marks an order paid, once,
whatever the order, number or age of the deliveries."""

import time

import pytest

from orders.models import OrderStatus
from payments import stripe_gateway
from payments.models import Payment, StripeEvent, StripePaymentIntent

from .conftest import WEBHOOK_SECRET, deliver, stripe_signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def intent(fake_stripe, order):
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    return record


@pytest.mark.parametrize("method_type", ["card", "alipay", "wechat_pay"])
def test_a_succeeded_event_marks_the_order_paid(deliver_event, fake_stripe, order, intent, method_type):
    event = fake_stripe.pay(intent.intent_id, method_type)

    response = deliver_event(event)

    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, 13230)
    assert set(order.suborders.values_list("status", flat=True)) == {"paid"}
    [payment] = Payment.objects.filter(order=order)
    assert (payment.method, payment.amount_fen, payment.currency, payment.status) == (
        method_type,
        13230,
        "CNY",
        Payment.Status.ACCEPTED,
    )
    assert (payment.reference, payment.provider_event_id) == (intent.intent_id, event["id"])
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert (stored.outcome, stored.attempts) == (StripeEvent.Outcome.APPLIED, 1)
    assert stored.processed_at is not None
    intent.refresh_from_db()
    assert (intent.status, intent.payment_method_type) == ("succeeded", method_type)
    # The method type came from Stripe's API, read server-side with the secret key.
    [read] = fake_stripe.calls("GET", f"/v1/payment_intents/{intent.intent_id}")
    assert read.params == {"expand[0]": "payment_method"}


def test_a_declined_payment_is_recorded_and_the_order_keeps_waiting(client, deliver_event, fake_stripe, order, intent):
    event = fake_stripe.decline(intent.intent_id, "insufficient_funds")

    assert deliver_event(event).status_code == 200

    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.AWAITING_PAYMENT, 0)
    assert not Payment.objects.exists()
    intent.refresh_from_db()
    assert (intent.status, intent.last_error) == ("requires_payment_method", "Your card was declined.")
    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.APPLIED
    page = client.get(f"/payments/stripe/return/{order.token}/").content.decode()
    assert "支付未成功" in page and "Your card was declined." in page


def test_the_same_event_ten_times_makes_one_payment(deliver_event, fake_stripe, order, intent):
    event = fake_stripe.pay(intent.intent_id)

    answers = [deliver_event(event) for _ in range(10)]

    assert [a.status_code for a in answers] == [200] * 10
    assert [a.json()["duplicate"] for a in answers] == [False] + [True] * 9
    assert StripeEvent.objects.count() == 1
    assert Payment.objects.count() == 1
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, 13230)
    assert sum(line.product.units_sold for s in order.suborders.all() for line in s.lines.all()) == 3
    # Processed once: the Stripe API was asked once.
    assert len(fake_stripe.calls("GET", f"/v1/payment_intents/{intent.intent_id}")) == 1


def test_a_replayed_delivery_with_an_old_timestamp_is_refused(client, fake_stripe, order, intent):
    event = fake_stripe.pay(intent.intent_id)

    old = deliver(client, event, timestamp=int(time.time()) - 301)  # tolerance is 300 s

    assert old.status_code == 400
    assert not StripeEvent.objects.exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    # Within the tolerance the same event is accepted.
    assert deliver(client, event, timestamp=int(time.time()) - 200).status_code == 200


@pytest.mark.parametrize(
    "how",
    ["wrong secret", "tampered body", "no header", "garbage header", "other scheme only"],
)
def test_a_bad_signature_is_refused_with_400(client, fake_stripe, order, intent, how):
    import json

    event = fake_stripe.pay(intent.intent_id)
    payload = json.dumps(event, separators=(",", ":"))
    headers = {
        "wrong secret": stripe_signature(payload, "whsec_someone_else"),
        "tampered body": stripe_signature(payload.replace('"amount":13230', '"amount":1')),
        "no header": None,
        "garbage header": "nonsense",
        "other scheme only": stripe_signature(payload).replace("v1=", "v0="),
    }
    kwargs = {} if headers[how] is None else {"HTTP_STRIPE_SIGNATURE": headers[how]}
    body = payload if how != "tampered body" else payload
    response = client.post("/payments/stripe/webhook/", data=body, content_type="application/json", **kwargs)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert not Payment.objects.exists()


def test_a_correctly_signed_body_that_is_not_json_is_400(client, fake_stripe):
    payload = "not json at all"
    response = client.post(
        "/payments/stripe/webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(payload, WEBHOOK_SECRET),
    )
    assert response.status_code == 400


def test_webhook_only_takes_post(client, fake_stripe):
    assert client.get("/payments/stripe/webhook/").status_code == 405


@pytest.mark.parametrize(
    ("change", "reason"),
    [({"amount": 13229}, "金额 ¥132.29 与应收 ¥132.30 不符"), ({"currency": "usd"}, "币种 USD 与订单币种 CNY 不符")],
)
def test_an_amount_or_currency_that_differs_from_the_order_is_flagged(
    deliver_event, fake_stripe, order, intent, change, reason
):
    fake_stripe.intents[intent.intent_id].update(change)  # e.g. edited in Stripe's dashboard
    event = fake_stripe.pay(intent.intent_id)

    assert deliver_event(event).status_code == 200

    [payment] = Payment.objects.all()
    assert (payment.status, payment.flag_reason) == (Payment.Status.FLAGGED, reason)
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.AWAITING_PAYMENT, 0)
    stored = StripeEvent.objects.get()
    assert stored.outcome == StripeEvent.Outcome.FLAGGED
    assert reason in stored.note


def test_payment_failed_after_succeeded_changes_nothing(deliver_event, fake_stripe, order, intent):
    # A first attempt failed, the second succeeded; Stripe delivers the failure last.
    failed = fake_stripe.decline(intent.intent_id)
    succeeded = fake_stripe.pay(intent.intent_id)
    failed["created"] = succeeded["created"] - 5

    deliver_event(succeeded)
    deliver_event(failed)

    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, 13230)
    intent.refresh_from_db()
    assert (intent.status, intent.last_error) == ("succeeded", "")
    assert StripeEvent.objects.get(event_id=failed["id"]).outcome == StripeEvent.Outcome.NO_EFFECT


def test_an_older_status_never_overwrites_a_newer_one(deliver_event, fake_stripe, order, intent):
    now = int(time.time())
    snapshot = {**fake_stripe.public(fake_stripe.intents[intent.intent_id], []), "status": "processing"}
    processing = fake_stripe.event("payment_intent.processing", snapshot, created=now + 10)
    failed = fake_stripe.decline(intent.intent_id)
    failed["created"] = now + 20

    deliver_event(failed)
    deliver_event(processing)

    intent.refresh_from_db()
    assert (intent.status, intent.status_at) == ("requires_payment_method", now + 20)
    assert StripeEvent.objects.get(event_id=processing["id"]).outcome == StripeEvent.Outcome.NO_EFFECT


def test_the_browser_return_page_does_not_mark_anything_paid(client, fake_stripe, order, intent):
    fake_stripe.pay(intent.intent_id)  # paid at Stripe, webhook not here yet

    page = client.get(
        f"/payments/stripe/return/{order.token}/",
        {"payment_intent": intent.intent_id, "redirect_status": "succeeded"},
    ).content.decode()

    assert "正在等待支付平台确认付款" in page
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert not Payment.objects.exists()


def test_after_the_webhook_the_return_page_confirms(client, deliver_event, fake_stripe, order, intent):
    deliver_event(fake_stripe.pay(intent.intent_id))
    page = client.get(f"/payments/stripe/return/{order.token}/").content.decode()
    assert "付款已确认" in page


def test_events_of_other_types_or_unknown_intents_are_stored_without_effect(deliver_event, fake_stripe, order):
    ignored = fake_stripe.event("customer.created", {"id": "cus_1", "object": "customer"})
    stranger = fake_stripe.event(
        "payment_intent.payment_failed",
        {"id": "pi_not_ours", "object": "payment_intent", "status": "requires_payment_method", "metadata": {}},
    )
    deliver_event(ignored)
    deliver_event(stranger)

    outcomes = dict(StripeEvent.objects.values_list("event_id", "outcome"))
    assert outcomes == {ignored["id"]: "ignored", stranger["id"]: "no_effect"}
    assert not Payment.objects.exists()


def test_an_intent_whose_metadata_names_another_order_is_flagged(deliver_event, fake_stripe, order, intent):
    fake_stripe.intents[intent.intent_id]["metadata"]["order_id"] = str(order.pk + 1000)
    deliver_event(fake_stripe.pay(intent.intent_id))

    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.FLAGGED
    assert not Payment.objects.exists()


def test_stripe_unreachable_while_processing_leaves_the_event_for_a_retry(
    client, django_capture_on_commit_callbacks, fake_stripe, settings, order, intent
):
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    event = fake_stripe.pay(intent.intent_id)
    # Eager Celery (tests) runs the task once and hands the retry back as an exception; a
    # worker would retry with back-off. Either way the event stays stored, unprocessed.
    fake_stripe.failures = [500]

    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, event)

    assert response.status_code == 200  # stored; Stripe need not redeliver
    stored = StripeEvent.objects.get()
    assert stored.processed_at is None
    assert stored.attempts == 1 and "APIError" in stored.last_error
    assert not Payment.objects.exists()
    # A redelivery of an unprocessed event queues it again, and now it goes through.
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, event).json() == {"received": True, "duplicate": True}
    stored.refresh_from_db()
    assert stored.outcome == StripeEvent.Outcome.APPLIED
    assert Payment.objects.get().status == Payment.Status.ACCEPTED
    assert StripePaymentIntent.objects.get().status == "succeeded"
