"""In Debian's Chromium: a paid order is refunded in part by the platform administrator
in the Wagtail admin; the shop's operator opens the household's statement (the sale and
the reversal, net to the fen), issues an access code, and the household reads its own
statement at /statement/ with its registration number and that code."""

import re

import pytest

from cms.setup import ensure_storefront_pages
from core.roles import Role
from payments import services as payments
from producers.models import BenefitMode
from producers.services import ShareSpec, revise_benefit_linkage
from tests.factories import HouseholdFactory, ProductFactory, ShopFactory, UserFactory, place_order_for, region_chain

from .test_buying_browser import admin_login
from .test_storefront_browser import chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]


def test_refund_then_statement_for_the_operator_and_the_household(chromium_path, live_server):
    ensure_storefront_pages()
    village = region_chain()[4]
    operator = UserFactory(username="op-a", roles=[Role.SHOP_OPERATOR])
    admin = UserFactory(username="root-admin", roles=[Role.PLATFORM_ADMIN])
    shop = ShopFactory(name="朱楼村电商服务站", region=village, operators=[operator])
    yam = ProductFactory(shop=shop, title="铁棍山药", price_fen=3880, stock=20)
    household = HouseholdFactory(registration_number="371722100200000011", head_name="张小文", village=village)
    revise_benefit_linkage(yam, [ShareSpec(3000, BenefitMode.GUARANTEED_PURCHASE, household=household)])
    order = place_order_for([(yam, 3)])
    payments.record_transfer_receipt(order.pk, amount_fen=order.total_fen, reference="ICBC-1", by=admin)
    base = live_server.url
    number = order.number

    with chromium_page(chromium_path) as page:
        # The administrator refunds one of the three boxes.
        admin_login(page, base, "root-admin")
        page.goto(base + "/admin/orders/all/")
        page.click(f"text={number}")
        page.fill("form.refund-form input[type=number]", "1")
        page.fill("form.refund-form #id_reference", "ICBC-R1")
        page.click("button:has-text('登记退款')")
        page.wait_for_load_state()
        assert "退款已登记" in page.locator("body").inner_text()

        # The operator opens the household's statement: 30 % of 3 × 38.80, less 30 % of one.
        admin_login(page, base, "op-a")
        page.click("text=收益对账单")
        page.click("text=张小文（371722100200000011）")
        page.wait_for_selector("table.statement-totals")
        totals = page.locator("table.statement-totals tbody tr td").all_inner_texts()
        assert totals[:3] == ["¥34.92", "¥-11.64", "¥23.28"]
        assert page.locator("table.entries tbody tr").count() == 2
        page.click("button:has-text('发放/重置查询码')")
        page.wait_for_load_state()
        code = re.search(r"新的查询码：([A-Z0-9]{8})", page.locator("body").inner_text()).group(1)

        # The household looks itself up: a wrong code first, then the right one.
        page.context.clear_cookies()
        page.goto(base + "/statement/")
        page.fill("#id_registration_number", "371722100200000011")
        page.fill("#id_access_code", "WRONG123")
        page.click("button:has-text('查询')")
        assert "建档立卡编号或查询码不正确" in page.locator("body").inner_text()
        page.fill("#id_access_code", code)
        page.click("button:has-text('查询')")
        page.wait_for_url(re.compile(r".*/statement/mine/$"))
        body = page.locator("body").inner_text()
        assert "张小文" in body and "铁棍山药" in body
        assert page.locator(".statement").get_attribute("data-net-fen") == "2328"
        assert page.url.endswith("/statement/mine/")  # its own statement, by session: no id to change
