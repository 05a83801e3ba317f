"""Every bad filter value gets a message that says what is wrong, as a 400 from every
view, export and the JSON endpoint; never a 500."""

import pytest
from django.test import override_settings
from django.urls import reverse

from .conftest import YEAR

pytestmark = pytest.mark.django_db

BAD = [
    ({"period": "decade"}, "统计周期“decade”无效"),
    ({"period": "month", "date": f"{YEAR}-13-01"}, f"日期“{YEAR}-13-01”不是有效日期"),
    ({"period": "day", "date": "yesterday"}, "日期“yesterday”不是有效日期"),
    ({"period": "year", "date": "1999-12-31"}, "日期须在 2000-01-01 至 2100-12-31 之间"),
    ({"period": "custom", "start": f"{YEAR}-01-01"}, "自定义期间须同时填写开始日期和结束日期"),
    ({"period": "custom", "start": f"{YEAR}-03-01", "end": f"{YEAR}-02-28"}, "结束日期不能早于开始日期"),
    ({"period": "custom", "start": "2001-01-01", "end": "2009-01-01"}, "自定义期间最长 1098 天"),
    ({"region": "abc"}, "地区“abc”不存在或不在您的辖区内"),
    ({"region": "3717229"}, "地区“3717229”不存在或不在您的辖区内"),
    ({"category": "no-such-thing"}, "没有品类“no-such-thing”"),
    ({"producer_kind": "farmer"}, "生产主体类型“farmer”无效"),
    ({"buyer_type": "government"}, "买家类型“government”无效"),
    ({"region": "3" * 80}, "参数 region 太长"),
]


@pytest.mark.parametrize(("params", "message"), BAD)
def test_bad_filters_get_a_clear_message_everywhere(ledger_world, client, params, message):
    client.force_login(ledger_world.officer_a)
    dashboard = client.get("/admin/reports/", params)
    assert dashboard.status_code == 400
    assert message in dashboard.content.decode()
    for url in (
        reverse("reports_admin:export_table", args=["regions", "csv"]),
        reverse("reports_admin:export_workbook"),
        reverse("reports_admin:print"),
    ):
        response = client.get(url, params)
        assert response.status_code == 400 and message in response.content.decode(), url
    api = client.get("/api/reports/", params)
    assert api.status_code == 400 and message in api.json()["error"]


def test_unknown_tables_and_formats_are_not_found(ledger_world, client):
    client.force_login(ledger_world.officer_a)
    assert client.get("/admin/reports/export/nothing.csv").status_code == 404
    assert client.get("/admin/reports/export/summary.pdf").status_code == 404
    assert client.post("/api/reports/").status_code == 405


@override_settings(REPORTS_MAX_RANGE_DAYS=31)
def test_the_longest_custom_range_is_a_setting(ledger_world, client):
    client.force_login(ledger_world.officer_a)
    ok = client.get("/api/reports/", {"period": "custom", "start": f"{YEAR}-01-01", "end": f"{YEAR}-01-31"})
    assert ok.status_code == 200 and len(ok.json()["tables"]["timeline"]["rows"]) == 31
    too_long = client.get("/api/reports/", {"period": "custom", "start": f"{YEAR}-01-01", "end": f"{YEAR}-02-01"})
    assert too_long.json() == {"error": "自定义期间最长 31 天。"}


def test_bad_tokens(ledger_world, client):
    for header in ("Bearer nonsense", "Bearer rpt_" + "x" * 43, "Basic b2ZmaWNlcjpwdw==", "Bearer"):
        response = client.get("/api/reports/", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response.json()["error"]
