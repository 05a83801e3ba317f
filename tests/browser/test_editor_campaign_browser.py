"""In Debian's Chromium: a platform editor builds a campaign page from blocks in the Wagtail
admin (no code), publishes it, and a visitor on a phone-sized screen finds it under 专题活动
with the products its block chose, only those listed at that moment."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cms.models import CampaignIndexPage, CampaignPage
from cms.setup import ensure_storefront_pages
from core.roles import Role
from tests.factories import ProductFactory, ShopFactory, UserFactory, region_chain

from .layout import page_width
from .test_buying_browser import admin_login
from .test_storefront_browser import chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]


def test_an_editor_builds_a_campaign_from_blocks_and_a_phone_shows_it(chromium_path, live_server):
    home, _catalog = ensure_storefront_pages()
    index = home.add_child(instance=CampaignIndexPage(title="专题活动", slug="campaigns"))
    UserFactory(username="editor", roles=[Role.PLATFORM_ADMIN])
    shop = ShopFactory(name="朱楼村电商服务站", region=region_chain()[4])
    older = [ProductFactory(shop=shop, title=f"老品{i}") for i in range(3)]
    newest = [ProductFactory(shop=shop, title=title) for title in ("单县芦笋", "铁棍山药", "牡丹籽油")]
    ProductFactory(shop=shop, title="未认定的小米", certified=False)  # never shown: not listed
    assert len(older) == 3
    local = timezone.localtime()
    starts = (local - dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    ends = (local + dt.timedelta(days=30)).strftime("%Y-%m-%d %H:%M")
    base = live_server.url

    with chromium_page(chromium_path) as page:
        admin_login(page, base, "editor")
        page.goto(f"{base}/admin/pages/add/cms/campaignpage/{index.pk}/")
        page.fill("#id_title", "年货节")
        page.fill("#id_starts_at", starts)
        page.fill("#id_ends_at", ends)
        page.fill("#id_summary", "买年货，助增收。")
        # Its own list: one product, picked in the product chooser.
        page.get_by_role("button", name=re.compile("活动商品")).first.click()
        page.locator("#id_campaign_products-0-product-chooser [data-chooser-action-choose]").click()
        page.locator(".modal-content a[data-chooser-modal-choice]", has_text="铁棍山药").first.click()
        page.wait_for_selector(".modal-content", state="detached")
        # The body: a product grid of the three newest listed products.
        page.locator("button.c-sf-add-button").first.click()
        page.locator("[role=option]", has_text="商品橱窗").click()
        page.fill("#body-0-value-title", "年货精选")
        page.select_option("#body-0-value-source", "newest")
        page.fill("#body-0-value-count", "3")
        page.locator("footer [data-w-dropdown-target=toggle]").first.click()
        page.click("button[name=action-publish]")
        page.wait_for_url(re.compile(r".*/admin/pages/\d+/$"))

        page.context.clear_cookies()  # a visitor now, on a phone
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/campaigns/")
        page.get_by_role("link", name="年货节").first.click()
        page.wait_for_url(re.compile(r".*/campaigns/.+/$"))
        assert page.locator("h1").inner_text() == "年货节"
        assert "进行中" in page.locator("body").inner_text()
        own = page.locator(".campaign-products .card-title").all_inner_texts()
        grid = page.locator(".block-product-grid")
        assert grid.locator("h2").inner_text() == "年货精选"
        shown = grid.locator(".card-title").all_inner_texts()
        assert page_width(page) <= 390

    assert shown == [p.title for p in reversed(newest)]
    assert own == ["铁棍山药"]
    campaign = CampaignPage.objects.get()
    assert campaign.live and campaign.get_parent().pk == index.pk
    assert campaign.body[0].block_type == "product_grid"
    assert [cp.product.title for cp in campaign.campaign_products.all()] == ["铁棍山药"]
