"""The report in the Wagtail admin: the dashboard with its charts' data and drill-down
links, every table's CSV and XLSX export with the screen's numbers, the whole report as
one workbook, and the printable view."""

import json
import re

import pytest
from django.urls import reverse

from tests.admin.test_shops_and_platform import sidebar_text

from . import ledger_math as lm
from .conftest import YEAR
from .screen import csv_rows, number, page_tables, xlsx_rows, xlsx_sheets

pytestmark = pytest.mark.django_db

TABLES = [
    "summary",
    "timeline",
    "regions",
    "categories",
    "producer_kinds",
    "buyer_types",
    "channels",
    "pairings",
    "shops",
    "products",
    "uncertified",
    "traced",
    "events",
    "reserved_shares",
]
YEAR_PARAMS = {"period": "year", "date": f"{YEAR}-05-01"}


def chart_data(html: str) -> dict:
    found = re.search(r'<script id="report-chart-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_dashboard_shows_the_jurisdiction_with_charts_and_events(report_world, client):
    w = report_world
    client.force_login(w.officer_a)
    response = client.get("/admin/reports/", YEAR_PARAMS)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"单县消费帮扶报表 · {YEAR}年" in html
    assert "reports/echarts-6.1.0.common.min.js" in html and "reports/report-charts.js" in html
    for chart in ("chart-timeline", "chart-regions", "chart-categories"):
        assert f'id="{chart}"' in html

    charts = chart_data(html)
    assert len(charts["timeline"]["days"]) == 365 or len(charts["timeline"]["days"]) == 366
    assert charts["timeline"]["events"] == [
        {"date": f"{YEAR}-03-10", "title": "单县山药直播节"},
        {"date": f"{YEAR}-06-18", "title": "单县商务局助农直播"},
    ]
    # Region bars drill down: each township links to itself, keeping the period.
    bars = {bar["name"]: bar for bar in charts["regions"]}
    assert bars["浮岗镇"]["url"] == f"?period=year&date={YEAR}-01-01&region=371722100"
    assert f'href="?period=year&amp;date={YEAR}-01-01&amp;region=371722100"' in html
    # Category share: top-level categories with certified sales.
    assert {c["name"] for c in charts["categories"]} == {"果蔬", "休闲食品", "熟食糕点"}

    facts = lm.facts()
    chosen = lm.select(facts, *(lm.dt.date(YEAR, 1, 1), lm.dt.date(YEAR, 12, 31)), "371722")
    tables = page_tables(html)
    assert set(tables) == set(TABLES)
    summary = {row[0]: row for row in tables["summary"]["body"]}
    assert number(summary["消费帮扶净额"][1]) == lm.money(chosen)["net"] / lm.Decimal(100)
    assert summary["受益帮扶户（期间净收入大于零）"][2] == str(lm.benefited(chosen)[0])


def test_village_drill_down_then_every_table_exports_the_screens_numbers(report_world, client):
    w = report_world
    client.force_login(w.officer_a)
    params = {**YEAR_PARAMS, "region": w.village_a.code}
    html = client.get("/admin/reports/", params).content.decode()
    screen = page_tables(html)
    assert [row[0] for row in screen["regions"]["body"]] == [w.village_a.code]

    for key in TABLES:
        shown = screen[key]["body"] + screen[key]["foot"]
        if shown == [["本期没有数据。"]]:
            shown = []
        csv_response = client.get(reverse("reports_admin:export_table", args=[key, "csv"]), params)
        assert csv_response.status_code == 200
        assert csv_response["Content-Disposition"].endswith(f'{w.village_a.code}-{YEAR}0101-{YEAR}1231.csv"')
        exported = csv_rows(b"".join(csv_response.streaming_content))
        assert exported[0] == screen[key]["head"][0]
        assert [[number(c) for c in row] for row in exported[1:]] == [[number(c) for c in row] for row in shown], key

        xlsx = client.get(reverse("reports_admin:export_table", args=[key, "xlsx"]), params)
        assert xlsx.status_code == 200
        rows = xlsx_rows(xlsx.content)
        assert [str(c) for c in rows[0]] == screen[key]["head"][0]
        assert [[number(c) for c in row] for row in rows[1:]] == [[number(c) for c in row] for row in shown], key


def test_whole_report_workbook_has_every_table_with_the_screens_totals(report_world, client):
    w = report_world
    client.force_login(w.officer_city)
    params = {**YEAR_PARAMS, "region": "371722"}
    screen = page_tables(client.get("/admin/reports/", params).content.decode())
    response = client.get(reverse("reports_admin:export_workbook"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = list(xlsx_sheets(response.content).values())
    assert len(sheets) == len(TABLES)
    for key, rows in zip(TABLES, sheets, strict=True):
        assert rows[0][0] == f"单县消费帮扶报表 · {YEAR}年"
        if screen[key]["foot"]:
            assert [number(c) for c in rows[-1]] == [number(c) for c in screen[key]["foot"][0]], key


def test_printable_monthly_report(report_world, client):
    w = report_world
    client.force_login(w.officer_a)
    response = client.get(reverse("reports_admin:print"), {"period": "month", "date": f"{YEAR}-03-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>单县消费帮扶报表 · {YEAR}年3月</title>" in html
    assert 'data-chart-renderer="svg"' in html and "wagtail-sidebar" not in html
    tables = page_tables(html)
    assert set(tables) == set(TABLES)
    assert not re.search(r"<a [^>]*href=\"\?", html)  # no drill-down links on paper
    assert chart_data(html)["timeline"]["events"] == [{"date": f"{YEAR}-03-10", "title": "单县山药直播节"}]


def test_menu_and_access_by_role(report_world, client):
    w = report_world
    client.force_login(w.officer_a)
    menu = sidebar_text(client)
    assert "消费帮扶报表" in menu and "接口令牌" in menu and "预留份额完成情况" in menu
    assert "预留份额目标" not in menu  # the bureaus' typed-in targets are gone: units record their quotas
    client.force_login(w.operator_a)
    assert "消费帮扶报表" not in sidebar_text(client)
    for url in (
        "/admin/reports/",
        "/admin/reports/export/summary.csv",
        "/admin/reports/print/",
        "/admin/reports/tokens/",
    ):
        assert client.get(url).status_code in (302, 403), url
    client.logout()
    assert client.get("/admin/reports/").status_code == 302  # to the admin login


def test_the_reserved_shares_section_is_the_bureaus_completion_list(report_world, client):
    """The report's section, on the page and in its CSV and XLSX, has the rows of the
    bureaus' 预留份额完成情况 (procurement), in the same order, with the same figures."""
    w = report_world
    client.force_login(w.officer_city)
    screen = page_tables(client.get("/admin/reports/", YEAR_PARAMS).content.decode())["reserved_shares"]
    units = client.get("/admin/procurement/units.csv", {"year": YEAR})
    listed = csv_rows(b"".join(units.streaming_content))[1:]
    assert [row[1] for row in listed] == ["成武县教育局", "单县财政局", "单县教育局"]
    # 名次, 单位, 信用代码, 地区, 预留份额, 已采购, 完成率 (there "23.08%", here 23.08; "未填报" there, "—" here)
    assert [[number(c) for c in row] for row in screen["body"]] == [
        [number(c) for c in row[:6]] + [number(row[6].rstrip("%")) if row[4] else ""] for row in listed
    ]
    for fmt, read in (
        ("csv", lambda r: csv_rows(b"".join(r.streaming_content))),
        ("xlsx", lambda r: xlsx_rows(r.content)),
    ):
        exported = read(client.get(reverse("reports_admin:export_table", args=["reserved_shares", fmt]), YEAR_PARAMS))
        assert [[number(c) for c in row] for row in exported[1:]] == [
            [number(c) for c in row] for row in screen["body"] + screen["foot"]
        ], fmt


def test_names_are_escaped_on_the_page_and_in_the_charts(report_world, client):
    w = report_world
    from catalog.models import Product, Shop

    Product.objects.filter(pk=w.yam.pk).update(title='<script>alert("山药")</script>')
    Shop.objects.filter(pk=w.shop_a.pk).update(name="朱楼<img src=x onerror=alert(1)>")
    client.force_login(w.officer_a)
    html = client.get("/admin/reports/", YEAR_PARAMS).content.decode()
    assert '<script>alert("山药")' not in html and "&lt;script&gt;alert(&quot;山药&quot;)" in html
    assert "<img src=x" not in html and "朱楼&lt;img src=x onerror=alert(1)&gt;" in html
