"""Paying by bank transfer: whose account the buyer is told to pay (the platform's, or a
single-shop order's shop's own), the reference code for the transfer's note, on the order
page (secret link and signed in), in the order e-mail, on the printable payment notice
and on the admin's receipt screen; who may open the notice; no payee configured."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from wagtail.models import Site

from orders.models import Order
from payments.selectors import REFERENCE_ALPHABET, order_pk_for_reference, reference_code
from payments.services import confirm_payment, set_platform_payee
from tests.factories import place_order_for

from .conftest import checkout_post
from .test_cart_checkout import add

pytestmark = pytest.mark.django_db

PLATFORM = ("消费帮扶馆运营服务中心", "中国农业银行菏泽分行营业部", "1560 0101 0400 0618 8")
SHOP_A = ("单县朱楼村股份经济合作社", "单县农村商业银行浮岗支行", "9150 2010 0088 1201 01")


def _payee_html(name, bank, number) -> str:
    return (
        f'<dt>户名</dt><dd class="payee-name">{name}</dd>'
        f'<dt>开户行</dt><dd class="payee-bank">{bank}</dd>'
        f'<dt>账号</dt><dd class="payee-account">{number}</dd>'
    )


def _html(response) -> str:
    """The page's HTML with the layout whitespace between tags taken out."""
    return re.sub(r">\s+<", "><", response.content.decode())


def _payee_text(name, bank, number, amount, code) -> str:
    return f"收款账户\n户名：{name}\n开户行：{bank}\n账号：{number}\n金额：{amount}\n附言（识别码）：{code}\n"


@pytest.fixture
def platform_payee(shop_world):
    name, bank, number = PLATFORM
    site = Site.objects.get(is_default_site=True)
    return set_platform_payee(site, account_name=name, bank_name=bank, account_number=number)


@pytest.fixture
def shop_a_payee(shop_world):
    shop = shop_world.shop_a
    shop.payee_name, shop.payee_bank, shop.payee_account = SHOP_A
    shop.save()
    return shop


def _notice(client, order):
    return client.get(reverse("payments:transfer_notice", args=[order.token]))


def test_platform_payee_on_order_page_email_and_notice(client, shop_world, platform_payee):
    add(client, shop_world.yam, 2)
    add(client, shop_world.oil, 1)
    client.post(reverse("orders:checkout"), checkout_post(shop_world))  # the e-mail goes after commit
    order = Order.objects.get()
    code = reference_code(order.pk)

    page = _html(client.get(reverse("orders:by_token", args=[order.token])))
    assert _payee_html(*PLATFORM) in page
    assert f'转账附言（备注）请填写识别码 <strong class="reference-code">{code}</strong>' in page
    assert '前转账 <strong class="amount-due">¥205.60</strong>' in page
    assert "货款转入消费帮扶馆平台的收款账户，由平台结算给网店。" in page
    assert f'href="{reverse("payments:transfer_notice", args=[order.token])}">打印付款通知书</a>' in page

    notice = _html(_notice(client, order))
    assert _payee_html(*PLATFORM) in notice
    assert f'<dd class="reference-code"><strong>{code}</strong></dd>' in notice
    assert '<dt>本次应转账</dt><dd class="amount-due"><strong>¥205.60</strong></dd>' in notice
    assert "单县财政局（纳税人识别号" in notice
    assert re.search(r"\d\s*分", re.sub(r"<[^>]+>", "", notice)) is None  # yuan, never fen


def test_platform_payee_in_the_order_email(client, shop_world, platform_payee, django_capture_on_commit_callbacks):
    add(client, shop_world.yam, 2)
    add(client, shop_world.oil, 1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orders:checkout"), checkout_post(shop_world))
    order = Order.objects.get()
    code = reference_code(order.pk)
    (email,) = mail.outbox
    assert f"请在 {order.payment_due_at.astimezone().strftime('%Y-%m-%d %H:%M')} 前转账 ¥205.60" in email.body
    assert f"转账附言（备注）请填写识别码 {code}；" in email.body
    assert _payee_text(*PLATFORM, "¥205.60", code) in email.body
    assert "（货款转入消费帮扶馆平台的收款账户，由平台结算给网店。）" in email.body
    notice_url = settings.SITE_URL.rstrip("/") + reverse("payments:transfer_notice", args=[order.token])
    assert f"付款通知书（可打印）：{notice_url}\n" in email.body


def test_single_shop_order_with_a_shop_payee_names_the_shops_account(
    client, shop_world, platform_payee, shop_a_payee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order_for([(shop_world.yam, 2)], user=shop_world.buyer)
    code = reference_code(order.pk)
    shop_line = "本订单的商品都来自「朱楼村电商服务站」，货款直接转入该网店的账户。"

    client.force_login(shop_world.buyer)
    page = _html(client.get(reverse("orders:detail", args=[order.number])))  # signed in
    assert _payee_html(*SHOP_A) in page and _payee_html(*PLATFORM) not in page
    assert shop_line in page
    assert f'href="{reverse("payments:my_transfer_notice", args=[order.number])}">打印付款通知书</a>' in page

    (email,) = mail.outbox
    assert _payee_text(*SHOP_A, "¥77.60", code) in email.body and PLATFORM[2] not in email.body
    assert f"（{shop_line}）" in email.body

    notice = _html(client.get(reverse("payments:my_transfer_notice", args=[order.number])))
    assert _payee_html(*SHOP_A) in notice and PLATFORM[2] not in notice
    assert '<dt>本次应转账</dt><dd class="amount-due"><strong>¥77.60</strong></dd>' in notice


def test_multi_shop_order_goes_to_the_platform_even_when_a_shop_has_its_own(
    client, shop_world, platform_payee, shop_a_payee
):
    order = place_order_for([(shop_world.yam, 1), (shop_world.oil, 1)])
    page = _html(client.get(reverse("orders:by_token", args=[order.token])))
    assert _payee_html(*PLATFORM) in page and SHOP_A[2] not in page
    notice = _html(_notice(client, order))
    assert _payee_html(*PLATFORM) in notice and SHOP_A[2] not in notice


def test_single_shop_order_of_a_shop_without_payee_goes_to_the_platform(client, shop_world, platform_payee):
    order = place_order_for([(shop_world.oil, 1)])
    page = _html(client.get(reverse("orders:by_token", args=[order.token])))
    assert _payee_html(*PLATFORM) in page


def test_without_any_payee_the_page_says_details_will_be_sent_and_checkout_works(
    client, shop_world, django_capture_on_commit_callbacks
):
    add(client, shop_world.yam, 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orders:checkout"), checkout_post(shop_world))
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("orders:by_token", args=[order.token])
    code = reference_code(order.pk)
    page = _html(client.get(response["Location"]))
    assert "<strong>收款账户信息将由网店或平台另行发送给您</strong>" in page
    assert f"转账时请在附言中填写识别码 {code}。" in page
    assert "<dt>户名</dt>" not in page
    assert "收款账户信息将由网店或平台另行发送给您；订单已保留，收到后转账即可。" in mail.outbox[0].body
    notice = _html(_notice(client, order))
    assert "<strong>收款账户信息将由网店或平台另行发送给您。</strong>" in notice


def test_an_order_keeps_the_payee_it_was_placed_with_when_the_settings_change(
    client, shop_world, platform_payee, shop_a_payee
):
    """The payee the buyer was told at checkout (page, e-mail, notice) stays the order's when
    the platform's account is changed and the shop's removed afterwards; an order placed
    after the change names the new account."""
    platform_order = place_order_for([(shop_world.yam, 1), (shop_world.oil, 1)])
    shop_order = place_order_for([(shop_world.yam, 1)], user=shop_world.buyer)
    new_platform = ("消费帮扶馆结算中心", "中国工商银行菏泽分行", "6222 0216 0000 1234 567")
    set_platform_payee(
        Site.objects.get(is_default_site=True),
        account_name=new_platform[0],
        bank_name=new_platform[1],
        account_number=new_platform[2],
    )
    shop_world.shop_a.payee_name = shop_world.shop_a.payee_bank = shop_world.shop_a.payee_account = ""
    shop_world.shop_a.save()

    page = _html(client.get(reverse("orders:by_token", args=[platform_order.token])))
    assert _payee_html(*PLATFORM) in page and new_platform[2] not in page
    assert _payee_html(*PLATFORM) in _html(_notice(client, platform_order))

    client.force_login(shop_world.buyer)
    page = _html(client.get(reverse("orders:detail", args=[shop_order.number])))
    assert _payee_html(*SHOP_A) in page and new_platform[2] not in page
    assert "本订单的商品都来自「朱楼村电商服务站」，货款直接转入该网店的账户。" in page
    notice = _html(client.get(reverse("payments:my_transfer_notice", args=[shop_order.number])))
    assert _payee_html(*SHOP_A) in notice

    client.force_login(shop_world.admin)  # staff match the money against the same account
    page = _html(client.get(reverse("orders_admin:order", args=[shop_order.pk])))
    assert f"{SHOP_A[0]}，{SHOP_A[1]}，{SHOP_A[2]}（网店「朱楼村电商服务站」自有账户）" in page

    later = place_order_for([(shop_world.yam, 1)])
    assert _payee_html(*new_platform) in _html(client.get(reverse("orders:by_token", args=[later.token])))
    kept = Order.objects.values_list("payee_account", flat=True).order_by("pk")
    assert list(kept) == [PLATFORM[2], SHOP_A[2], new_platform[2]]


def test_an_order_placed_without_a_payee_names_the_one_configured_later(client, shop_world):
    order = place_order_for([(shop_world.yam, 1)])
    assert (order.payee_name, order.payee_account) == ("", "")
    name, bank, number = PLATFORM
    set_platform_payee(Site.objects.get(is_default_site=True), account_name=name, bank_name=bank, account_number=number)
    assert _payee_html(*PLATFORM) in _html(client.get(reverse("orders:by_token", args=[order.token])))


def test_payee_shown_only_while_awaiting_payment(client, shop_world, platform_payee):
    order = place_order_for([(shop_world.oil, 1)])
    confirm_payment(order.pk, amount_fen=12800, currency="CNY", method="transfer", reference="B-1")
    page = _html(client.get(reverse("orders:by_token", args=[order.token])))
    assert "<dt>户名</dt>" not in page and "打印付款通知书" not in page
    notice = _html(_notice(client, order))
    assert "本订单已付清（已收 ¥128.00），无需再转账。" in notice
    assert '<dt>本次应转账</dt><dd class="amount-due"><strong>¥0.00</strong></dd>' in notice


# --- who may open the notice ----------------------------------------------------------------------------------


def test_notice_refused_for_a_wrong_token_or_another_buyers_order(client, shop_world, platform_payee):
    order = place_order_for([(shop_world.yam, 1)], user=shop_world.buyer)
    assert _notice(client, order).status_code == 200  # the secret link: whoever holds it
    wrong = order.token[:-4] + ("AAAA" if not order.token.endswith("AAAA") else "BBBB")
    assert client.get(reverse("payments:transfer_notice", args=[wrong])).status_code == 404
    assert client.get(reverse("payments:transfer_notice", args=[order.token[:20]])).status_code == 404
    assert client.get(reverse("payments:transfer_notice", args=[order.number])).status_code == 404

    client.force_login(shop_world.other_buyer)
    assert client.get(reverse("payments:my_transfer_notice", args=[order.number])).status_code == 404
    client.force_login(shop_world.buyer)
    assert client.get(reverse("payments:my_transfer_notice", args=[order.number])).status_code == 200
    assert client.get(reverse("payments:my_transfer_notice", args=["NOSUCHORDER"])).status_code == 404


def test_notice_by_number_needs_sign_in(client, shop_world):
    order = place_order_for([(shop_world.yam, 1)], user=shop_world.buyer)
    response = client.get(reverse("payments:my_transfer_notice", args=[order.number]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("orders:login"))


def test_no_notice_for_an_order_paid_online(client, shop_world):
    order = place_order_for([(shop_world.yam, 1)], method="card")
    assert _notice(client, order).status_code == 404
    page = _html(client.get(reverse("orders:by_token", args=[order.token])))
    assert "打印付款通知书" not in page and "识别码" not in page


# --- the reference code -----------------------------------------------------------------------------------------


def test_reference_code_is_stable_per_order(client, shop_world, platform_payee):
    order = place_order_for([(shop_world.yam, 1)])
    code = reference_code(order.pk)
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{7}", code)
    for _ in range(2):
        assert f'<dd class="reference-code">{code}</dd>' in (
            _html(client.get(reverse("orders:by_token", args=[order.token])))
        )
    assert reference_code(Order.objects.get(pk=order.pk).pk) == code
    assert order_pk_for_reference(code) == order.pk
    assert order_pk_for_reference(f" {code[:3].lower()}-{code[3:]} ") == order.pk  # as people type it


def test_reference_codes_differ_per_order_and_read_back():
    codes = {pk: reference_code(pk) for pk in range(1, 20001)}
    assert len(set(codes.values())) == 20000
    assert all(order_pk_for_reference(code) == pk for pk, code in codes.items())
    assert set("".join(codes.values())) <= set(REFERENCE_ALPHABET)
    assert not set("0O1I") & set(REFERENCE_ALPHABET)
    assert (reference_code(1), reference_code(2), reference_code(2**30 - 1)) == ("3D6NPGT", "XSPSDPG", "YNVDCJ2")


def test_a_mistyped_reference_code_is_not_read_as_another_order():
    code = reference_code(4242)
    for i in range(len(code)):
        for c in REFERENCE_ALPHABET.replace(code[i], ""):
            # Caught, but for the one pair the check (modulo 31) cannot tell apart: 2 and Z.
            caught = order_pk_for_reference(code[:i] + c + code[i + 1 :]) is None
            assert caught or {code[i], c} == {"2", "Z"}
    swapped = code[1] + code[0] + code[2:]
    assert swapped == code or order_pk_for_reference(swapped) is None
    assert order_pk_for_reference("") is None and order_pk_for_reference("OOOOOOO") is None


# --- the admin's receipt screen ---------------------------------------------------------------------------------


def test_receipt_screen_shows_the_reference_code_and_payee(client, shop_world, platform_payee, shop_a_payee):
    order = place_order_for([(shop_world.yam, 1)])
    code = reference_code(order.pk)
    client.force_login(shop_world.admin)
    page = _html(client.get(reverse("orders_admin:order", args=[order.pk])))
    assert f"转账识别码 <strong>{code}</strong>（买家转账附言中应有此码，据此核对到账）" in page
    assert f"{SHOP_A[0]}，{SHOP_A[1]}，{SHOP_A[2]}（网店「朱楼村电商服务站」自有账户）" in page
    assert f"登记对公转账到账（待收 ¥38.80，识别码 {code}）" in page
    client.force_login(shop_world.operator_a)  # the shop's operator records receipts of its own orders
    suborder = order.suborders.get()
    page = _html(client.get(reverse("orders_admin:suborder", args=[suborder.pk])))
    assert f"转账识别码 <strong>{code}</strong>" in page
    client.force_login(shop_world.operator_b)
    assert client.get(reverse("orders_admin:suborder", args=[suborder.pk])).status_code == 404


def test_notice_queries_do_not_grow_with_lines_or_shops(client, shop_world, platform_payee):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ProductFactory

    small = place_order_for([(shop_world.yam, 1)])
    extra = [ProductFactory(shop=shop_world.shop_b, title=f"牡丹花茶{n}", price_fen=1000, stock=5) for n in range(3)]
    big = place_order_for([(shop_world.yam, 1), (shop_world.oil, 1)] + [(p, 1) for p in extra])
    _notice(client, small)  # the first request of a client also looks up its site and session
    counts = []
    for order in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert _notice(client, order).status_code == 200
        counts.append(len(queries))
    # The payee is read from the order (kept at checkout), not from the setting; the
    # navigation's categories are kept (catalog/caching.py).
    assert counts == [6, 6]
