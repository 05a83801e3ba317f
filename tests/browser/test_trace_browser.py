"""In Debian's Chromium at 390×844 (a phone that scanned a label): a unit code's trace page
shows the product, the origin path, the household count and the scans, fits the screen
without scrolling sideways, breaks no CSP rule; opened a second time (a copied label), it
shows the first scan's time and two scans."""

import datetime as dt

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from cms.setup import ensure_storefront_pages
from producers.models import BenefitMode
from producers.services import ShareSpec, revise_benefit_linkage
from tests.factories import HouseholdFactory, ProducerFactory, ProductFactory, ShopFactory, region_chain
from traceability.models import UnitCode
from traceability.services import create_batch, make_unit_codes

from .test_storefront_browser import CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]


def test_trace_page_on_a_phone_shows_a_copied_labels_first_scan(chromium_path, live_server):
    ensure_storefront_pages()
    *_, village = region_chain()
    shop = ShopFactory(name="朱楼村电商服务站", region=village)
    coop = ProducerFactory(shop=shop, name="单县浮岗山药专业合作社")
    yam = ProductFactory(shop=shop, producer=coop, title="单县铁棍山药")
    zhang = HouseholdFactory(registration_number="371722100200000011", head_name="张小文", village=village)
    li = HouseholdFactory(registration_number="371722100200000022", head_name="李四", village=village)
    revise_benefit_linkage(
        yam,
        [
            ShareSpec(3000, BenefitMode.GUARANTEED_PURCHASE, household=zhang),
            ShareSpec(2000, BenefitMode.EMPLOYMENT, household=li),
        ],
        valid_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    batch = create_batch(yam, origin=village, produced_on=dt.date(2026, 11, 2), quantity=200, shelf_life_days=30)
    unit = make_unit_codes(batch, 3)[0]
    url = f"{live_server.url}/trace/{unit.code.lower()}/"
    errors = []
    screenshots = settings.VAR_DIR / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            assert page.goto(url).status == 200
            text = page.locator("section.trace").inner_text()
            width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            page.screenshot(path=str(screenshots / "trace-390.png"), full_page=True)
            second = page.goto(url)
            assert second.status == 200
            again = page.locator("section.trace").inner_text()
        finally:
            browser.close()

    assert "单县铁棍山药" in text
    assert "山东省 › 菏泽市 › 单县 › 浮岗镇 › 地区371722100201" in text
    assert "2026年12月02日" in text  # best before: 2 November + 30 days
    assert "2 户" in text and "1 次" in text
    assert "张小文" not in text and "李四" not in text
    assert width[0] <= width[1]
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
    first = UnitCode.objects.get(pk=unit.pk)
    assert first.scan_count == 2
    shown = dt.datetime.fromtimestamp(first.first_scanned_at.timestamp(), tz=dt.timezone(dt.timedelta(hours=8)))
    assert f"首次扫码于 {shown:%Y-%m-%d %H:%M}；如非您本人首次扫码，请警惕仿冒。" in again
    assert "2 次" in again
