"""Paying through the one provider interface (``payments.pay_views``): the checkout's
methods and what it says about each on this device, ``payments:pay`` starting whichever
provider takes the order's method (here Stripe, against the local endpoint
``fake_stripe.py``), the QR page's status endpoint asking the provider at most once every
3 s, and the return page that asks the provider and never trusts its query string.
Everything over HTTP."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from orders.models import OrderStatus, PaymentMethod
from payments.models import Payment, StripePaymentIntent
from payments.providers import offered_methods
from tests.factories import ProductFactory, ShopFactory, region_chain

from .conftest import place_stripe_order

pytestmark = pytest.mark.django_db

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
IN_WECHAT = PHONE + " MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"


@pytest.fixture
def shop(role_groups):
    from cms.setup import ensure_storefront_pages

    ensure_storefront_pages()
    chain = region_chain()
    shop = ShopFactory(name="朱楼村电商服务站", region=chain[4])
    return ProductFactory(shop=shop, title="铁棍山药", price_fen=3880, stock=20)


@pytest.fixture
def wechat_and_alipay_configured(settings, tmp_path):
    """Both direct providers' settings complete, their key files present (empty: nothing
    here makes a client)."""
    for name in (
        "WECHATPAY_MCHID",
        "WECHATPAY_APPID",
        "WECHATPAY_APIV3_KEY",
        "WECHATPAY_CERT_SERIAL_NO",
        "WECHATPAY_PUBLIC_KEY_ID",
        "ALIPAY_APP_ID",
    ):
        setattr(settings, name, "x" * 32)
    for name in (
        "WECHATPAY_PRIVATE_KEY_PATH",
        "WECHATPAY_PUBLIC_KEY_PATH",
        "ALIPAY_APP_PRIVATE_KEY_PATH",
        "ALIPAY_PUBLIC_KEY_PATH",
    ):
        path = tmp_path / f"{name}.pem"
        path.write_text("")
        setattr(settings, name, str(path))


def checkout_page(client, product, user_agent=DESKTOP) -> str:
    client.post(reverse("orders:cart_add"), {"product_id": product.pk, "quantity": "1"})
    response = client.get(reverse("orders:checkout"), HTTP_USER_AGENT=user_agent)
    assert response.status_code == 200
    return response.content.decode()


def radio_values(page: str) -> list[str]:
    import re

    return re.findall(r'name="payment_method" value="([a-z_]+)"', page)


# --- which methods, and how each is paid here -------------------------------------------------------------------------


def test_with_nothing_configured_only_bank_transfer_is_offered(client, shop, settings):
    settings.STRIPE_SECRET_KEY = ""
    assert offered_methods() == ["transfer"]
    page = checkout_page(client, shop)
    assert radio_values(page) == ["transfer"]
    assert "在线支付未开通，请使用对公转账" in page
    assert "method-note" not in page


def test_with_stripe_only_wechat_pay_alipay_and_card_go_through_stripe_before_transfer(client, shop, fake_stripe):
    assert offered_methods() == ["wechat_pay", "alipay", "card", "transfer"]
    page = checkout_page(client, shop)
    assert radio_values(page) == ["wechat_pay", "alipay", "card", "transfer"]
    assert 'data-testid="method-note-wechat_pay">在 Stripe 付款页用微信扫码支付。<' in page
    assert 'data-testid="method-note-alipay">在 Stripe 付款页跳转支付宝付款。<' in page
    assert "method-note-card" not in page and "在线支付未开通" not in page


def test_direct_wechat_pay_and_alipay_say_how_paying_works_on_this_device(
    client, shop, settings, wechat_and_alipay_configured
):
    settings.STRIPE_SECRET_KEY = ""
    assert offered_methods() == ["wechat_pay", "alipay", "transfer"]
    desktop = checkout_page(client, shop, DESKTOP)
    assert "扫码支付：下单后用微信扫描页面上的二维码。" in desktop
    assert "跳转支付宝收银台：扫码或登录支付宝账户付款。" in desktop
    phone = client.get(reverse("orders:checkout"), HTTP_USER_AGENT=PHONE).content.decode()
    assert "跳转微信支付：下单后在微信中确认付款。" in phone
    assert "跳转支付宝：下单后在支付宝中确认付款。" in phone
    wechat = client.get(reverse("orders:checkout"), HTTP_USER_AGENT=IN_WECHAT).content.decode()
    assert "在微信内暂不支持网页微信支付" in wechat and "在微信内无法打开支付宝" in wechat
    assert "扫码支付：" not in wechat and "跳转微信支付：" not in wechat


def test_in_wechat_the_pay_page_starts_no_direct_trade_and_says_why(client, settings, wechat_and_alipay_configured):
    settings.STRIPE_SECRET_KEY = ""
    order = place_stripe_order(method=PaymentMethod.ALIPAY)
    response = client.get(reverse("payments:pay", args=[order.token]), HTTP_USER_AGENT=IN_WECHAT)
    assert response.status_code == 200
    assert "在微信内无法打开支付宝" in response.content.decode()
    assert not order.direct_trades.exists()


# --- payments:pay with Stripe ---------------------------------------------------------------------------------------


def test_the_order_page_sends_every_online_method_to_payments_pay(client, fake_stripe):
    order = place_stripe_order(method=PaymentMethod.WECHAT_PAY)
    page = client.get(order.get_absolute_url()).content.decode()
    assert f'href="{reverse("payments:pay", args=[order.token])}">去付款<' in page


def test_stripe_through_payments_pay_redirects_to_stripes_page_which_creates_the_intent(client, fake_stripe):
    order = place_stripe_order()
    assert order.total_fen == 2 * 5990 + 1250

    response = client.get(reverse("payments:pay", args=[order.token]), HTTP_USER_AGENT=PHONE)

    assert response.status_code == 302
    assert response["Location"] == reverse("payments:stripe_pay", args=[order.token])
    assert response["Cache-Control"].startswith("max-age=0")
    assert fake_stripe.calls("POST", "/v1/payment_intents") == []  # Stripe's own page creates it
    page = client.get(response["Location"])
    assert page.status_code == 200
    [create] = fake_stripe.calls("POST", "/v1/payment_intents")
    assert create.params["amount"] == "13230" and create.params["currency"] == "cny"


def test_pay_refuses_what_cannot_be_paid_online(client, fake_stripe, settings):
    transfer = place_stripe_order(method=PaymentMethod.TRANSFER)
    assert client.get(reverse("payments:pay", args=[transfer.token])).status_code == 404
    assert client.get(reverse("payments:pay", args=["x" * 43])).status_code == 404
    assert client.get(reverse("payments:pay", args=["short"])).status_code == 404
    card = place_stripe_order()
    assert client.post(reverse("payments:pay", args=[card.token])).status_code == 405
    settings.STRIPE_SECRET_KEY = ""  # nothing takes card any more
    assert client.get(reverse("payments:pay", args=[card.token])).status_code == 404


def test_pay_for_an_order_no_longer_awaiting_payment_goes_to_the_order_page(client, fake_stripe, deliver_event):
    order = place_stripe_order()
    client.get(reverse("payments:stripe_pay", args=[order.token]))
    deliver_event(fake_stripe.pay(StripePaymentIntent.objects.get(order=order).intent_id))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID

    response = client.get(reverse("payments:pay", args=[order.token]))
    assert (response.status_code, response["Location"]) == (302, order.get_absolute_url())


# --- the status endpoint and the return page ---------------------------------------------------------------------


def intent_reads(fake_stripe) -> int:
    return len([r for r in fake_stripe.calls("GET", "/v1/payment_intents/")])


def test_status_asks_the_provider_at_most_once_every_3_seconds_then_reads_our_records(client, fake_stripe):
    order = place_stripe_order()
    client.get(reverse("payments:stripe_pay", args=[order.token]))
    intent_id = StripePaymentIntent.objects.get(order=order).intent_id
    status_url = reverse("payments:pay_status", args=[order.token])

    assert client.get(status_url).json() == {"paid": False}
    assert intent_reads(fake_stripe) == 1
    fake_stripe.pay(intent_id)  # paid at Stripe; its webhook has not arrived
    assert client.get(status_url).json() == {"paid": False}  # within 3 s: our records only
    assert intent_reads(fake_stripe) == 1

    cache.delete(f"payments:pay-sync:{order.pk}")  # 3 s later
    assert client.get(status_url).json() == {"paid": True}  # asked Stripe, which says paid: booked
    assert intent_reads(fake_stripe) == 2
    payment = Payment.objects.get(order=order)
    assert (payment.amount_fen, payment.method, payment.reference, payment.status) == (
        13230,
        "card",
        intent_id,
        "accepted",
    )
    assert client.get(status_url).json() == {"paid": True}
    assert intent_reads(fake_stripe) == 2  # paid: nothing more to ask


def test_the_return_page_asks_the_provider_and_ignores_its_query_string(client, fake_stripe):
    order = place_stripe_order()
    client.get(reverse("payments:stripe_pay", args=[order.token]))
    intent_id = StripePaymentIntent.objects.get(order=order).intent_id
    return_url = reverse("payments:pay_return", args=[order.token])

    waiting = client.get(return_url, {"trade_status": "TRADE_SUCCESS", "paid": "1", "redirect_status": "succeeded"})
    page = waiting.content.decode()
    assert waiting.status_code == 200 and 'data-state="waiting"' in page
    assert "我已支付，刷新" in page and reverse("payments:pay", args=[order.token]) in page
    assert "¥132.30" in page
    assert not Payment.objects.exists()

    fake_stripe.pay(intent_id)
    paid = client.get(return_url).content.decode()
    assert 'data-state="paid"' in paid and "付款已确认，感谢您的支持！" in paid
    assert Payment.objects.get(order=order).amount_fen == 13230


def test_the_return_page_says_when_the_provider_cannot_be_reached(client, fake_stripe):
    order = place_stripe_order()
    client.get(reverse("payments:stripe_pay", args=[order.token]))
    fake_stripe.failures = [500] * 20
    response = client.get(reverse("payments:pay_return", args=[order.token]))
    page = response.content.decode()
    assert response.status_code == 200 and 'data-state="unreachable"' in page
    assert "支付服务暂时无法连接，请稍后再试。" in page and "我已支付，刷新" in page
    assert client.get(reverse("payments:pay_status", args=[order.token])).json() == {"paid": False}
    assert not Payment.objects.exists()


def test_stripes_own_return_page_still_works(client, fake_stripe):
    order = place_stripe_order()
    client.get(reverse("payments:stripe_pay", args=[order.token]))
    page = client.get(reverse("payments:stripe_return", args=[order.token])).content.decode()
    assert "正在等待支付平台确认付款" in page


def test_the_pay_pages_keep_the_storefronts_strict_policy(client, fake_stripe):
    from tests.security.test_csp_headers import assert_strict

    order = place_stripe_order()
    client.get(reverse("payments:stripe_pay", args=[order.token]))
    assert_strict(client.get(reverse("payments:pay_return", args=[order.token])))
    fake_stripe.failures = [500] * 20
    unreachable = client.get(reverse("payments:pay_return", args=[order.token]))
    assert_strict(unreachable)
