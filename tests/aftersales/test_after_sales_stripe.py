"""售后 of an order paid online: an accepted request goes back the way the money came,
through Stripe (the local endpoint in Stripe's wire format, tests/payments/fake_stripe.py).
The request is 退款中 until Stripe's webhook confirms the refund, then 已退款; a refund Stripe
refuses hands the request to the platform, which may ask again."""

import pytest
from django.db.models import Sum
from django.urls import reverse

from aftersales.models import AfterSale
from attribution.models import LedgerEntry
from orders.models import OrderStatus
from payments import stripe_gateway
from payments.models import Refund, StripeRefund
from tests.factories import place_order_for

from .conftest import act_url, ask_data, ask_url, line_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def card_order(w, deliver_event, fake_stripe):
    """2 × 单县铁棍山药 (¥38.80) of shop A, paid by card by ``buyer-1``."""
    order = place_order_for([(w.yam, 2)], method="card", user=w.buyer)
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    deliver_event(fake_stripe.pay(record.intent_id, "card"))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def test_an_accepted_request_is_refunded_through_stripe_and_closed_by_its_webhook(
    client,
    post,
    w,
    card_order,
    fake_stripe,
    deliver_event,
):
    yam = line_of(card_order, w.yam)
    client.force_login(w.buyer)
    post(ask_url(yam), ask_data({yam: 1}))
    after_sale = AfterSale.objects.get()

    client.force_login(w.operator_a)
    response = post(act_url(after_sale, "accept_refund"), follow=True)
    assert "已同意退款。 款项经支付渠道原路退回，渠道确认后售后完成。" in response.content.decode()
    after_sale.refresh_from_db()
    refund = after_sale.refund
    assert (after_sale.status, refund.status, refund.amount_fen) == ("refunding", Refund.Status.PENDING, 3880)
    [call] = fake_stripe.calls("POST", "/v1/refunds")
    assert call.params["amount"] == "3880"

    for event in fake_stripe.settle_refund(StripeRefund.objects.get(refund=refund).stripe_refund_id):
        assert deliver_event(event).status_code == 200
    after_sale.refresh_from_db()
    card_order.refresh_from_db()
    assert after_sale.status == "refunded"
    assert (card_order.status, card_order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, 3880)
    ledger = LedgerEntry.objects.filter(order=card_order).aggregate(s=Sum("amount_fen"))["s"]
    assert ledger == card_order.paid_fen - card_order.refunded_fen == 3880
    assert [s.action for s in after_sale.steps.all()] == ["request", "accept_refund", "refunded"]


def test_a_refund_stripe_refuses_goes_to_the_platform_which_asks_again(
    client,
    post,
    w,
    card_order,
    fake_stripe,
    deliver_event,
):
    yam = line_of(card_order, w.yam)
    client.force_login(w.buyer)
    post(ask_url(yam), ask_data({yam: 2}))
    after_sale = AfterSale.objects.get()
    client.force_login(w.operator_a)
    post(act_url(after_sale, "accept_refund"))
    after_sale.refresh_from_db()
    for event in fake_stripe.settle_refund(
        StripeRefund.objects.get(refund=after_sale.refund).stripe_refund_id, "failed"
    ):
        deliver_event(event)
    after_sale.refresh_from_db()
    assert (after_sale.status, after_sale.refund) == ("escalated", None)

    client.force_login(w.admin)
    post(act_url(after_sale, "platform_refund"), {"note": "渠道退款失败，重新发起"})
    after_sale.refresh_from_db()
    assert after_sale.status == "refunding" and after_sale.refund.status == Refund.Status.PENDING
    assert len(fake_stripe.calls("POST", "/v1/refunds")) == 2
    for event in fake_stripe.settle_refund(StripeRefund.objects.get(refund=after_sale.refund).stripe_refund_id):
        deliver_event(event)
    after_sale.refresh_from_db()
    card_order.refresh_from_db()
    assert after_sale.status == "refunded"
    assert (card_order.status, card_order.refunded_fen) == (OrderStatus.REFUNDED, 7760)
    page = client.get(reverse("aftersales_admin:detail", args=[after_sale.pk])).content.decode()
    assert "退款失败，转平台处理" in page and "平台判定退款" in page
