"""An officer of county B receives nothing about county A through any view, filter,
export or the JSON endpoint, however the parameters and ids are changed; and what B
receives does not change at all when county A sells more."""

import datetime as dt

import pytest
from django.urls import reverse

from live.models import LiveEvent
from reports.models import ReportApiToken
from reports.services import create_api_token

from . import ledger_math as lm
from .conftest import UNIT_1, UNIT_3, YEAR, _buy, at, buying_for, set_quota

pytestmark = pytest.mark.django_db

# Names that only county A's data carries.
COUNTY_A = [
    "单县",
    "朱楼村电商服务站",
    "李庄村电商服务站",
    "单县铁棍山药",
    "芦笋茶",
    "羊肉汤料包",
    "芦笋罐头",
    "红薯粉皮",
    "单县山药直播节",
    "单县商务局助农直播",
    "单县财政局",
    "单县教育局",
    "浮岗镇",
    UNIT_1,
    UNIT_3,
]
TABLES = ["summary", "timeline", "regions", "products", "uncertified", "traced", "events", "reserved_shares", "shops"]
PROBES = [
    {},
    {"period": "year", "date": f"{YEAR}-06-01"},
    {"period": "custom", "start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"},
    {"period": "year", "date": f"{YEAR}-06-01", "category": "fruit-vegetables"},
    {"period": "year", "date": f"{YEAR}-06-01", "buyer_type": "budget_unit"},
]
FOREIGN_REGIONS = ["371722", "371722100", "371722100201", "371722102", "3717", "37", "371799", "99"]


def b_outputs(client, token: str) -> dict:
    """Everything officer B can fetch for the probes: JSON (session and token) and every
    CSV export, as text (JSON without its generation time)."""
    out = {}
    for n, params in enumerate(PROBES):
        data = client.get("/api/reports/", params).json()
        data.pop("generated_at")
        out[f"json-{n}"] = data
        by_token = client.get("/api/reports/", params, HTTP_AUTHORIZATION=f"Bearer {token}").json()
        by_token.pop("generated_at")
        assert by_token == data
        for key in TABLES:
            response = client.get(reverse("reports_admin:export_table", args=[key, "csv"]), params)
            out[f"csv-{n}-{key}"] = b"".join(response.streaming_content).decode()
    return out


def assert_nothing_of_a(text: str) -> None:
    found = [name for name in COUNTY_A if name in text]
    assert not found, found


def test_county_b_gets_nothing_of_county_a_and_is_unmoved_by_its_sales(report_world, client, clock):
    w = report_world
    client.force_login(w.officer_b)
    _record, token = create_api_token(w.officer_b, "tools")
    before = b_outputs(client, token)
    for value in before.values():
        assert_nothing_of_a(str(value))
    for params in PROBES:
        html = client.get("/admin/reports/", params).content.decode()
        assert_nothing_of_a(html)
        assert_nothing_of_a(client.get(reverse("reports_admin:print"), params).content.decode())
        workbook = client.get(reverse("reports_admin:export_workbook"), params)
        assert workbook.status_code == 200

    # B's figures are B's own, to the fen.
    data = before["json-1"]
    chosen = lm.select(lm.facts(), dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), "371723")
    summary = {row["item"]: row["amount_fen"] for row in data["tables"]["summary"]["rows"]}
    assert summary["消费帮扶净额"] == lm.money(chosen)["net"]
    assert [row["event"] for row in data["tables"]["events"]["rows"]] == ["成武牡丹籽油专场"]
    # B's own budget unit only (whatever it bought, county A's yam too, is what it spent).
    [unit] = data["tables"]["reserved_shares"]["rows"]
    assert (unit["unit"], unit["spent_fen"]) == ("成武县教育局", 3 * w.oil.price_fen + 2 * w.yam.price_fen)

    # County A sells more, runs another event, its units buy and set quotas: B sees no change.
    event = LiveEvent.objects.create(title="单县秋季直播", scheduled_start=at(9, 1, 20), scheduled_end=at(9, 1, 22))
    event.shops.add(w.shop_a)
    _buy(w.ledger, clock, at(9, 1, 20, 30), [(w.yam, 7), (w.tea, 2)], tag=[(w.yam, event, "in_live")])
    _buy(w.ledger, clock, at(9, 2), [(w.yam, 1)], buyer_type="budget_unit", organisation_name="x", tax_id=UNIT_1)
    _buy(w.ledger, clock, at(9, 3), [(w.tea, 2)], **buying_for(w.units["单县财政局"]))
    set_quota(w.units["单县教育局"], YEAR, 100_000, share_bp=1_000)
    clock.set(at(12, 31, 23, 59) + dt.timedelta(minutes=30))
    assert b_outputs(client, token) == before


@pytest.mark.parametrize("code", FOREIGN_REGIONS)
def test_every_way_into_county_a_answers_the_same_refusal(report_world, client, code):
    w = report_world
    _record, token = create_api_token(w.officer_b, "tools")
    client.force_login(w.officer_b)
    params = {"period": "year", "date": f"{YEAR}-06-01", "region": code}
    message = f"地区“{code}”不存在或不在您的辖区内。"

    dashboard = client.get("/admin/reports/", params)
    assert dashboard.status_code == 400
    assert message in dashboard.content.decode()
    assert_nothing_of_a(dashboard.content.decode())
    for url in (
        reverse("reports_admin:export_table", args=["summary", "csv"]),
        reverse("reports_admin:export_table", args=["regions", "xlsx"]),
        reverse("reports_admin:export_workbook"),
        reverse("reports_admin:print"),
    ):
        response = client.get(url, params)
        assert response.status_code == 400 and message in response.content.decode(), url
    for headers in ({}, {"HTTP_AUTHORIZATION": f"Bearer {token}"}):
        api = client.get("/api/reports/", params, **headers)
        assert (api.status_code, api.json()) == (400, {"error": message})


def test_a_token_of_county_a_reads_county_a_only_whatever_the_parameters(report_world, client):
    w = report_world
    _record, token = create_api_token(w.officer_a, "tools")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    own = client.get("/api/reports/", {"period": "year", "date": f"{YEAR}-06-01"}, **auth)
    assert own.status_code == 200 and own.json()["filters"]["region"] == "371722"
    for code in ("371723", "371723100201", "3717", "37", ""):
        response = client.get("/api/reports/", {"period": "year", "region": code}, **auth)
        if code == "":
            assert response.json()["filters"]["region"] == "371722"  # empty means the jurisdiction
        else:
            assert response.status_code == 400
            assert "成武" not in response.content.decode("utf-8")
    # A session of officer B does not widen a token of officer A, and vice versa.
    client.force_login(w.officer_b)
    assert client.get("/api/reports/", {"period": "year"}, **auth).json()["filters"]["region"] == "371722"


def test_tokens_of_others_are_out_of_reach(report_world, client):
    w = report_world
    record_a, _token = create_api_token(w.officer_a, "a's tools")
    client.force_login(w.officer_b)
    client.post(reverse("reports_admin:token_revoke", args=[record_a.pk]))
    assert ReportApiToken.objects.get(pk=record_a.pk).revoked_at is None
    assert "a&#x27;s tools" not in client.get(reverse("reports_admin:tokens")).content.decode()


def test_the_reserved_shares_of_county_a_are_out_of_county_bs_reach(report_world, client):
    """County A's units are in none of B's outputs (above), and asking for them by region
    is refused, in the export of the section as everywhere; the old targets' pages are gone."""
    w = report_world
    client.force_login(w.officer_b)
    for fmt in ("csv", "xlsx"):
        url = reverse("reports_admin:export_table", args=["reserved_shares", fmt])
        response = client.get(url, {"period": "year", "date": f"{YEAR}-06-01", "region": "371722"})
        assert response.status_code == 400 and "单县财政局" not in response.content.decode("utf-8", "replace")
    assert client.get("/admin/reports/targets/").status_code == 404
    client.force_login(w.officer_a)
    assert client.get("/admin/reports/targets/").status_code == 404


def test_platform_admin_sees_both_counties_and_the_country(report_world, client):
    w = report_world
    client.force_login(w.admin)
    data = client.get("/api/reports/", {"period": "year", "date": f"{YEAR}-06-01"}).json()
    assert data["region"] == {"code": "", "name": "全国"}
    chosen = lm.select(lm.facts(), dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), "")
    summary = {row["item"]: row["amount_fen"] for row in data["tables"]["summary"]["rows"]}
    assert summary["消费帮扶净额"] == lm.money(chosen)["net"]
    assert [row["code"] for row in data["tables"]["regions"]["rows"] if row["net_fen"]] == ["37"]


def test_people_without_a_report_role_are_refused(report_world, client):
    w = report_world
    client.force_login(w.operator_a)
    assert client.get("/api/reports/").status_code == 403
    assert client.get("/admin/reports/").status_code in (302, 403)
    client.force_login(w.buyer)
    assert client.get("/api/reports/").status_code == 403
    client.logout()
    response = client.get("/api/reports/")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
