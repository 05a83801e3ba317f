"""Paying WeChat Pay by QR code in Debian's Chromium, with test merchant settings pointing
the real ``wechatpayv3`` library at the local WeChat Pay endpoint (``wechat_endpoint``):
the pay page at 390×844 shows the code within the screen, passes axe-core and runs under the
storefront's strict CSP (its poll is a static script); the buyer "scans and pays" at the
endpoint, the page's poll finds the order paid and moves to the return page, which says so.
The same page on a desktop in English. Screenshots go to ``VAR_DIR/screenshots``."""

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from orders.models import OrderStatus, PaymentMethod
from tests.payments.conftest import place_stripe_order
from tests.payments.wechat_endpoint import wechat_endpoint  # noqa: F401 (a fixture)

from .layout import page_width
from .test_public_pages_browser import AXE, CHECK_PAGE
from .test_storefront_browser import CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]

DESKTOP_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"


def test_a_buyer_pays_wechat_pay_by_qr_code_and_the_page_moves_on_by_itself(
    chromium_path,
    live_server,
    wechat_endpoint,  # noqa: F811
):
    order = place_stripe_order(method=PaymentMethod.WECHAT_PAY)
    pay_url = f"{live_server.url}/payments/pay/{order.token}/"
    return_url = f"{live_server.url}/payments/return/{order.token}/"
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    violations: list[str] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            # The storefront's own policy, not bypassed: a blocked script would leave the page
            # polling nothing.
            page = browser.new_context(
                locale="zh-CN", viewport={"width": 390, "height": 844}, user_agent=DESKTOP_AGENT
            ).new_page()
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            assert page.goto(pay_url).status == 200
            qr = page.locator("[data-testid=qr] svg")
            qr.wait_for()
            box = qr.bounding_box()
            assert box["width"] >= 180 and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
            assert page_width(page) <= 390
            body = page.locator("body").inner_text()
            assert "¥132.30" in body and order.number in body
            page.screenshot(path=str(shots / "pay-wechat-qr-390.png"), full_page=True)

            # The buyer scans and pays; within a few polls the page goes to the return page.
            [out_trade_no] = list(wechat_endpoint.trades)
            wechat_endpoint.pay(out_trade_no)
            page.wait_for_url(return_url, timeout=20_000)
            assert "付款已确认，感谢您的支持！" in page.locator("body").inner_text()
            page.screenshot(path=str(shots / "pay-wechat-paid-390.png"), full_page=True)
            assert violations == []

            # axe-core on both pages (a context that lets it be injected).
            checked = browser.new_context(
                locale="zh-CN", viewport={"width": 390, "height": 844}, user_agent=DESKTOP_AGENT, bypass_csp=True
            ).new_page()
            for url in (pay_url, return_url):
                checked.goto(url)
                checked.add_script_tag(path=str(AXE))
                found = checked.evaluate(CHECK_PAGE)
                assert found["violations"] == [] and found["scrollWidth"] <= found["innerWidth"], (url, found)
        finally:
            browser.close()

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_the_wechat_pay_qr_page_on_a_desktop_in_english(chromium_path, live_server, wechat_endpoint):  # noqa: F811
    order = place_stripe_order(method=PaymentMethod.WECHAT_PAY)
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
            page = context.new_page()
            assert page.goto(f"{live_server.url}/payments/pay/{order.token}/").status == 200
            assert page.evaluate("document.documentElement.lang") == "en"
            text = page.locator(".pay-qr-page").inner_text()
            assert "WeChat" in text and "¥132.30" in text
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in text.replace(order.number, "")), text
            page.screenshot(path=str(shots / "pay-wechat-qr-desktop-en.png"), full_page=True)
        finally:
            browser.close()
