"""A pairing recorded and read in Debian's Chromium: the platform administrator picks the
helping city and the helped county province → city → county on a phone (390 px; the lower
selects fill from the project's own regions.js and /checkout/regions/), saves, and reads
the pairing's report; the report's timeline switches to the stack by sales channel and back."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.utils import timezone

from orders.models import AddressRegion
from sales_channels.models import Pairing
from tests.worlds import build_ledger_world, buy_and_pay

from .test_buying_browser import PASSWORD, admin_login
from .test_storefront_browser import chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def choose(page, field: str, province: str, city: str, county: str = "") -> None:
    """Pick the levels one after another, as a person does, waiting for each refill."""
    page.select_option(f"select[name={field}_province]", province)
    page.wait_for_selector(f"select[name={field}_city] option[value='{city}']", state="attached")
    page.select_option(f"select[name={field}_city]", city)
    if county:
        page.wait_for_selector(f"select[name={field}_county] option[value='{county}']", state="attached")
        page.select_option(f"select[name={field}_county]", county)


def test_the_platform_records_a_pairing_on_a_phone_and_reads_its_report(chromium_path, live_server, role_groups):
    w = build_ledger_world()
    w.admin.set_password(PASSWORD)
    w.admin.save()
    base = live_server.url
    screenshots = settings.VAR_DIR / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()

    with chromium_page(chromium_path) as page:
        admin_login(page, base, w.admin.username)
        page.set_viewport_size(PHONE)
        page.goto(base + "/admin/channels/pairings/new/")
        assert page.locator("select[name=helped_region_county] option").count() == 1  # nothing chosen yet
        page.select_option("select[name=kind]", "east_west")
        page.fill("input[name=name]", "东西部协作 济南市—单县")
        choose(page, "helping_region", "37", "3701")
        choose(page, "helped_region", "37", "3717", "371722")
        page.fill("input[name=valid_from]", f"{today.year}-01-01")
        for select in page.locator(".region-chooser select").all():
            box = select.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        page.screenshot(path=str(screenshots / "pairing-form-390.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(screenshots / "pairing-form-1280.png"), full_page=True)
        page.click("button[type=submit]:has-text('创建')")
        page.wait_for_url(re.compile(r".*/admin/channels/pairings/$"))

    pairing = Pairing.objects.get()
    assert (pairing.helping_region.code, pairing.helping_region.level) == ("3701", AddressRegion.Level.CITY)
    assert (pairing.helped_region.code, pairing.helped_region.level) == ("371722", AddressRegion.Level.COUNTY)
    Pairing.objects.filter(pk=pairing.pk).update(valid_from=today - dt.timedelta(days=1))
    jinan = AddressRegion.objects.get(level=AddressRegion.Level.COUNTY, code="370102")
    buy_and_pay(w, [(w.yam, 3)], ship_region=jinan)  # ¥116.40 under the pairing
    buy_and_pay(w, [(w.yam, 1)], buyer_type="budget_unit")  # 单位采购, no pairing
    report = f"{base}/admin/channels/pairings/{pairing.pk}/report/"

    with chromium_page(chromium_path) as page:
        admin_login(page, base, w.admin.username)
        page.goto(base + "/admin/channels/pairings/")
        page.click("a:has-text('查看报表')")
        page.wait_for_url(re.compile(re.escape(report) + r".*"))
        month = f"{today.year}-{today.month:02d}"
        row = page.locator("table[data-table=months] tbody tr", has_text=month)
        assert "116.40" in row.inner_text()
        page.screenshot(path=str(screenshots / "pairing-report-1280.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(screenshots / "pairing-report-390.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        page.goto(base + "/admin/reports/?period=month")
        stack = page.locator("#timeline-stack")
        stack.check()
        page.wait_for_function(
            "() => echarts.getInstanceByDom(document.getElementById('chart-timeline')).getOption().series.length === 7"
        )
        page.wait_for_timeout(1500)  # the areas' entrance animation
        page.screenshot(path=str(screenshots / "report-timeline-stacked-1280.png"), full_page=False)
        stack.uncheck()
        page.wait_for_function(
            "() => echarts.getInstanceByDom(document.getElementById('chart-timeline')).getOption().series.length === 2"
        )
