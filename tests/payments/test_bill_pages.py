"""对账 in the admin: the bill checks and their differences (rows made here), resolving a
difference with a note, checking a day's bill now; platform administrators only. And the
order's money panel with direct trades and refunds, and 原路退款 through the provider that
took the money. Everything over HTTP."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from orders.models import OrderStatus, PaymentMethod
from payments.direct_models import BillCheck, BillDifference, DirectRefund, DirectTrade
from payments.models import Payment, Refund, StripeRefund
from payments.services import confirm_payment, record_refund
from tests.factories import ProductFactory, ShopFactory, UserFactory, officer_for, place_order_for, region_chain

from .test_pay_pages import wechat_and_alipay_configured  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

BILLS = "/admin/payments/bills/"


@pytest.fixture
def people(role_groups):
    chain = region_chain()
    operator = UserFactory(username="op-a", roles=[Role.SHOP_OPERATOR])
    shop = ShopFactory(name="朱楼村电商服务站", region=chain[4], operators=[operator])
    return {
        "yam": ProductFactory(shop=shop, title="铁棍山药", price_fen=5990, stock=10),
        "admin": UserFactory(username="platform", name="王管理", roles=[Role.PLATFORM_ADMIN]),
        "operator": operator,
        "officer": officer_for(chain[1]),
        "buyer": UserFactory(username="buyer-1", roles=[Role.BUYER]),
    }


@pytest.fixture
def wechat_order(people):
    """A WeChat Pay order paid directly (trade W01, transaction 4200…01), ¥119.80."""
    order = place_order_for([(people["yam"], 2)], method=PaymentMethod.WECHAT_PAY)
    trade = DirectTrade.objects.create(
        provider="wechat_pay", order=order, out_trade_no=f"{order.number}W01", flavour="native", amount_fen=11980
    )
    confirm_payment(order.pk, amount_fen=11980, currency="CNY", method="wechat_pay", reference="4200000001")
    DirectTrade.objects.filter(pk=trade.pk).update(
        status=DirectTrade.Status.PAID, transaction_id="4200000001", paid_at=timezone.now()
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


@pytest.fixture
def bill(wechat_order):
    """The WeChat Pay bill of 2026-12-06: 3 lines, 1 matched, 2 differences."""
    check = BillCheck.objects.create(
        provider="wechat_pay",
        day=dt.date(2026, 12, 6),
        status=BillCheck.Status.DIFFERENCES,
        provider_lines=3,
        matched=1,
    )
    payment = Payment.objects.get(order=wechat_order)
    amount = BillDifference.objects.create(
        check_run=check,
        kind=BillDifference.Kind.AMOUNT,
        line_kind="payment",
        transaction_id="4200000001",
        out_trade_no=f"{wechat_order.number}W01",
        provider_amount_fen=1198000,
        our_amount_fen=11980,
        payment=payment,
    )
    unknown = BillDifference.objects.create(
        check_run=check,
        kind=BillDifference.Kind.UNKNOWN_TO_US,
        line_kind="refund",
        transaction_id="4200000099",
        out_trade_no="ZZ999W01",
        out_refund_no="ZZ999W01R7",
        provider_amount_fen=5,
    )
    BillCheck.objects.create(provider="alipay", day=dt.date(2026, 12, 5), status=BillCheck.Status.MATCHED)
    return check, amount, unknown


def test_the_list_shows_each_check_with_its_differences(client, people, bill):
    check, _amount, _unknown = bill
    client.force_login(people["admin"])
    page = client.get(BILLS).content.decode()
    row = re.search(rf'<tr data-check="{check.pk}">(.*?)</tr>', page, re.S).group(1)
    assert "2026-12-06" in row and "微信支付" in row and "有差异" in row
    assert re.sub(r"\s+", " ", row).count("<td>3</td><td>1</td>") == 1
    assert "2（未处理 2）" in row
    assert "2026-12-05" in page and "全部相符" in page
    # No provider configured: nothing to check now.
    assert "尚未配置微信支付或支付宝直连" in page and 'name="provider"' not in page


def test_a_days_page_shows_exact_yuan_figures_and_links_to_the_order(client, people, bill, wechat_order):
    check, amount, unknown = bill
    client.force_login(people["admin"])
    page = client.get(reverse("payments_admin:bill", args=[check.pk])).content.decode()
    first = re.search(rf'<tr data-difference="{amount.pk}">(.*?)</tr>', page, re.S).group(1)
    assert "金额不符" in first and "4200000001" in first and f"{wechat_order.number}W01" in first
    assert '<td class="provider-amount">¥11,980.00</td>' in first
    assert '<td class="our-amount">¥119.80</td>' in first
    assert reverse("orders_admin:order", args=[wechat_order.pk]) in first
    second = re.search(rf'<tr data-difference="{unknown.pk}">(.*?)</tr>', page, re.S).group(1)
    assert "渠道有、平台无" in second and "ZZ999W01R7" in second and "退款" in second
    assert '<td class="provider-amount">¥0.05</td>' in second and '<td class="our-amount">—</td>' in second


def test_resolving_a_difference_records_the_note_who_and_when(client, people, bill):
    check, amount, _unknown = bill
    client.force_login(people["admin"])
    url = reverse("payments_admin:bill_resolve", args=[amount.pk])
    response = client.post(url, {"note": "  渠道账单单位为分，  已与微信支付确认  "})
    assert (response.status_code, response["Location"]) == (302, reverse("payments_admin:bill", args=[check.pk]))
    amount.refresh_from_db()
    assert amount.resolution == "渠道账单单位为分， 已与微信支付确认"
    assert amount.resolved_by == people["admin"]
    assert abs(amount.resolved_at - timezone.now()) < dt.timedelta(minutes=1)
    page = client.get(response["Location"]).content.decode()
    when = timezone.localtime(amount.resolved_at).strftime("%Y-%m-%d %H:%M")
    assert f"王管理 于 {when} 处理：渠道账单单位为分， 已与微信支付确认" in page
    assert "1（未处理 1）" not in page  # the day's page; the list says it:
    assert "2（未处理 1）" in client.get(BILLS).content.decode()

    again = client.post(url, {"note": "再次处理"}, follow=True)
    assert "该差异已处理。" in again.content.decode()
    amount.refresh_from_db()
    assert amount.resolution == "渠道账单单位为分， 已与微信支付确认"


@pytest.mark.parametrize("note", ["", "   ", "长" * 301])
def test_a_bad_note_is_a_form_error_not_a_500(client, people, bill, note):
    _check, amount, _unknown = bill
    client.force_login(people["admin"])
    response = client.post(reverse("payments_admin:bill_resolve", args=[amount.pk]), {"note": note})
    assert response.status_code == 400
    assert 'class="error-message"' in response.content.decode()
    amount.refresh_from_db()
    assert (amount.resolved_at, amount.resolution) == (None, "")


def test_resolving_a_difference_that_does_not_exist_is_a_404(client, people, bill):
    client.force_login(people["admin"])
    assert client.post(reverse("payments_admin:bill_resolve", args=[999999]), {"note": "x"}).status_code == 404
    assert client.get(reverse("payments_admin:bill", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("who", "answer"),
    [
        ("operator", "/admin/"),  # in the admin, not a platform administrator: Wagtail's permission-denied redirect
        ("officer", "/admin/"),
        ("buyer", "/admin/login/"),  # not let into the admin at all
        (None, "/admin/login/"),
    ],
)
def test_everyone_but_platform_administrators_is_refused(client, people, bill, who, answer):
    check, amount, _unknown = bill
    if who:
        client.force_login(people[who])
    for method, url, data in [
        ("get", BILLS, None),
        ("get", reverse("payments_admin:bill", args=[check.pk]), None),
        ("post", reverse("payments_admin:bill_resolve", args=[amount.pk]), {"note": "不该记下"}),
        ("post", reverse("payments_admin:bill_run"), {"provider": "wechat_pay", "day": "2026-12-06"}),
    ]:
        response = getattr(client, method)(url, data)
        assert response.status_code in (302, 403), (who, url)
        if response.status_code == 302:
            assert response["Location"].split("?")[0] == answer, (who, url)
    amount.refresh_from_db()
    assert amount.resolved_at is None
    assert BillCheck.objects.get(pk=check.pk).status == BillCheck.Status.DIFFERENCES


def test_the_menu_shows_对账_to_platform_administrators_only(client, people):
    client.force_login(people["admin"])
    assert BILLS in client.get("/admin/").content.decode()
    client.force_login(people["operator"])
    assert BILLS not in client.get("/admin/").content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"provider": "wechat_pay", "day": "2026-02-30"},  # no such day
        {"provider": "wechat_pay", "day": "not a date"},
        {"provider": "wechat_pay", "day": ""},
        {"provider": "stripe", "day": "2026-12-01"},  # not a direct provider
        {"provider": "wechat_pay", "day": "2999-01-01"},  # not a past day
        {"provider": "wechat_pay", "day": "1999-12-31"},
        {"provider": "wechat_pay\x00", "day": "2026-12-01"},
    ],
)
def test_checking_a_day_with_bad_input_is_a_400_with_the_form(client, people, data, wechat_and_alipay_configured):  # noqa: F811
    client.force_login(people["admin"])
    page = client.get(BILLS).content.decode()
    assert '<option value="wechat_pay">微信支付</option>' in page and '<option value="alipay">支付宝</option>' in page
    response = client.post(reverse("payments_admin:bill_run"), data)
    assert response.status_code == 400
    if "\x00" not in data["provider"]:  # a NUL is refused before any view (core/middleware.py)
        assert 'class="error-message"' in response.content.decode()
    assert not BillCheck.objects.exists()


def test_an_unconfigured_provider_is_not_offered_and_is_refused(client, people):
    client.force_login(people["admin"])
    response = client.post(reverse("payments_admin:bill_run"), {"provider": "alipay", "day": "2026-12-01"})
    assert response.status_code == 400
    assert not BillCheck.objects.exists()


# --- the order's money panel and 原路退款 -----------------------------------------------------------------------------


def test_the_money_panel_shows_direct_trades_and_refunds(client, people, wechat_order, wechat_and_alipay_configured):  # noqa: F811
    trade = DirectTrade.objects.get(order=wechat_order)
    refund = record_refund(wechat_order.pk, lines=None, reason="破损", by=people["admin"])
    DirectRefund.objects.create(
        provider="wechat_pay",
        refund=refund,
        trade=trade,
        out_refund_no=f"{trade.out_trade_no}R{refund.pk}",
        amount_fen=5990,
    )
    client.force_login(people["admin"])
    page = client.get(reverse("orders_admin:order", args=[wechat_order.pk])).content.decode()
    trades = re.search(r'<table class="listing direct-trades">(.*?)</table>', page, re.S).group(1)
    assert (
        f"<td>{trade.out_trade_no}</td><td>微信支付</td><td>native</td><td>¥119.80</td><td>已支付</td><td>4200000001</td>"
        in trades
    )
    refunds = re.search(r'<table class="listing direct-refunds">(.*?)</table>', page, re.S).group(1)
    assert (
        f"<td>{trade.out_trade_no}R{refund.pk}</td><td>{trade.out_trade_no}</td><td>¥59.90</td><td>处理中</td>"
        in refunds
    )


def test_原路退款_of_a_direct_order_is_offered_through_its_provider_only_while_configured(
    client, people, wechat_order, settings
):
    client.force_login(people["admin"])
    url = reverse("orders_admin:order", args=[wechat_order.pk])
    assert "原路退款" not in client.get(url).content.decode()  # WeChat Pay direct not configured
    settings.WECHATPAY_MCHID = ""
    settings.STRIPE_SECRET_KEY = "sk_test_x"  # Stripe configured does not make Stripe refund a direct payment
    settings.STRIPE_PUBLISHABLE_KEY, settings.STRIPE_WEBHOOK_SECRET = "pk_test_x", "whsec_x"
    assert "原路退款" not in client.get(url).content.decode()
    response = client.post(
        reverse("orders_admin:stripe_refund", args=[wechat_order.pk]), {"reason": "破损"}, follow=True
    )
    assert "未配置微信支付。" in response.content.decode()
    assert not Refund.objects.exists()


def test_a_wechat_pay_order_paid_through_stripe_still_refunds_through_stripe_when_wechat_goes_direct(
    client,
    django_capture_on_commit_callbacks,
    deliver_event,
    fake_stripe,
    people,
    wechat_and_alipay_configured,  # noqa: F811
):
    from payments import stripe_gateway

    order = place_order_for([(people["yam"], 2)], method=PaymentMethod.WECHAT_PAY)
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    deliver_event(fake_stripe.pay(record.intent_id, "wechat_pay"))
    client.force_login(people["admin"])
    page = client.get(reverse("orders_admin:order", args=[order.pk])).content.decode()
    assert "原路退款（微信支付，经 Stripe 退回）" in page
    line = order.suborders.get().lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("orders_admin:stripe_refund", args=[order.pk]),
            {f"qty_{line.pk}": "1", "reason": "少发"},
            follow=True,
        )
    assert "退款 ¥59.90 已登记为处理中，经 Stripe 原路退回" in response.content.decode()
    [sent] = fake_stripe.calls("POST", "/v1/refunds")
    assert sent.params["amount"] == "5990"
    assert StripeRefund.objects.get().refund.amount_fen == 5990
    assert not DirectRefund.objects.exists()
