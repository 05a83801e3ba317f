"""An offline point's week in Debian's Chromium: the platform administrator uploads the
point's CSV on a phone (390 px) — a bad row refuses the whole file with its line and reason,
the corrected file is booked — and the city's bureau officer follows the report's 消费帮扶专柜
row to the point's sales and downloads them as XLSX."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.utils import timezone

from certification.models import Certificate
from sales_channels.models import Channel, OfflinePoint
from tests.worlds import build_ledger_world

from .layout import page_width
from .test_buying_browser import PASSWORD, admin_login
from .test_storefront_browser import chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]

PHONE = {"width": 390, "height": 844}


def test_a_points_csv_is_booked_and_the_bureau_drills_into_it(chromium_path, live_server, role_groups, tmp_path):
    from orders.models import AddressRegion

    w = build_ledger_world()
    for user in (w.admin, w.officer_city):
        user.set_password(PASSWORD)
        user.save()
    point = OfflinePoint.objects.create(
        code="JN-ZG-001",
        name="济南市历下区机关食堂消费帮扶专柜",
        kind=Channel.CABINET,
        region=AddressRegion.objects.get(code="370102", level=3),
        address="龙奥北路 8 号",
        contact_name="赵敏",
        contact_mobile="13905310001",
    )
    yam = Certificate.objects.get(product=w.yam).number
    day = timezone.localdate() - dt.timedelta(days=1)
    rows = [
        ("B1", f"{day} 11:30", yam, 3, "38.80", "116.40", ""),
        ("B2", f"{day} 12:10", str(w.oil.pk), 1, "128.00", "128.00", ""),
        ("B1-R", f"{day} 15:00", "", 1, "", "38.00", "B1"),  # the refund's amount mistyped
    ]
    bad = tmp_path / "week.csv"
    bad.write_text("流水号,时间,产品,数量,单价,金额,原流水号\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    good = tmp_path / "week-fixed.csv"
    good.write_text(bad.read_text().replace(",38.00,", ",38.80,"))
    base = live_server.url
    shots = settings.VAR_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    with chromium_page(chromium_path) as page:
        page.set_viewport_size(PHONE)
        admin_login(page, base, w.admin.username)
        page.goto(f"{base}/admin/channels/offline/points/{point.pk}/")
        page.set_input_files("form.upload-form input[type=file]", str(bad))
        page.click("form.upload-form button[type=submit]")
        refusal = page.inner_text(".upload-refused")
        page.set_input_files("form.upload-form input[type=file]", str(good))
        page.click("form.upload-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/points/\d+/$"))
        booked = page.inner_text("body")
        page.screenshot(path=str(shots / "offline-point-phone.png"), full_page=True)

        admin_login(page, base, w.officer_city.username)
        page.goto(base + "/admin/reports/?period=year")
        page.click("#table-channels a:has-text('消费帮扶专柜')")
        page.wait_for_url(re.compile(r".*/admin/channels/offline/sales/\?channel=cabinet.*"))
        totals = page.inner_text("table.offline-points tfoot")
        width = page_width(page)
        page.screenshot(path=str(shots / "offline-sales-phone.png"), full_page=True)
        with page.expect_download() as download:
            page.click("a.export-xlsx")
        workbook = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))

    assert "第 4 行 refund_of：退款金额须为单价 × 数量 = ¥38.80" in refusal
    assert "已入账 3 行，0 行此前已入账" in booked
    # ¥116.40 + ¥128.00 − ¥38.80; units 3 + 1 − 1
    assert totals.split("\t")[3:] == ["244.40", "-38.80", "205.60", "3", "3"]
    assert width <= 390
    sheet = workbook.active
    values = [[c for c in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted((r[4], r[11]) for r in values) == [("B1", "116.40"), ("B1-R", "-38.80"), ("B2", "128.00")]
