"""帮扶明细 on a phone (390×844, Debian's Chromium): the block of each line fits the screen's
width, with its figures readable, on the buyer's secret-link order page."""

import pytest

from cms.setup import ensure_storefront_pages
from producers.models import Region
from tests.worlds import build_ledger_world, buy_and_pay

from .test_storefront_browser import chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]


def test_the_helped_block_fits_a_phone(chromium_path, live_server, role_groups, settings):
    ensure_storefront_pages()
    w = build_ledger_world()
    Region.objects.filter(pk=w.village_a.pk).update(name="朱楼村")
    Region.objects.filter(pk=w.village_b.pk).update(name="汶上村")
    order = buy_and_pay(w, [(w.yam, 2), (w.oil, 1)])
    url = live_server.url + order.get_absolute_url()
    screenshots = settings.VAR_DIR / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)

    with chromium_page(chromium_path) as page:
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.goto(url).status == 200
        blocks = page.locator("article.helped-line")
        assert blocks.count() == 2
        for i in range(2):
            box = blocks.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        text = page.locator("section.helped").inner_text()
        assert "帮扶村：朱楼村（单县）" in text and "3 户，¥50.44" in text and "1 个，¥11.64" in text
        page.locator("section.helped").screenshot(path=str(screenshots / "order-helped-390.png"))
