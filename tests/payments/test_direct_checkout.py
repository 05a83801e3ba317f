"""WeChat Pay and Alipay direct, end to end through the buyer's and the platform's pages,
with test merchant settings pointing the real libraries at the local endpoints in each
provider's wire format (``wechat_endpoint``, ``alipay_endpoint``): the checkout offers them
(and Stripe keeps cards), a desktop pays WeChat Pay by QR code and a phone pays Alipay on
its WAP page, the return page asks the provider, late and repeated notifications book
nothing more, the admin's 原路退款 goes back through WeChat Pay, and the 对账 page checks a
day's bill."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from attribution.models import LedgerEntry
from orders.models import OrderStatus, PaymentMethod
from payments.models import BillCheck, DirectRefund, Payment, ProviderNotification
from payments.providers import offered_methods, provider_for

from .alipay_endpoint import post_notification as post_alipay
from .conftest import place_stripe_order
from .test_pay_pages import DESKTOP, PHONE, checkout_page, radio_values, shop  # noqa: F401  (shop: a fixture)
from .wechat_endpoint import post_notification as post_wechat

pytestmark = pytest.mark.django_db
TOTAL = 2 * 5990 + 1250  # place_stripe_order's two lines: 13230 fen


def test_with_test_merchant_settings_the_checkout_offers_wechat_pay_and_alipay_direct_and_stripe_keeps_cards(
    client,
    shop,  # noqa: F811  (the fixture imported above)
    wechat_endpoint,
    alipay_endpoint,
    fake_stripe,
):
    assert offered_methods() == ["wechat_pay", "alipay", "card", "transfer"]
    assert [provider_for(m).code for m in ("wechat_pay", "alipay", "card")] == ["wechat_pay", "alipay", "stripe"]
    page = checkout_page(client, shop, DESKTOP)
    assert radio_values(page) == ["wechat_pay", "alipay", "card", "transfer"]
    assert "扫码支付：下单后用微信扫描页面上的二维码。" in page
    assert "在 Stripe 付款页" not in page  # WeChat Pay and Alipay no longer go through Stripe


def test_a_desktop_pays_wechat_pay_by_qr_code_and_the_return_page_asks_wechat(client, wechat_endpoint):
    order = place_stripe_order(method=PaymentMethod.WECHAT_PAY)
    page = client.get(reverse("payments:pay", args=[order.token]), HTTP_USER_AGENT=DESKTOP)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "¥132.30" in html and order.number in html
    trade = order.direct_trades.get()
    assert (trade.provider, trade.flavour, trade.amount_fen, trade.status) == ("wechat_pay", "native", TOTAL, "pending")
    assert trade.checkout_qr.startswith("weixin://wxpay/bizpayurl?pr=")
    # Reopened: the same QR code, no second trade at WeChat Pay.
    client.get(reverse("payments:pay", args=[order.token]), HTTP_USER_AGENT=DESKTOP)
    assert len(wechat_endpoint.calls("POST", "/v3/pay/transactions/native")) == 1

    transaction_id = wechat_endpoint.pay(trade.out_trade_no)
    back = client.get(reverse("payments:pay_return", args=[order.token]) + "?redirect_status=failed")
    assert "付款已确认，感谢您的支持！" in back.content.decode()
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, TOTAL)
    [payment] = Payment.objects.all()
    assert (payment.method, payment.reference, payment.amount_fen, payment.status) == (
        "wechat_pay",
        transaction_id,
        TOTAL,
        "accepted",
    )
    # WeChat's notification arrives afterwards, twice: stored once, nothing more booked.
    headers, body = wechat_endpoint.paid_notification(trade.out_trade_no)
    assert [post_wechat(client, headers, body).status_code for _ in range(2)] == [204, 204]
    assert ProviderNotification.objects.count() == 1 and Payment.objects.count() == 1
    assert sum(LedgerEntry.objects.filter(order=order).values_list("amount_fen", flat=True)) == TOTAL


def test_a_phone_pays_alipay_on_its_wap_page_and_the_notification_books_it(client, alipay_endpoint):
    order = place_stripe_order(method=PaymentMethod.ALIPAY)
    response = client.get(reverse("payments:pay", args=[order.token]), HTTP_USER_AGENT=PHONE)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(alipay_endpoint.gateway + "?") and "alipay.trade.wap.pay" in location
    trade = order.direct_trades.get()
    assert (trade.flavour, trade.amount_fen) == ("wap", TOTAL)
    alipay_endpoint.open(location)  # the buyer's browser opens Alipay's page
    trade_no = alipay_endpoint.pay(trade.out_trade_no)
    answer = post_alipay(client, alipay_endpoint.paid_notification(trade.out_trade_no))
    assert (answer.status_code, answer.content) == (200, b"success")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert list(Payment.objects.values_list("method", "reference", "amount_fen")) == [("alipay", trade_no, TOTAL)]
    page = client.get(reverse("payments:pay_return", args=[order.token]), HTTP_USER_AGENT=PHONE)
    assert "付款已确认，感谢您的支持！" in page.content.decode()


def test_the_admin_refunds_a_wechat_pay_order_back_through_wechat_pay(
    client, wechat_endpoint, django_capture_on_commit_callbacks, django_user_model
):
    order = place_stripe_order(method=PaymentMethod.WECHAT_PAY)
    client.get(reverse("payments:pay", args=[order.token]), HTTP_USER_AGENT=DESKTOP)
    trade = order.direct_trades.get()
    wechat_endpoint.pay(trade.out_trade_no)
    client.get(reverse("payments:pay_return", args=[order.token]))
    admin = django_user_model.objects.create_superuser("root", "root@example.cn", "x")
    client.force_login(admin)
    page = client.get(reverse("orders_admin:order", args=[order.pk])).content.decode()
    assert trade.out_trade_no in page  # the money panel lists the trade
    line = order.suborders.order_by("pk").first().lines.get()  # 2 × ¥59.90
    with django_capture_on_commit_callbacks(execute=True):  # the task that calls WeChat Pay
        client.post(
            reverse("orders_admin:stripe_refund", args=[order.pk]), {f"qty_{line.pk}": "1", "reason": "少发一箱"}
        )
    direct = DirectRefund.objects.get()
    assert (direct.provider, direct.amount_fen, direct.status) == ("wechat_pay", 5990, "pending")
    [sent] = wechat_endpoint.calls("POST", "/v3/refund/domestic/refunds")
    assert sent.body["out_refund_no"] == direct.out_refund_no
    assert sent.body["amount"] == {"refund": 5990, "total": TOTAL, "currency": "CNY"}
    headers, body = wechat_endpoint.settle_refund(direct.out_refund_no)
    assert post_wechat(client, headers, body).status_code == 204
    direct.refresh_from_db()
    order.refresh_from_db()
    assert direct.status == "succeeded" and direct.refund.status == "confirmed"
    assert (order.status, order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, 5990)
    assert sum(LedgerEntry.objects.filter(order=order).values_list("amount_fen", flat=True)) == TOTAL - 5990


def test_the_bill_page_checks_a_days_wechat_pay_bill_against_our_payments(client, wechat_endpoint, django_user_model):
    order = place_stripe_order(method=PaymentMethod.WECHAT_PAY)
    client.get(reverse("payments:pay", args=[order.token]), HTTP_USER_AGENT=DESKTOP)
    trade = order.direct_trades.get()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    paid_at = dt.datetime.combine(yesterday, dt.time(15, 30), tzinfo=timezone.get_default_timezone())
    wechat_endpoint.pay(trade.out_trade_no, at=paid_at)
    client.get(reverse("payments:pay_return", args=[order.token]))
    admin = django_user_model.objects.create_superuser("root", "root@example.cn", "x")
    client.force_login(admin)
    response = client.post(
        reverse("payments_admin:bill_run"), {"provider": "wechat_pay", "day": yesterday.isoformat()}, follow=True
    )
    assert response.status_code == 200
    check = BillCheck.objects.get()
    assert (check.provider, check.day, check.status, check.provider_lines, check.matched) == (
        "wechat_pay",
        yesterday,
        "matched",
        1,
        1,
    )
