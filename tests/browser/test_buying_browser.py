"""A buyer in Debian's Chromium adds products of two shops to the cart, checks out as a
budget unit paying by bank transfer (choosing province, city and county in the
three-level selects); the platform administrator records the transfer in the Wagtail
admin, each shop's operator ships their part there; the buyer's order page shows both
parcels shipped. Everything goes through the pages, none through services."""

import re

import pytest

from cms.setup import ensure_storefront_pages
from core.roles import Role
from orders.models import Order
from tests.factories import ProductFactory, ShopFactory, UserFactory, region_chain, valid_credit_code

from .test_storefront_browser import chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]

PASSWORD = "pass-1234-word"


def admin_login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))


def test_institution_buys_from_two_shops_by_transfer_and_sees_it_shipped(chromium_path, live_server):
    ensure_storefront_pages()
    chain = region_chain()
    op_a = UserFactory(username="op-a", roles=[Role.SHOP_OPERATOR])
    op_b = UserFactory(username="op-b", roles=[Role.SHOP_OPERATOR])
    UserFactory(username="root-admin", roles=[Role.PLATFORM_ADMIN])
    shop_a = ShopFactory(name="朱楼村电商服务站", region=chain[4], operators=[op_a])
    shop_b = ShopFactory(name="东庄村电商服务站", region=chain[4], operators=[op_b])
    yam = ProductFactory(shop=shop_a, title="铁棍山药", price_fen=3880, stock=20)
    oil = ProductFactory(shop=shop_b, title="牡丹籽油", price_fen=12800, stock=5)
    base = live_server.url
    yam_url, oil_url = base + yam.get_absolute_url(), base + oil.get_absolute_url()

    with chromium_page(chromium_path) as page:
        # The buyer fills the cart from two shops.
        page.goto(yam_url)
        page.fill("#add-qty", "2")
        page.click("form.add-to-cart button")
        page.wait_for_load_state()
        assert "已将「铁棍山药」× 2 加入购物车" in page.locator("body").inner_text()
        page.goto(oil_url)
        page.click("form.add-to-cart button")
        page.wait_for_load_state()
        assert page.locator("a.cart-link .cart-count").inner_text() == "3"
        page.click("a.cart-link")
        assert "¥205.60" in page.locator(".cart-total").inner_text()
        page.click("text=去结算")

        # Checkout as a budget unit, paying by transfer.
        page.fill("#id_contact_name", "李会计")
        page.fill("#id_email", "unit@example.cn")
        page.fill("#id_mobile", "13912345678")
        page.check("input[name=buyer_type][value=budget_unit]")
        assert page.locator(".institution-fields").is_visible()
        page.fill("#id_organisation_name", "单县财政局")
        page.fill("#id_tax_id", valid_credit_code())
        page.select_option("#id_province", "37")
        page.wait_for_selector("#id_city option[value='3717']", state="attached")
        page.select_option("#id_city", "3717")
        page.wait_for_selector("#id_county option[value='371722']", state="attached")
        page.select_option("#id_county", "371722")
        page.fill("#id_ship_detail", "园艺街道 1 号")
        page.fill("#id_recipient_name", "张收货")
        page.fill("#id_recipient_mobile", "13712345678")
        page.check("input[name=payment_method][value=transfer]")
        page.click("button:has-text('提交订单')")
        page.wait_for_url(re.compile(r".*/orders/o/.+/$"))
        order_url = page.url
        heading = page.locator("h1").inner_text()
        number = re.search(r"订单 (\d+)", heading).group(1)
        assert "待付款" in heading and "对公转账" in page.locator("body").inner_text()

        # The platform admin records the bank transfer (the order spans two shops).
        admin_login(page, base, "root-admin")
        page.goto(base + "/admin/orders/all/")
        page.click(f"text={number}")
        page.fill("#id_amount", "205.60")
        page.fill("#id_reference", "ICBC-20260001")
        page.click("button:has-text('登记收款')")
        page.wait_for_load_state()
        assert "订单已付清" in page.locator("body").inner_text()

        # Each operator ships their own part.
        for operator, carrier, tracking in (("op-a", "中国邮政", "EMS0001"), ("op-b", "顺丰速运", "SF0002")):
            admin_login(page, base, operator)
            page.goto(base + "/admin/orders/")
            rows = page.locator("table.suborders tbody tr")
            assert rows.count() == 1  # only their shop's part
            page.click(f"text={number}")
            page.fill("#id_carrier", carrier)
            page.fill("#id_tracking_number", tracking)
            page.click("button:has-text('确认发货')")
            page.wait_for_load_state()
            assert "已发货" in page.locator(".fulfilment-status").inner_text()

        # The buyer opens the secret link again: both parcels shipped.
        page.context.clear_cookies()
        page.goto(order_url)
        statuses = page.locator(".suborder .fulfilment").all_inner_texts()
        assert [s.split(" ")[0] for s in statuses] == ["已发货", "已发货"]
        body = page.locator("body").inner_text()
        assert "EMS0001" in body and "SF0002" in body
        assert "已付款" in page.locator("h1").inner_text()

    order = Order.objects.get(number=number)
    assert (order.status, order.paid_fen, order.buyer_type) == ("paid", 20560, "budget_unit")
    assert sorted(order.suborders.values_list("status", flat=True)) == ["shipped", "shipped"]
