"""The trace link (溯源) of a shipped line on a phone (390×844, Debian's Chromium): on the
buyer's secret-link order page it sits inside the screen's width without pushing the page
wider, and following it opens the batch's trace page ``/trace/<code>/``.

The trace page itself is built on the trace-codes branch; until both are merged this
test asserts the link and that the browser goes to that address (without its content)."""

import pytest

from cms.setup import ensure_storefront_pages
from tests.trace_batches import make_batch, ship_parcel
from tests.worlds import build_ledger_world, buy_and_pay

from .layout import page_width
from .test_storefront_browser import chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]


def test_the_buyer_opens_the_trace_page_from_the_order_page(chromium_path, live_server, role_groups, settings):
    ensure_storefront_pages()
    w = build_ledger_world()
    batch = make_batch(w.yam, code="PHONE23456", quantity=40)
    order = buy_and_pay(w, [(w.yam, 2), (w.oil, 1)])
    yam_parcel = order.suborders.get(shop=w.shop_a)
    ship_parcel(yam_parcel, w.operator_a, batches={yam_parcel.lines.get().pk: batch.pk})
    ship_parcel(order.suborders.get(shop=w.shop_b), w.operator_b)  # untraced: no link
    url = live_server.url + order.get_absolute_url()
    screenshots = settings.VAR_DIR / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)

    with chromium_page(chromium_path) as page:
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.goto(url).status == 200
        links = page.locator("a.trace-link")
        assert links.count() == 1
        link = links.first
        assert link.inner_text() == "溯源" and link.get_attribute("href") == "/trace/PHONE23456/"
        link.scroll_into_view_if_needed()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert page_width(page) <= 390
        page.locator("section.suborder").first.screenshot(path=str(screenshots / "order-trace-link-390.png"))
        link.click()
        page.wait_for_url(live_server.url + "/trace/PHONE23456/")
