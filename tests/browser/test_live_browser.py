"""In Debian's Chromium: a buyer opens a live event's link while it is on air, buys the
featured product at its live price in one tap and checks out paying by bank transfer; the
platform administrator records the transfer in the Wagtail admin; the event's results
page shows the sale as in-live. Everything goes through the pages."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cms.setup import ensure_live_page
from core.roles import Role
from orders.models import Order
from tests.factories import (
    FeaturedProductFactory,
    LiveEventFactory,
    ProductFactory,
    ShopFactory,
    UserFactory,
    region_chain,
)

from .test_buying_browser import admin_login
from .test_storefront_browser import chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]


def test_a_buyer_follows_the_live_link_buys_at_the_live_price_and_the_results_show_it(chromium_path, live_server):
    ensure_live_page()
    chain = region_chain()
    operator = UserFactory(username="op-a", roles=[Role.SHOP_OPERATOR])
    UserFactory(username="root-admin", roles=[Role.PLATFORM_ADMIN])
    shop = ShopFactory(name="朱楼村电商服务站", region=chain[4], operators=[operator])
    yam = ProductFactory(shop=shop, title="铁棍山药", price_fen=3880, stock=20)
    now = timezone.now()
    event = LiveEventFactory(
        title="朱楼村山药直播",
        shops=[shop],
        platform="douyin",
        external_url="https://live.douyin.com/123",
        scheduled_start=now - dt.timedelta(minutes=10),
        scheduled_end=now + dt.timedelta(hours=2),
    )
    FeaturedProductFactory(event=event, product=yam, event_price_fen=2990)
    base = live_server.url
    link = f"{base}/live/{event.code}/?live={event.code}"
    results_url = f"{base}/admin/live/{event.pk}/results/"

    with chromium_page(chromium_path) as page:
        page.goto(link)
        body = page.locator("body").inner_text()
        assert "直播中" in body and "欢迎来自直播「朱楼村山药直播」的朋友" in body
        assert "29.90" in page.locator(".live-features .live-price").inner_text()
        page.click("button:has-text('立即抢购')")
        page.wait_for_url(re.compile(r".*/checkout/$"))
        assert "¥29.90" in page.locator(".checkout-summary").inner_text()

        page.fill("#id_contact_name", "王芳")
        page.fill("#id_email", "wangfang@example.cn")
        page.fill("#id_mobile", "13812345678")
        page.check("input[name=buyer_type][value=individual]")
        page.select_option("#id_province", "37")
        page.wait_for_selector("#id_city option[value='3717']", state="attached")
        page.select_option("#id_city", "3717")
        page.wait_for_selector("#id_county option[value='371722']", state="attached")
        page.select_option("#id_county", "371722")
        page.fill("#id_ship_detail", "城关街道人民路 8 号")
        page.fill("#id_recipient_name", "王芳")
        page.fill("#id_recipient_mobile", "13812345678")
        page.check("input[name=payment_method][value=transfer]")
        page.click("button:has-text('提交订单')")
        page.wait_for_url(re.compile(r".*/orders/o/.+/$"))
        number = re.search(r"订单 (\d+)", page.locator("h1").inner_text()).group(1)

        admin_login(page, base, "root-admin")
        page.goto(base + "/admin/orders/all/")
        page.click(f"text={number}")
        page.fill("#id_amount", "29.90")
        page.fill("#id_reference", "ICBC-LIVE-0001")
        page.click("button:has-text('登记收款')")
        page.wait_for_load_state()
        assert "订单已付清" in page.locator("body").inner_text()

        page.goto(results_url)
        cells = {
            row.locator("td").first.inner_text(): row.locator("td").all_inner_texts()[1:]
            for row in page.locator("table.live-results tbody tr").all()
        }
        assert cells["订单数"] == ["1", "0", "1", "0"]
        assert cells["成交额(元)"] == ["29.90", "0.00", "29.90", "0.00"]

    order = Order.objects.get(number=number)
    line = order.suborders.get().lines.get()
    assert (order.status, line.unit_price_fen, line.live_event_id, line.live_attribution) == (
        "paid",
        2990,
        event.pk,
        "in_live",
    )
