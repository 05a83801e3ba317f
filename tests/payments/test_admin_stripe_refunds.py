"""原路退款 in the order admin: who handles an order's money refunds a card / Alipay / WeChat
Pay order through Stripe, choosing lines and quantities as for a hand refund, with a
reason. The refund is pending — nothing counted back, no stock returned — until Stripe's
webhook confirms it. Everything over HTTP, against the local Stripe endpoint
(tests/payments/fake_stripe.py)."""

import pytest
from django.db.models import Sum
from django.urls import reverse

from attribution.models import EntryKind, LedgerEntry
from core.roles import Role
from orders.models import OrderLine, OrderStatus
from payments import stripe_gateway
from payments.models import Refund, RefundLine, StripeRefund
from payments.services import confirm_payment
from tests.factories import ProductFactory, ShopFactory, UserFactory, officer_for, place_order_for, region_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops(role_groups):
    chain = region_chain()
    operator_a = UserFactory(username="op-a", roles=[Role.SHOP_OPERATOR])
    operator_b = UserFactory(username="op-b", roles=[Role.SHOP_OPERATOR])
    shop_a = ShopFactory(name="朱楼村电商服务站", region=chain[4], operators=[operator_a])
    shop_b = ShopFactory(name="东庄村电商服务站", region=chain[4], operators=[operator_b])
    return {
        "yam": ProductFactory(shop=shop_a, title="铁棍山药", price_fen=5990, stock=10),
        "chips": ProductFactory(shop=shop_a, title="山药脆片", price_fen=1250, stock=10),
        "oil": ProductFactory(shop=shop_b, title="牡丹籽油", price_fen=12800, stock=5),
        "operator_a": operator_a,
        "operator_b": operator_b,
        "officer": officer_for(chain[1]),
        "admin": UserFactory(username="platform", roles=[Role.PLATFORM_ADMIN]),
        "buyer": UserFactory(username="buyer-1", roles=[Role.BUYER]),
    }


def paid_by_card(deliver_event, fake_stripe, lines, method="card"):
    """An order placed through checkout and paid through Stripe's webhook."""
    order = place_order_for(lines, method=method)
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    deliver_event(fake_stripe.pay(record.intent_id, method))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


@pytest.fixture
def card_order(deliver_event, fake_stripe, shops):
    """Shop A's order: 2 × 铁棍山药 (¥59.90) and 1 × 山药脆片 (¥12.50), paid by card."""
    return paid_by_card(deliver_event, fake_stripe, [(shops["yam"], 2), (shops["chips"], 1)])


def line_of(order, product) -> OrderLine:
    return OrderLine.objects.get(suborder__order=order, product=product)


def stripe_refund(client, django_capture_on_commit_callbacks, order, quantities, reason="少发一箱", **extra):
    """POST the 原路退款 form as the order page does, and follow back to that page."""
    data = {f"qty_{line.pk}": str(q) for line, q in quantities.items()}
    data.update({"reason": reason, **extra})
    with django_capture_on_commit_callbacks(execute=True):  # the task that calls Stripe
        return client.post(reverse("orders_admin:stripe_refund", args=[order.pk]), data, follow=True)


def test_the_platform_admin_refunds_part_of_a_card_order_through_stripe_and_the_webhook_confirms_it(
    client, deliver_event, django_capture_on_commit_callbacks, fake_stripe, shops, card_order
):
    yam_line = line_of(card_order, shops["yam"])
    client.force_login(shops["admin"])
    page = client.get(reverse("orders_admin:order", args=[card_order.pk])).content.decode()
    assert "原路退款（银行卡，经 Stripe 退回）" in page and "登记退款（转账退回）" not in page

    response = stripe_refund(client, django_capture_on_commit_callbacks, card_order, {yam_line: 1})

    html = response.content.decode()
    assert response.redirect_chain == [(reverse("orders_admin:order", args=[card_order.pk]), 302)]
    assert "退款 ¥59.90 已登记为处理中，经 Stripe 原路退回；Stripe 确认后计入已退金额，并通知买家。" in html
    [refund] = Refund.objects.all()
    assert (refund.status, refund.amount_fen, refund.reason, refund.requested_by) == (
        Refund.Status.PENDING,
        5990,
        "少发一箱",
        shops["admin"],
    )
    assert list(RefundLine.objects.values_list("line_id", "quantity", "amount_fen")) == [(yam_line.pk, 1, 5990)]
    [call] = fake_stripe.calls("POST", "/v1/refunds")
    assert call.idempotency_key == f"refund-{refund.pk}-v1"
    assert call.params == {
        "payment_intent": card_order.stripe_intents.get().intent_id,
        "amount": "5990",
        "reason": "requested_by_customer",
        "metadata[refund_id]": str(refund.pk),
        "metadata[order_id]": str(card_order.pk),
    }
    # Pending: shown so on the order page, nothing counted back, no stock returned, no reversal.
    assert "¥59.90</td><td>少发一箱</td><td></td><td>处理中</td>" in html
    card_order.refresh_from_db()
    assert (card_order.status, card_order.refunded_fen) == (OrderStatus.PAID, 0)
    yam_line.refresh_from_db()
    assert (yam_line.refunded_quantity, yam_line.product.stock) == (0, 10 - 2)
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFUND).exists()

    for event in fake_stripe.settle_refund(StripeRefund.objects.get(refund=refund).stripe_refund_id):
        assert deliver_event(event).status_code == 200

    refund.refresh_from_db()
    assert refund.status == Refund.Status.CONFIRMED
    card_order.refresh_from_db()
    assert (card_order.status, card_order.paid_fen, card_order.refunded_fen) == (
        OrderStatus.PARTIALLY_REFUNDED,
        13230,
        5990,
    )
    yam_line.refresh_from_db()
    assert (yam_line.refunded_quantity, yam_line.product.stock) == (1, 10 - 2 + 1)  # not shipped: back in stock
    entries = LedgerEntry.objects.filter(order_line=yam_line)
    assert entries.filter(kind=EntryKind.SALE).aggregate(s=Sum("amount_fen"))["s"] == 11980
    assert entries.filter(kind=EntryKind.REFUND).aggregate(s=Sum("amount_fen"))["s"] == -5990
    page = client.get(reverse("orders_admin:order", args=[card_order.pk])).content.decode()
    assert "已退 ¥59.90" in page and "已退款" in page


def test_the_operator_of_the_shop_that_owns_the_whole_order_may_refund_it_too(
    client, django_capture_on_commit_callbacks, fake_stripe, shops, card_order
):
    client.force_login(shops["operator_a"])
    chips_line = line_of(card_order, shops["chips"])
    response = stripe_refund(client, django_capture_on_commit_callbacks, card_order, {chips_line: 1}, reason="破损")
    assert "退款 ¥12.50 已登记为处理中" in response.content.decode()
    assert Refund.objects.get().requested_by == shops["operator_a"]
    assert [c.params["amount"] for c in fake_stripe.calls("POST", "/v1/refunds")] == ["1250"]


@pytest.mark.parametrize(
    ("who", "answer"),
    [
        ("operator_b", 404),  # another shop's operator: the order is not theirs to know of
        ("officer", "/admin/"),  # bureau officers see no orders: Wagtail's permission-denied redirect
        ("buyer", "/admin/login/"),  # not let into the admin at all
    ],
)
def test_others_are_refused_and_nothing_reaches_stripe(
    client, django_capture_on_commit_callbacks, fake_stripe, shops, card_order, who, answer
):
    client.force_login(shops[who])
    data = {f"qty_{line_of(card_order, shops['yam']).pk}": "1", "reason": "少发一箱"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orders_admin:stripe_refund", args=[card_order.pk]), data)
    if answer == 404:
        assert response.status_code == 404
    else:
        assert response.status_code == 302 and response["Location"].split("?")[0] == answer
    assert not Refund.objects.exists()
    assert fake_stripe.calls("POST", "/v1/refunds") == []


def test_an_operator_of_one_shop_of_a_two_shop_order_is_refused_the_platform_refunds_it(
    client, deliver_event, django_capture_on_commit_callbacks, fake_stripe, shops
):
    order = paid_by_card(deliver_event, fake_stripe, [(shops["yam"], 1), (shops["oil"], 1)], method="wechat_pay")
    oil_line = line_of(order, shops["oil"])
    client.force_login(shops["operator_b"])
    response = stripe_refund(client, django_capture_on_commit_callbacks, order, {oil_line: 1})
    assert response.redirect_chain[0][0].split("?")[0] == "/admin/"  # PermissionDenied: the platform's money
    assert not Refund.objects.exists() and fake_stripe.calls("POST", "/v1/refunds") == []

    client.force_login(shops["admin"])
    response = stripe_refund(client, django_capture_on_commit_callbacks, order, {oil_line: 1})
    assert "退款 ¥128.00 已登记为处理中" in response.content.decode()
    page = client.get(reverse("orders_admin:order", args=[order.pk])).content.decode()
    assert "原路退款（微信支付，经 Stripe 退回）" in page


def test_a_bank_transfer_order_keeps_the_hand_refund_and_cannot_go_through_stripe(
    client, django_capture_on_commit_callbacks, fake_stripe, shops
):
    order = place_order_for([(shops["yam"], 2)])
    confirm_payment(order.pk, amount_fen=11980, currency="CNY", method="transfer", reference="ICBC-1")
    line = line_of(order, shops["yam"])
    client.force_login(shops["admin"])
    page = client.get(reverse("orders_admin:order", args=[order.pk])).content.decode()
    assert "登记退款（转账退回）" in page and "原路退款" not in page

    response = stripe_refund(client, django_capture_on_commit_callbacks, order, {line: 1})
    assert "该订单没有可原路退回的在线支付。" in response.content.decode()
    assert not Refund.objects.exists() and fake_stripe.calls("POST", "/v1/refunds") == []

    response = client.post(
        reverse("orders_admin:refund", args=[order.pk]),
        {f"qty_{line.pk}": "1", "reference": "RF-1", "reason": "破损"},
        follow=True,
    )
    assert "退款已登记，已通知买家。" in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, 5990)


def test_a_card_order_cannot_be_refunded_by_hand(client, shops, card_order):
    client.force_login(shops["admin"])
    response = client.post(
        reverse("orders_admin:refund", args=[card_order.pk]),
        {f"qty_{line_of(card_order, shops['yam']).pk}": "1", "reference": "RF-1"},
        follow=True,
    )
    assert "在线支付的订单须通过支付渠道原路退款。" in response.content.decode()
    assert not Refund.objects.exists()


@pytest.mark.parametrize(
    ("quantities", "reason", "message"),
    [
        ({"yam": 3}, "多退", "「铁棍山药」最多还可退 2 件。"),
        ({"yam": 0, "chips": 0}, "没选", "请选择要退款的商品和数量。"),
        ({"yam": "-1"}, "负数", "退款数量须为非负整数。"),
        ({"yam": "1.5"}, "小数", "退款数量须为非负整数。"),
        ({"yam": 1}, "", "请填写退款原因（不超过 200 字）。"),
        ({"yam": 1}, "长" * 201, "请填写退款原因（不超过 200 字）。"),
    ],
)
def test_bad_refunds_are_refused_with_a_message_and_nothing_is_written(
    client, django_capture_on_commit_callbacks, fake_stripe, shops, card_order, quantities, reason, message
):
    client.force_login(shops["admin"])
    lines = {line_of(card_order, shops[name]): q for name, q in quantities.items()}
    response = stripe_refund(client, django_capture_on_commit_callbacks, card_order, lines, reason=reason)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Refund.objects.exists() and fake_stripe.calls("POST", "/v1/refunds") == []


def test_pending_refunds_count_against_what_is_left(
    client, django_capture_on_commit_callbacks, fake_stripe, shops, card_order
):
    yam_line = line_of(card_order, shops["yam"])
    client.force_login(shops["admin"])
    stripe_refund(client, django_capture_on_commit_callbacks, card_order, {yam_line: 2})  # not confirmed yet

    response = stripe_refund(client, django_capture_on_commit_callbacks, card_order, {yam_line: 1})

    assert "「铁棍山药」最多还可退 0 件。" in response.content.decode()
    assert list(Refund.objects.values_list("amount_fen", "status")) == [(11980, Refund.Status.PENDING)]
    assert len(fake_stripe.calls("POST", "/v1/refunds")) == 1


@pytest.mark.django_db(transaction=True)  # Stripe is called as the view's transaction commits, before it answers
def test_a_refund_stripe_refuses_is_shown_failed_and_frees_the_amount(
    client, django_capture_on_commit_callbacks, fake_stripe, shops, card_order
):
    intent = card_order.stripe_intents.get()
    # Most of the charge was refunded in Stripe's dashboard, outside the marketplace.
    fake_stripe.refunds["re_outside"] = {
        "id": "re_outside",
        "object": "refund",
        "amount": 13000,
        "currency": "cny",
        "payment_intent": intent.intent_id,
        "status": "succeeded",
        "metadata": {},
    }
    client.force_login(shops["admin"])
    yam_line = line_of(card_order, shops["yam"])

    response = stripe_refund(client, django_capture_on_commit_callbacks, card_order, {yam_line: 1})

    html = response.content.decode()
    assert "Stripe 未受理这笔退款（¥59.90）" in html and "greater than unrefunded amount" in html
    assert Refund.objects.get().status == Refund.Status.FAILED
    card_order.refresh_from_db()
    assert (card_order.status, card_order.refunded_fen) == (OrderStatus.PAID, 0)
    # Failed refunds do not count: the same quantity may be asked for again.
    fake_stripe.refunds.pop("re_outside")
    response = stripe_refund(client, django_capture_on_commit_callbacks, card_order, {yam_line: 2})
    assert "退款 ¥119.80 已登记为处理中" in response.content.decode()


def test_without_stripe_configured_there_is_no_form_and_a_post_is_refused(
    client, django_capture_on_commit_callbacks, fake_stripe, settings, shops, card_order
):
    settings.STRIPE_SECRET_KEY = ""
    client.force_login(shops["admin"])
    assert "原路退款" not in client.get(reverse("orders_admin:order", args=[card_order.pk])).content.decode()
    response = stripe_refund(
        client, django_capture_on_commit_callbacks, card_order, {line_of(card_order, shops["yam"]): 1}
    )
    assert "未配置 Stripe 在线支付，暂时无法原路退款。" in response.content.decode()
    assert not Refund.objects.exists()


@pytest.mark.django_db(transaction=True)  # Stripe is called as the view's transaction commits, before it answers
def test_stripe_unreachable_leaves_the_refund_pending_not_an_error_page(
    client, deliver_event, fake_stripe, settings, shops, card_order
):
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    fake_stripe.failures = [500] * 20  # every request to Stripe fails, the task's retries too
    client.force_login(shops["admin"])
    yam_line = line_of(card_order, shops["yam"])

    response = client.post(
        reverse("orders_admin:stripe_refund", args=[card_order.pk]), {f"qty_{yam_line.pk}": "1", "reason": "少发一箱"}
    )

    assert response.status_code == 302
    assert list(Refund.objects.values_list("status", "amount_fen")) == [(Refund.Status.PENDING, 5990)]
    assert not StripeRefund.objects.exists()
    card_order.refresh_from_db()
    assert (card_order.status, card_order.refunded_fen) == (OrderStatus.PAID, 0)
