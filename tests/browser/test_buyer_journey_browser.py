"""A new buyer's whole life cycle on a phone (Debian's Chromium, 390×844), through the pages only:
register by SMS code (read from the console backend's outbox, as the person would read their
phone), save an address in 广东省 (three selects filled by orders/static/orders/regions.js),
add a product to the cart, check out with that address paying by bank transfer; the shop's
operator, signed in in a second browser context, records the transfer in the Wagtail admin
and ships; the buyer confirms receipt on /orders/<number>/, reviews the line with a photo,
and the review shows on the product page.

Each step is a function taking the page(s) and what it needs, so another test can replay the
journey and go on from where it ends (e.g. an after-sales request the operator accepts):

    world = journey_world()                       # ORM: before the browser starts
    with chromium_browser(chromium_path) as browser:
        buyer, operator = phone_page(browser), phone_page(browser)
        order = buy_received_order(buyer, operator, live_server.url, world)
        ...                                       # order.number, order.url, …

No ORM call inside the browser block (Playwright's sync API runs it in a greenlet where Django
would open a second connection): the world is made before, the database checked after."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

from cms.setup import ensure_storefront_pages
from core import sms
from orders.models import Address, Order, Review
from tests.worlds import build_ledger_world

from .layout import fits
from .test_storefront_browser import CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]

PHONE = {"width": 390, "height": 844}
STAFF_PASSWORD = "pass-1234-word"  # tests.factories.UserFactory's
BUYER_MOBILE = "13800138123"
BUYER_PASSWORD = "Shanyao-2026-gz"
# The shop's own account: a single-shop order is paid to it (payments.selectors.payee_for).
SHOP_PAYEE = ("单县朱楼村电商服务站", "中国农业银行单县支行", "6228 4801 2345 6789")


# --- the world and the browser ------------------------------------------------------------------------


@dataclass(frozen=True)
class JourneyWorld:
    product_url: str  # path of 单县铁棍山药 (¥38.80) on the storefront
    product_title: str
    shop_name: str
    operator: str  # username of the shop's operator


def journey_world() -> JourneyWorld:
    """The ledger world (tests/worlds.py: 单县铁棍山药 ¥38.80 of 朱楼村电商服务站, run by op-a),
    the storefront pages, the shop's own transfer account and an empty SMS outbox."""
    ensure_storefront_pages()
    w = build_ledger_world()
    w.shop_a.payee_name, w.shop_a.payee_bank, w.shop_a.payee_account = SHOP_PAYEE
    w.shop_a.save(update_fields=["payee_name", "payee_bank", "payee_account"])
    sms.outbox.clear()
    return JourneyWorld(
        product_url=w.yam.get_absolute_url(),
        product_title=w.yam.title,
        shop_name=w.shop_a.name,
        operator=w.operator_a.username,
    )


@contextmanager
def chromium_browser(executable_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def phone_page(browser: Browser) -> Page:
    """A page in a context of its own (its own cookies: one person), phone-sized."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    context.set_default_timeout(10_000)
    return context.new_page()


def body_text(page: Page) -> str:
    return page.locator("body").inner_text()


def small_png(path: Path) -> Path:
    Image.new("RGB", (64, 48), (200, 120, 40)).save(path, format="PNG")
    return path


# --- the steps -----------------------------------------------------------------------------------------


def last_sms_code(mobile: str) -> str:
    """The code of the newest SMS the console backend 'sent' to ``mobile`` (core/sms.py)."""
    message = [m for m in sms.outbox if m.mobile == mobile][-1]
    return message.params["code"]


def register_by_sms(page: Page, base: str, *, mobile: str, password: str, name: str) -> None:
    page.goto(base + "/accounts/register/")
    page.fill("#id_mobile", mobile)
    page.click("button[data-sms-send]")  # accounts/sms-code.js posts it and counts down
    page.wait_for_selector("[data-sms-status]:has-text('验证码已发送至 138****8123')")
    page.fill("#id_code", last_sms_code(mobile))
    page.fill("#id_password1", password)
    page.fill("#id_password2", password)
    page.fill("#id_name", name)
    page.click("button.auth-submit")
    page.wait_for_url(base + "/")
    # Signed in: the header offers 退出 (the home page shows no messages; 注册成功 waits for the next page).
    assert page.locator("form.sign-out button").inner_text() == "退出"


def save_address(page: Page, base: str, *, name: str, mobile: str, province, city, county, detail: str) -> None:
    """``province``, ``city``, ``county``: (code, name) picked in the three selects."""
    page.goto(base + "/orders/addresses/add/")
    page.fill("#id_recipient_name", name)
    page.fill("#id_mobile", mobile)
    page.select_option("#id_province", province[0])
    page.wait_for_selector(f"#id_city option[value='{city[0]}']", state="attached")
    page.select_option("#id_city", city[0])
    page.wait_for_selector(f"#id_county option[value='{county[0]}']", state="attached")
    page.select_option("#id_county", county[0])
    page.fill("#id_detail", detail)
    fits(page)
    page.click("form.checkout-form button[type=submit]")
    page.wait_for_url(base + "/orders/addresses/")
    assert "地址已保存" in body_text(page)


def add_to_cart(page: Page, base: str, product_path: str, title: str, quantity: int) -> None:
    page.goto(base + product_path)
    page.fill("#add-qty", str(quantity))
    with page.expect_navigation():
        page.click("form.add-to-cart button")  # back to the product page, with a message
    assert f"已将「{title}」× {quantity} 加入购物车" in body_text(page)
    page.locator("a[href='/cart/']:visible").first.click()  # the header link on a desktop, the tab bar on a phone


def checkout_by_transfer(page: Page, base: str, *, email: str) -> tuple[str, str]:
    """Check out with the default saved address, paying by transfer: (number, secret-link URL)."""
    page.goto(base + "/checkout/")
    fits(page)
    assert page.locator("input[name=address]:checked").count() == 1  # the saved default, chosen
    page.fill("#id_email", email)
    page.check("input[name=payment_method][value=transfer]")
    page.click("button:has-text('提交订单')")
    page.wait_for_url(re.compile(r".*/orders/o/.+/$"))
    number = re.search(r"订单 (\d+)", page.locator("h1").inner_text()).group(1)
    return number, page.url


def operator_records_transfer_and_ships(
    page: Page, base: str, *, operator: str, number: str, amount: str, reference: str, carrier: str, tracking: str
) -> None:
    """The shop's operator signs in to the Wagtail admin, records the whole amount on the
    sub-order page (the order is all their shop's, so the money is theirs to record) and ships."""
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", operator)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))
    page.goto(base + "/admin/orders/")
    page.click(f"text={number}")
    page.fill("#id_amount", amount)
    page.fill("#id_reference", reference)
    page.click("button:has-text('登记收款')")
    page.wait_for_load_state()
    assert "已登记收款，订单已付清，可以发货。" in body_text(page)
    page.fill("#id_carrier", carrier)
    page.fill("#id_tracking_number", tracking)
    page.click("button:has-text('确认发货')")
    page.wait_for_load_state()
    assert "已发货" in page.locator(".fulfilment-status").inner_text()


def confirm_receipt(page: Page, base: str, number: str) -> None:
    page.goto(f"{base}/orders/{number}/")
    page.click("form.confirm-receipt button")
    page.wait_for_url(f"{base}/orders/{number}/")
    assert "已确认收货，谢谢您的支持！" in body_text(page)
    assert page.locator(".suborder .fulfilment").inner_text().startswith("已完成")


def review_with_photo(page: Page, base: str, number: str, *, rating: int, text: str, photo: Path) -> None:
    page.goto(f"{base}/orders/{number}/")
    page.click("a.review-link")
    page.check(f"input[name=rating][value='{rating}']")
    page.fill("#id_text", text)
    page.set_input_files("#id_photos", str(photo))
    fits(page)
    page.click("button:has-text('提交评价')")
    page.wait_for_load_state()
    assert "评价已提交，谢谢您！" in body_text(page)


@dataclass(frozen=True)
class ReceivedOrder:
    number: str
    url: str  # the secret link


def buy_received_order(buyer: Page, operator: Page, base: str, world: JourneyWorld) -> ReceivedOrder:
    """Register, save an address in 广东, buy 2 × 单县铁棍山药 by transfer, have it paid and
    shipped by the operator and confirm receipt: the order, received (¥77.60 paid)."""
    register_by_sms(buyer, base, mobile=BUYER_MOBILE, password=BUYER_PASSWORD, name="陈静")
    save_address(
        buyer,
        base,
        name="陈静",
        mobile=BUYER_MOBILE,
        province=("44", "广东省"),
        city=("4401", "广州市"),
        county=("440106", "天河区"),
        detail="天河路 385 号 1203 室",
    )
    add_to_cart(buyer, base, world.product_url, world.product_title, 2)
    assert buyer.locator(".cart-total").inner_text().endswith("¥77.60")
    number, url = checkout_by_transfer(buyer, base, email="chenjing@example.cn")
    text = body_text(buyer)
    assert "待付款" in buyer.locator("h1").inner_text()
    assert "收货：陈静 13800138123，广东省 广州市 天河区 天河路 385 号 1203 室" in text
    assert buyer.locator(".amount-due").inner_text() == "¥77.60"
    assert buyer.locator(".payee-name").inner_text() == SHOP_PAYEE[0]
    assert buyer.locator(".payee-account").inner_text() == SHOP_PAYEE[2]
    reference = buyer.locator(".reference-code").first.inner_text()
    fits(buyer)

    operator_records_transfer_and_ships(
        operator,
        base,
        operator=world.operator,
        number=number,
        amount="77.60",
        reference=f"ABC-{reference}",
        carrier="顺丰速运",
        tracking="SF1234567890",
    )

    buyer.goto(f"{base}/orders/{number}/")
    assert "已付款" in buyer.locator("h1").inner_text()
    text = body_text(buyer)
    assert "应付 ¥77.60 · 已收 ¥77.60" in text and "SF1234567890" in text
    assert buyer.locator(".suborder .fulfilment").inner_text() == "已发货"
    confirm_receipt(buyer, base, number)
    return ReceivedOrder(number=number, url=url)


# --- the journey ---------------------------------------------------------------------------------------


def test_a_new_buyer_registers_buys_by_transfer_receives_and_reviews_on_a_phone(chromium_path, live_server, tmp_path):
    world = journey_world()
    base = live_server.url
    photo = small_png(tmp_path / "shanyao.png")

    with chromium_browser(chromium_path) as browser:
        buyer, operator = phone_page(browser), phone_page(browser)
        order = buy_received_order(buyer, operator, base, world)

        review_with_photo(buyer, base, order.number, rating=5, text="山药很面，包装结实。", photo=photo)
        assert buyer.locator(".review .review-stars").inner_text() == "★★★★★"

        buyer.goto(base + world.product_url)
        reviews = buyer.locator("section.reviews")
        assert reviews.locator(".review-average").inner_text() == "5.0 分"
        assert reviews.locator(".review-count").inner_text() == "共 1 条"
        assert reviews.locator(".review-text").inner_text() == "山药很面，包装结实。"
        assert reviews.locator(".review-author").inner_text() == "陈*"
        image = reviews.locator(".review-photos img").first
        image.scroll_into_view_if_needed()
        buyer.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        assert image.evaluate("img => img.naturalWidth") == 64
        fits(buyer)

    placed = Order.objects.get(number=order.number)
    assert (placed.status, placed.total_fen, placed.paid_fen, placed.payment_method) == ("paid", 7760, 7760, "transfer")
    assert placed.user.mobile == BUYER_MOBILE and placed.ship_region_code == "440106"
    assert list(placed.suborders.values_list("status", flat=True)) == ["completed"]
    assert Address.objects.get(user=placed.user).region.full_name == "广东省 广州市 天河区"
    review = Review.objects.get(line__suborder__order=placed)
    assert (review.rating, review.photos.count()) == (5, 1)
