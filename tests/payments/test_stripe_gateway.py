"""The PaymentIntent is created server-side through the real ``stripe`` library, against
the local endpoint: exact parameters, CNY amount in fen, the order's idempotency key."""

import pytest
import stripe

from orders.models import PaymentMethod
from payments import stripe_gateway
from payments.models import StripePaymentIntent

from .conftest import PUBLISHABLE_KEY, SECRET_KEY, WEBHOOK_URL, pay_url, place_stripe_order

pytestmark = pytest.mark.django_db


def test_stripe_is_offered_only_with_all_three_keys(settings, client, order):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk", "pk", ""
    assert stripe_gateway.stripe_enabled() is False
    assert client.get(pay_url(order)).status_code == 404
    assert client.post(WEBHOOK_URL, data="{}", content_type="application/json").status_code == 404
    settings.STRIPE_WEBHOOK_SECRET = "whsec"
    assert stripe_gateway.stripe_enabled() is True


def test_payment_page_creates_the_intent_in_cny_fen_with_the_order_key(client, fake_stripe, order):
    assert order.total_fen == 2 * 5990 + 1250

    response = client.get(pay_url(order))

    assert response.status_code == 200
    [create] = fake_stripe.calls("POST", "/v1/payment_intents")
    assert create.path == "/v1/payment_intents"
    assert create.headers["authorization"] == f"Bearer {SECRET_KEY}"
    assert create.idempotency_key == f"order-{order.pk}-pi-v1"
    assert create.params == {
        "amount": "13230",
        "currency": "cny",
        "payment_method_types[0]": "card",
        "payment_method_types[1]": "alipay",
        "payment_method_types[2]": "wechat_pay",
        "payment_method_options[wechat_pay][client]": "web",
        "description": f"消费帮扶馆订单 {order.number}",
        "metadata[order_id]": str(order.pk),
        "metadata[order_number]": order.number,
    }
    [record] = StripePaymentIntent.objects.filter(order=order)
    assert (record.amount_fen, record.currency, record.status) == (13230, "CNY", "requires_payment_method")
    intent = fake_stripe.intents[record.intent_id]
    body = response.content.decode()
    assert "https://js.stripe.com/v3/" in body
    assert intent["client_secret"] in body
    assert PUBLISHABLE_KEY in body
    assert SECRET_KEY not in body
    assert "¥132.30" in body


def test_reopening_the_page_reuses_the_intent(client, fake_stripe, order):
    client.get(pay_url(order))
    client.get(pay_url(order))

    assert len(fake_stripe.calls("POST", "/v1/payment_intents")) == 1
    assert len(fake_stripe.intents) == 1
    assert StripePaymentIntent.objects.filter(order=order).count() == 1
    # The client secret is read back from Stripe, not stored.
    [retrieve] = fake_stripe.calls("GET", "/v1/payment_intents/")
    assert retrieve.path == f"/v1/payment_intents/{StripePaymentIntent.objects.get().intent_id}"


def test_a_lost_response_is_retried_with_the_same_key_and_makes_one_intent(fake_stripe, order):
    fake_stripe.failures = [500]

    record, _secret = stripe_gateway.ensure_payment_intent(order)

    posts = fake_stripe.calls("POST", "/v1/payment_intents")
    assert [p.idempotency_key for p in posts] == [f"order-{order.pk}-pi-v1"] * 2
    assert list(fake_stripe.intents) == [record.intent_id]


def test_the_same_key_from_two_tabs_gives_stripes_first_answer(fake_stripe, order):
    """Two requests racing past our "already have one?" check reach Stripe with one key;
    Stripe replays the first answer, and our unique intent id keeps one row."""
    client = stripe_gateway.stripe_client()
    params = stripe_gateway._intent_params(order)
    key = stripe_gateway.intent_idempotency_key(order.pk)
    first = client.v1.payment_intents.create(params=params, options={"idempotency_key": key})
    second = client.v1.payment_intents.create(params=params, options={"idempotency_key": key})
    assert first.id == second.id
    assert len(fake_stripe.intents) == 1


def test_transfer_orders_get_no_intent(client, fake_stripe, db):
    transfer_order = place_stripe_order(method=PaymentMethod.TRANSFER)

    response = client.get(pay_url(transfer_order))

    assert response.status_code == 409
    assert "对公转账" in response.content.decode()
    assert fake_stripe.requests == []


def test_a_wrong_token_is_404(client, fake_stripe, order):
    assert client.get(pay_url(order).replace(order.token, "not-the-token")).status_code == 404


def test_a_declined_card_is_a_402_card_error_from_the_library(fake_stripe, order):
    """What the browser's confirmation meets with a declined card, through the library:
    Stripe's 402 with a card_error body."""
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    with pytest.raises(stripe.CardError) as caught:
        stripe_gateway.stripe_client().v1.payment_intents.confirm(
            record.intent_id, params={"payment_method": "pm_card_chargeDeclined"}
        )
    assert caught.value.http_status == 402
    assert caught.value.code == "card_declined"
    assert fake_stripe.intents[record.intent_id]["status"] == "requires_payment_method"


def test_stripe_unreachable_gives_a_clear_page_not_an_error(client, fake_stripe, settings, order):
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    fake_stripe.failures = [500]

    response = client.get(pay_url(order))

    assert response.status_code == 503
    assert "支付服务暂时无法连接" in response.content.decode()
    assert not StripePaymentIntent.objects.exists()
