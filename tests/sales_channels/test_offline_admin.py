"""The offline points in the admin: the bureaus drill into offline sales (their region's
products, or points standing in their region) and export them; platform administrators
issue a point's token and upload its CSV, all or nothing, with the refused rows' reasons
shown; nobody else gets in."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Order
from sales_channels.models import IntakeBatch, OfflinePoint, OfflineSale
from tests.sales_channels.test_offline_intake import ago, cert, make_point, post, week_rows

pytestmark = pytest.mark.django_db

SALES = "/admin/channels/offline/sales/"


def refused(response) -> bool:
    """Wagtail's answer to PermissionDenied: back to the dashboard (or to sign in), nothing shown."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url.startswith(("/admin/", "/accounts/"))
    )


def booked_point(w, client):
    point, token = make_point()
    assert post(client, point.code, token, week_rows(w)).status_code == 201
    return point, token


def test_officers_drill_into_their_offline_sales_and_export_them(ledger_world, client):
    w = ledger_world
    booked_point(w, client)
    client.force_login(w.officer_city)  # 菏泽市: both products are its region's
    html = client.get(SALES, {"channel": "cabinet"}).content.decode()
    assert "济南市历下区机关食堂消费帮扶专柜" in html
    assert "236.40" in html and "-38.80" in html and "197.60" in html  # sales, refund, net
    rows = list(
        csv.reader(io.StringIO(b"".join(client.get(SALES[:-1] + ".csv").streaming_content).decode("utf-8-sig")))
    )
    assert rows[0][:3] == ["时间", "网点编号", "网点"]
    assert sorted((r[4], r[5], r[9], r[11]) for r in rows[1:]) == [
        ("S1", "销售", "3", "116.40"),
        ("S1-R", "退款", "-1", "-38.80"),
        ("S2", "销售", "1", "120.00"),
    ]
    xlsx = client.get(SALES[:-1] + ".xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")

    # 成武县's officer reads its oil only: the point stands in 济南, the yam is 单县's.
    client.force_login(w.officer_b)
    rows = list(
        csv.reader(io.StringIO(b"".join(client.get(SALES[:-1] + ".csv").streaming_content).decode("utf-8-sig")))
    )
    assert [r[4] for r in rows[1:]] == ["S2"]
    # …and not the point's page with the yam (its sales list is scoped the same way).
    point = OfflinePoint.objects.get()
    page = client.get(f"/admin/channels/offline/points/{point.pk}/").content.decode()
    assert "成武牡丹籽油" in page and "单县铁棍山药" not in page


def test_the_reports_channel_row_leads_to_the_offline_sales(ledger_world, client):
    w = ledger_world
    booked_point(w, client)
    client.force_login(w.officer_city)
    html = client.get("/admin/reports/", {"period": "year"}).content.decode()
    assert f'href="{SALES}?channel=cabinet&amp;from=' in html


def test_nobody_else_reads_offline_sales(ledger_world, client):
    w = ledger_world
    point, _token = booked_point(w, client)
    for user in (w.operator_a, w.buyer):
        client.force_login(user)
        assert refused(client.get(SALES))
        assert refused(client.get(SALES[:-1] + ".csv"))
        assert refused(client.get(f"/admin/channels/offline/points/{point.pk}/"))
        assert refused(client.get("/admin/channels/points/"))
    client.logout()
    assert client.get(SALES).status_code == 302
    assert client.get(SALES).url.startswith("/admin/login/") or "login" in client.get(SALES).url


def test_bad_filters_are_400s(ledger_world, client):
    client.force_login(ledger_world.officer_city)
    for params in (
        {"from": "2026-02-30"},
        {"from": "2026-03-01", "to": "2026-02-01"},
        {"channel": "online"},
        {"point": "x"},
    ):
        response = client.get(SALES, params)
        assert response.status_code == 400, params


def test_the_offline_sales_page_costs_the_same_queries_for_more_sales(ledger_world, client):
    w = ledger_world
    point, token = make_point()
    client.force_login(w.officer_city)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(SALES).status_code == 200
        return len(ctx.captured_queries)

    row = {"time": ago(days=1), "product": cert(w.yam), "quantity": 1, "unit_price": "38.80", "amount": "38.80"}
    post(client, point.code, token, [{**row, "sale_id": "Q1"}])
    client.force_login(w.officer_city)
    one = queries()
    post(client, point.code, token, [{**row, "sale_id": f"Q{n}"} for n in range(2, 7)])
    client.force_login(w.officer_city)
    assert queries() == one


def test_platform_issues_tokens_and_uploads_csv_all_or_nothing(ledger_world, client):
    w = ledger_world
    point, _old = make_point()
    url = f"/admin/channels/offline/points/{point.pk}/"
    client.force_login(w.officer_city)
    assert refused(client.post(url + "token/")) and refused(client.post(url + "upload/"))
    point.refresh_from_db()
    assert point.token_issued_at is not None and not IntakeBatch.objects.exists()
    before = point.token_hash

    client.force_login(w.admin)
    page = client.post(url + "token/").content.decode()
    point.refresh_from_db()
    assert point.token_hash != before
    assert point.token_prefix in page and "curl -X POST" in page
    assert "只显示这一次" in page

    text = (
        "流水号,时间,产品,数量,单价,金额,原流水号\n"
        f"C1,{ago(days=2)[:16].replace('T', ' ')},{cert(w.yam)},2,38.80,77.60,\n"
        f"C2,{ago(days=1)[:16].replace('T', ' ')},{w.oil.pk},1,128.00,128.00,\n"
        f"C3,{ago(hours=3)[:16].replace('T', ' ')},,1,,40.00,C1\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(url + "upload/", {"file": SimpleUploadedFile("week.csv", text.encode("gb18030"))})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "第 4 行 refund_of：退款金额须为单价 × 数量 = ¥38.80" in html
    assert not OfflineSale.objects.exists() and Order.objects.count() == 0
    assert IntakeBatch.objects.get().status == "refused"

    good = client.post(
        url + "upload/", {"file": SimpleUploadedFile("week.csv", text.replace(",40.00,", ",38.80,").encode("gb18030"))}
    )
    assert good.status_code == 302
    assert sorted(OfflineSale.objects.values_list("sale_id", "amount_fen")) == [
        ("C1", 7760),
        ("C2", 12800),
        ("C3", 3880),
    ]
    page = client.get(url).content.decode()
    assert "已入账 3 行" in page
    assert "第 4 行 refund_of：退款金额须为单价 × 数量 = ¥38.80" in page  # the refused batch stays listed


def test_platform_registers_a_point_in_a_county_chosen_province_city_county(ledger_world, client):
    client.force_login(ledger_world.admin)
    data = {
        "code": "JN-ZQ-009",
        "name": "济南市槐荫区超市消费帮扶专区",
        "kind": "zone",
        "region_province": "37",
        "region_city": "3701",
        "region_county": "",
        "address": "经十路 1 号",
        "contact_name": "钱进",
        "contact_mobile": "13905310009",
        "is_active": "on",
    }
    html = client.post("/admin/channels/points/new/", data).content.decode()
    assert "请选择到县/区" in html and not OfflinePoint.objects.exists()
    html = client.post("/admin/channels/points/new/", {**data, "code": "济南 01", "region_county": "370104"})
    assert "网点编号只能由字母、数字和连字符组成" in html.content.decode() and not OfflinePoint.objects.exists()
    response = client.post("/admin/channels/points/new/", {**data, "region_county": "370104"})
    assert response.status_code == 302
    point = OfflinePoint.objects.get()
    assert (point.code, point.region.code, point.region.level, point.token_hash) == ("JN-ZQ-009", "370104", 3, "")
    client.force_login(ledger_world.officer_city)
    assert refused(client.post("/admin/channels/points/new/", {**data, "code": "X-1", "region_county": "370104"}))
    assert OfflinePoint.objects.count() == 1
