"""Debian's Chromium, driven by Playwright, opens the storefront on a live server: the
home page and a product page render their Chinese text and the product image."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from playwright.sync_api import Page, sync_playwright

from catalog.tasks import generate_product_renditions
from cms.setup import ensure_storefront_pages
from tests.factories import ProductFactory, ProductImageFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IMAGE_LOADED = "img => img.complete && img.naturalWidth > 0"


@contextmanager
def chromium_page(executable_path: str) -> Iterator[Page]:
    """A page in Debian's Chromium. No ORM calls inside: Playwright's sync API runs the
    test in a greenlet with its own context, where Django would open (and never close)
    a second database connection."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable_path, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


def test_home_and_product_page_render_chinese_text_and_image(chromium_path, live_server):
    ensure_storefront_pages()
    product = ProductFactory(title="菏泽铁棍山药", price_fen=3880, unit="2.5千克/箱")
    ProductImageFactory(product=product)
    generate_product_renditions(product.pk)  # as the worker would after an upload
    product_url = live_server.url + product.get_absolute_url()
    screenshots = settings.VAR_DIR / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)

    with chromium_page(chromium_path) as page:
        response = page.goto(live_server.url + "/")
        assert response.status == 200
        body_text = page.locator("body").inner_text()
        assert "消费帮扶馆" in body_text
        assert "菏泽铁棍山药" in body_text
        card_image = page.locator('img[alt="菏泽铁棍山药"]').first
        card_image.scroll_into_view_if_needed()
        page.wait_for_function(IMAGE_LOADED, arg=card_image.element_handle(), timeout=10_000)
        # A 240 px card on a desktop screen: of the srcset (200w, 400w) the browser takes the
        # fill-400x400 rendition (naturalWidth is then the card's width, 400 px shown at 240).
        assert card_image.evaluate("img => img.currentSrc").endswith(".fill-400x400.png")
        assert card_image.evaluate("img => img.naturalWidth") > 0
        page.screenshot(path=screenshots / "home.png", full_page=True)

        response = page.goto(live_server.url + "/products/")
        assert response.status == 200
        assert page.locator(".card-title").all_inner_texts() == ["菏泽铁棍山药"]

        response = page.goto(product_url)
        assert response.status == 200
        assert page.locator("h1").inner_text().strip() == "菏泽铁棍山药"
        assert "¥38.80" in page.locator("body").inner_text()
        detail_image = page.locator('img[alt="菏泽铁棍山药"]').first
        page.wait_for_function(IMAGE_LOADED, arg=detail_image.element_handle(), timeout=10_000)
        # 480 px wide on a desktop: max-800x800 (the 640 px original kept), not max-400x400.
        assert detail_image.evaluate("img => img.currentSrc").endswith(".max-800x800.png")
        page.screenshot(path=screenshots / "product.png", full_page=True)

        # On a phone of ordinary density the card takes the half-size rendition.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(live_server.url + "/products/")
        card_image = page.locator('img[alt="菏泽铁棍山药"]').first
        page.wait_for_function(IMAGE_LOADED, arg=card_image.element_handle(), timeout=10_000)
        assert card_image.evaluate("img => img.currentSrc").endswith(".fill-200x200.png")
