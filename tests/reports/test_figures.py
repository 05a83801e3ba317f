"""Every figure of the report, through the JSON endpoint, against the same figure
recomputed from the ledger rows in plain Python (``ledger_math``), to the fen: for
several viewers, periods (Asia/Shanghai days, ISO weeks, months, quarters, years, custom
ranges across month ends), drill-downs and filters."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from live.models import LiveEvent

from . import ledger_math as lm
from .conftest import UNIT_1, UNIT_1_RESERVED_FEN, UNIT_2, UNIT_2_RESERVED_FEN, UNIT_3, YEAR, _buy, at

pytestmark = pytest.mark.django_db

KIND_LABELS = {
    "household": "农户",
    "cooperative": "合作社",
    "collective": "村集体",
    "workshop": "扶贫车间",
    "enterprise": "龙头企业",
}
CHANNEL_LABELS = {
    "线上商城": "online",
    "直播带货": "live",
    "单位采购": "institutional",
    "消费帮扶专柜": "cabinet",
    "消费帮扶专馆": "pavilion",
    "消费帮扶专区": "zone",
    "其他渠道": "other",
}
BUYER_LABELS = {
    "individual": "个人",
    "budget_unit": "预算单位",
    "union": "工会",
    "enterprise": "企业",
}


def fetch(client, **params) -> dict:
    response = client.get("/api/reports/", params)
    assert response.status_code == 200, response.content.decode()
    return response.json()


def summary(data) -> dict[str, int]:
    return {row["item"]: row["amount_fen"] if row["amount_fen"] is not None else row["count"] for row in data}


def assert_matches(data: dict, facts: list, *, region: str, category: str = "", producer_kind="", buyer_type=""):
    """Compare every table of ``data`` with the ledger facts of its period and filters."""
    start, end = dt.date.fromisoformat(data["filters"]["start"]), dt.date.fromisoformat(data["filters"]["end"])
    chosen = lm.select(facts, start, end, region, category, producer_kind, buyer_type)
    t = data["tables"]
    m = lm.money(chosen)
    n, income = lm.benefited(chosen)

    s = summary(t["summary"]["rows"])
    assert s["消费帮扶销售额（认定产品，付款时证书有效）"] == m["sales"]
    assert s["退款冲减"] == m["refunds"]
    assert s["消费帮扶净额"] == m["net"]
    assert s["其中：帮扶户收入"] == m["households"]
    assert s["其中：村集体收入"] == m["collectives"]
    assert s["其中：生产主体留存"] == m["producers"]
    assert m["households"] + m["collectives"] + m["producers"] == m["net"]
    assert s["受益帮扶户（期间净收入大于零）"] == n
    assert s["受益帮扶户收入合计"] == income
    assert s["受益帮扶户户均收入"] == lm.average(income, n)
    assert s["未认定产品销售额（不计入消费帮扶）"] == m["u_sales"]
    assert s["未认定产品退款冲减"] == m["u_refunds"]
    assert s["未认定产品净额（不计入消费帮扶）"] == m["u_net"]

    # Timeline: one row per day of the period, zeros included.
    days = lm.by(chosen, lambda f: f.day)
    timeline = t["timeline"]["rows"]
    assert [row["day"] for row in timeline] == [
        (start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)
    ]
    for row in timeline:
        day = days.get(dt.date.fromisoformat(row["day"]), lm.money([]))
        assert (row["net_fen"], row["uncertified_net_fen"]) == (day["net"], day["u_net"]), row["day"]
    assert t["timeline"]["total"]["net_fen"] == m["net"]

    # Regions: the level below the selected one; producers registered at its own level apart.
    length = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12}.get(len(region), len(region))
    regions = lm.by(chosen, lambda f: f.region[:length])
    got = {row["code"]: row for row in t["regions"]["rows"]}
    for code, expected in regions.items():
        row = got[code]
        assert (row["sales_fen"], row["refunds_fen"], row["net_fen"]) == (
            expected["sales"],
            expected["refunds"],
            expected["net"],
        ), code
        assert (row["households_fen"], row["collectives_fen"], row["producers_fen"]) == (
            expected["households"],
            expected["collectives"],
            expected["producers"],
        )
        assert row["uncertified_net_fen"] == expected["u_net"]
        assert row["share"] == lm.percent(expected["net"], m["net"])
    assert all(row["net_fen"] == 0 and row["uncertified_net_fen"] == 0 for c, row in got.items() if c not in regions)
    assert t["regions"]["total"]["net_fen"] == m["net"]

    # Categories: top level, or the sub-categories of the one filtered on.
    key = (lambda f: f.category_slug) if category else (lambda f: f.category)
    certified = [f for f in chosen if f.certified]
    if category:
        names = {f.category_slug: f for f in certified}
        cats = lm.by(certified, key)
        got_cats = {row["category"]: row["net_fen"] for row in t["categories"]["rows"]}
        assert sorted(got_cats.values()) == sorted(v["net"] for v in cats.values())
        assert len(names) == len(got_cats)
    else:
        cats = lm.by(certified, key)
        got_cats = {row["category"]: row for row in t["categories"]["rows"]}
        assert set(got_cats) == set(cats)
        for name, expected in cats.items():
            assert (got_cats[name]["sales_fen"], got_cats[name]["net_fen"]) == (expected["sales"], expected["net"])

    kinds = lm.by(chosen, lambda f: f.producer_kind)
    for row in t["producer_kinds"]["rows"]:
        value = next(k for k, label in KIND_LABELS.items() if label == row["producer_kind"])
        assert row["net_fen"] == kinds.get(value, lm.money([]))["net"]
    buyers = lm.by(chosen, lambda f: f.buyer_type)
    for row in t["buyer_types"]["rows"]:
        value = next(k for k, label in BUYER_LABELS.items() if label == row["buyer_type"])
        expected = buyers.get(value, lm.money([]))
        assert (row["sales_fen"], row["refunds_fen"], row["net_fen"]) == (
            expected["sales"],
            expected["refunds"],
            expected["net"],
        )

    # Channels (the rule of sales_channels.selectors.channel_of, applied here to the facts):
    # an offline point's order says its own; an institution's purchase is 单位采购, else a
    # live event's line 直播带货, else 线上商城.
    def channel(f) -> str:
        if f.channel:
            return f.channel
        return "institutional" if f.buyer_type != "individual" else "live" if f.event_id else "online"

    channels = lm.by(chosen, channel)
    for row in t["channels"]["rows"]:
        expected = channels.get(CHANNEL_LABELS[row["channel"]], lm.money([]))
        assert (row["sales_fen"], row["refunds_fen"], row["net_fen"]) == (
            expected["sales"],
            expected["refunds"],
            expected["net"],
        ), row["channel"]
    assert t["channels"]["total"]["net_fen"] == m["net"]
    # No pairing in this world: everything is outside any.
    assert [(row["pairing"], row["net_fen"]) for row in t["pairings"]["rows"]] == [("不属于结对帮扶", m["net"])]

    shops = lm.by(certified, lambda f: f.shop)
    assert {row["shop"]: row["net_fen"] for row in t["shops"]["rows"]} == {name: v["net"] for name, v in shops.items()}
    products = lm.by([f for f in chosen if f.certified], lambda f: f.product)
    assert {row["product"]: (row["sales_fen"], row["net_fen"]) for row in t["products"]["rows"]} == {
        title: (v["sales"], v["net"]) for title, v in products.items()
    }
    nets = [row["net_fen"] for row in t["products"]["rows"]]
    assert nets == sorted(nets, reverse=True)
    uncertified = lm.by([f for f in chosen if not f.certified], lambda f: f.product)
    assert {row["product"]: (row["sales_fen"], row["refunds_fen"]) for row in t["uncertified"]["rows"]} == {
        title: (v["u_sales"], v["u_refunds"]) for title, v in uncertified.items()
    }
    assert t["uncertified"]["total"]["net_fen"] == m["u_net"]
    return chosen


def event_cells(chosen, event_ids: set[int] | None, exclude: set[int] = frozenset()) -> dict[str, int]:
    out = {}
    for kind in ("in_live", "post_live", "window"):
        picked = [
            f
            for f in chosen
            if f.certified
            and f.event_id
            and f.attribution == kind
            and (event_ids is None or f.event_id in event_ids)
            and f.event_id not in exclude
        ]
        out[f"{kind}_sales_fen"] = sum(f.amount for f in picked if f.kind == "sale")
        out[f"{kind}_net_fen"] = sum(f.amount for f in picked)
    return out


def test_county_officer_sees_exact_figures_for_every_period_kind(report_world, client):
    w = report_world
    client.force_login(w.officer_a)
    facts = lm.facts()
    assert {f.day for f in facts} >= {dt.date(YEAR, 3, 31), dt.date(YEAR, 4, 1)}
    cases = [
        {"period": "year", "date": f"{YEAR}-07-01"},
        {"period": "quarter", "date": f"{YEAR}-02-14"},
        {"period": "month", "date": f"{YEAR}-03-31"},
        {"period": "month", "date": f"{YEAR}-04-30"},
        {"period": "week", "date": f"{YEAR}-04-01"},
        {"period": "day", "date": f"{YEAR}-03-31"},
        {"period": "day", "date": f"{YEAR}-04-01"},
        {"period": "custom", "start": f"{YEAR}-01-15", "end": f"{YEAR}-04-10"},
        {"period": "custom", "start": f"{YEAR}-02-10", "end": f"{YEAR + 1}-01-31"},
        # A whole year (year rows) between partial months (day rows) of the years around it.
        {"period": "custom", "start": f"{YEAR - 1}-12-20", "end": f"{YEAR + 1}-01-05"},
    ]
    for params in cases:
        data = fetch(client, **params)
        assert data["filters"]["region"] == "371722"
        assert_matches(data, facts, region="371722")

    # The two sales either side of midnight land on their own Asia/Shanghai days.
    march_31 = fetch(client, period="day", date=f"{YEAR}-03-31")["tables"]["summary"]["rows"]
    april_1 = fetch(client, period="day", date=f"{YEAR}-04-01")["tables"]["summary"]["rows"]
    assert summary(march_31)["消费帮扶净额"] == 2 * w.tea.price_fen
    assert summary(april_1)["消费帮扶净额"] == 5 * w.canned.price_fen
    # ISO week: Monday to Sunday around 1 April.
    week = fetch(client, period="week", date=f"{YEAR}-04-01")["filters"]
    monday = dt.date(YEAR, 4, 1) - dt.timedelta(days=dt.date(YEAR, 4, 1).isoweekday() - 1)
    assert (week["start"], week["end"]) == (monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat())


def test_drilling_down_from_the_city_to_a_village(report_world, client):
    w = report_world
    client.force_login(w.officer_city)
    facts = lm.facts()
    year = {"period": "year", "date": f"{YEAR}-01-01"}
    city = fetch(client, **year)
    assert city["filters"]["region"] == "3717"
    assert_matches(city, facts, region="3717")
    assert {row["code"] for row in city["tables"]["regions"]["rows"]} >= {"371722", "371723"}

    for code in ("371722", "371722100", w.village_a.code, "371722102"):
        data = fetch(client, **year, region=code)
        assert data["filters"]["region"] == code
        assert_matches(data, facts, region=code)

    # At the county, the producer registered at county level is its own row.
    county = fetch(client, **year, region="371722")
    own = next(row for row in county["tables"]["regions"]["rows"] if row["code"] == "371722")
    assert own["region"] == "单县（本级生产主体）" and own["net_fen"] == 5 * w.canned.price_fen
    # A village is the bottom: the region table is the village itself.
    village = fetch(client, **year, region=w.village_a.code)
    assert [row["code"] for row in village["tables"]["regions"]["rows"]] == [w.village_a.code]


def test_filters_by_category_producer_kind_and_buyer_type(report_world, client):
    w = report_world
    client.force_login(w.officer_city)
    facts = lm.facts()
    year = {"period": "year", "date": f"{YEAR}-01-01"}
    for filters in (
        {"category": "fruit-vegetables"},
        {"category": "roots-tubers"},
        {"category": "grain-oil"},
        {"producer_kind": "workshop"},
        {"producer_kind": "enterprise"},
        {"buyer_type": "budget_unit"},
        {"buyer_type": "union", "category": "fruit-vegetables"},
    ):
        data = fetch(client, **year, **filters)
        assert_matches(data, facts, region="3717", **filters)


def test_households_benefited_are_distinct_and_positive_over_any_range(report_world, client):
    """Distinct households are not additive over days: whole months come from month
    rows and the partial months at either end from day rows. A household whose only
    entries in the range are reversals does not count."""
    w = report_world
    client.force_login(w.officer_a)
    facts = lm.facts()
    for start, end in [
        (f"{YEAR}-01-01", f"{YEAR}-12-31"),
        (f"{YEAR}-01-06", f"{YEAR}-03-09"),
        (f"{YEAR}-02-11", f"{YEAR}-04-30"),
        (f"{YEAR}-04-15", f"{YEAR}-04-15"),  # the refund day: negative for the households
        (f"{YEAR}-06-18", f"{YEAR}-06-20"),  # a sale and its full refund: nobody benefited
        (f"{YEAR}-03-31", f"{YEAR}-04-01"),
        (f"{YEAR - 1}-12-31", f"{YEAR + 1}-01-01"),
        (f"{YEAR}-01-01", f"{YEAR}-12-30"),
    ]:
        data = fetch(client, period="custom", start=start, end=end)
        s = summary(data["tables"]["summary"]["rows"])
        chosen = lm.select(facts, dt.date.fromisoformat(start), dt.date.fromisoformat(end), "371722")
        assert (s["受益帮扶户（期间净收入大于零）"], s["受益帮扶户收入合计"]) == lm.benefited(chosen), (start, end)
    refund_day = summary(fetch(client, period="day", date=f"{YEAR}-04-15")["tables"]["summary"]["rows"])
    assert refund_day["其中：帮扶户收入"] < 0 and refund_day["受益帮扶户（期间净收入大于零）"] == 0
    window = summary(
        fetch(client, period="custom", start=f"{YEAR}-06-18", end=f"{YEAR}-06-20")["tables"]["summary"]["rows"]
    )
    assert window["消费帮扶净额"] == 0 and window["受益帮扶户（期间净收入大于零）"] == 0


def test_uncertified_sales_are_shown_apart_and_never_counted(report_world, client):
    w = report_world
    client.force_login(w.officer_a)
    data = fetch(client, period="month", date=f"{YEAR}-05-01")
    s = summary(data["tables"]["summary"]["rows"])
    assert s["消费帮扶净额"] == 0 and s["受益帮扶户（期间净收入大于零）"] == 0
    assert s["未认定产品销售额（不计入消费帮扶）"] == 3 * w.noodles.price_fen
    assert s["未认定产品退款冲减"] == -w.noodles.price_fen
    assert data["tables"]["products"]["rows"] == []
    assert [row["product"] for row in data["tables"]["uncertified"]["rows"]] == ["红薯粉皮"]
    assert data["tables"]["summary"]["rows"][-1] == {"item": "本期撤销", "amount_fen": None, "count": 1}


def test_events_table_and_timeline_markers(report_world, client):
    w = report_world
    client.force_login(w.officer_a)
    facts = lm.facts()
    data = fetch(client, period="year", date=f"{YEAR}-01-01")
    chosen = lm.select(facts, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), "371722")
    # Events run in county A, in start order, marked on the timeline on their start day.
    assert [(e["title"], e["date"]) for e in data["events"]] == [
        ("单县山药直播节", f"{YEAR}-03-10"),
        ("单县商务局助农直播", f"{YEAR}-06-18"),
    ]
    timeline = {row["day"]: row["events"] for row in data["tables"]["timeline"]["rows"]}
    assert timeline[f"{YEAR}-03-10"] == "单县山药直播节" and timeline[f"{YEAR}-03-12"] == ""
    rows = {row["event"]: row for row in data["tables"]["events"]["rows"]}
    assert set(rows) == {"单县山药直播节", "单县商务局助农直播", "其他地区主办的直播活动"}
    for title in ("单县山药直播节", "单县商务局助农直播"):
        event = LiveEvent.objects.get(title=title)
        expected = event_cells(chosen, {event.pk})
        assert {k: rows[title][k] for k in expected} == expected
    # County A's yam sold through county B's event: counted, but the event is not named.
    elsewhere = event_cells(chosen, None, exclude={w.event_a.pk, w.event_region.pk})
    assert {k: rows["其他地区主办的直播活动"][k] for k in elsewhere} == elsewhere
    assert elsewhere["in_live_sales_fen"] == w.yam.price_fen
    # In-live, post-live and window are kept apart; the window sale was refunded in full.
    assert rows["单县商务局助农直播"]["window_sales_fen"] == 3 * w.tea.price_fen
    assert rows["单县商务局助农直播"]["window_net_fen"] == 0
    assert rows["单县山药直播节"]["post_live_net_fen"] == w.yam.price_fen


def test_reserved_shares_of_the_budget_units_in_the_region_ranked_by_completion(report_world, client, clock):
    """The section lists the budget units located in the selected region with their quota
    of the year and what they spent, recomputed here from order and refund lines: every
    certified line of the orders recorded as the unit's (from anywhere: 成武县教育局 bought
    county A's yam too), refunds deducted, the year's last minute in; the most complete
    first, a unit without a quota last, a union not at all; an order with the unit's tax ID
    typed in by someone else is not the unit's."""
    w = report_world
    _buy(w.ledger, clock, at(12, 30), [(w.yam, 50)], buyer_type="budget_unit", organisation_name="冒名", tax_id=UNIT_1)
    clock.set(at(12, 31, 23, 59) + dt.timedelta(minutes=30))
    client.force_login(w.officer_city)
    data = fetch(client, period="month", date=f"{YEAR}-12-01")
    table = data["tables"]["reserved_shares"]
    shan = lm.unit_spent_from_lines(UNIT_1, YEAR)
    chengwu = lm.unit_spent_from_lines(UNIT_2, YEAR)
    assert shan == (10 - 4 + 5) * w.yam.price_fen + 4 * w.tea.price_fen
    assert chengwu == 3 * w.oil.price_fen + 2 * w.yam.price_fen
    assert [
        (r["rank"], r["unit"], r["credit_code"], r["region"], r["reserved_fen"], r["spent_fen"], r["completion"])
        for r in table["rows"]
    ] == [
        (1, "成武县教育局", UNIT_2, "山东省 菏泽市 成武县", UNIT_2_RESERVED_FEN, chengwu, lm.bp_text(chengwu, 200_000)),
        (2, "单县财政局", UNIT_1, "山东省 菏泽市 单县", UNIT_1_RESERVED_FEN, shan, lm.bp_text(shan, 500_000)),
        (3, "单县教育局", UNIT_3, "山东省 菏泽市 单县", None, 0, None),
    ]
    assert table["total"]["reserved_fen"] == UNIT_1_RESERVED_FEN + UNIT_2_RESERVED_FEN
    assert table["total"]["spent_fen"] == shan + chengwu
    assert table["title"] == f"{YEAR}年预算单位预留份额完成情况"

    # The same rows in the CSV and on the page, in yuan; the county's officer sees its own units.
    client.force_login(w.officer_a)
    params = {"period": "year", "date": f"{YEAR}-06-01"}
    response = client.get(reverse("reports_admin:export_table", args=["reserved_shares", "csv"]), params)
    csv_rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert csv_rows[1:] == [
        ["1", "单县财政局", UNIT_1, "山东省 菏泽市 单县", "5000.00", yuan_text(shan), lm.bp_text(shan, 500_000)],
        ["2", "单县教育局", UNIT_3, "山东省 菏泽市 单县", "", "0.00", ""],
        ["合计", "", "", "", "5000.00", yuan_text(shan), ""],
    ]
    page = client.get(reverse("reports_admin:dashboard"), params).content.decode()
    assert "单县财政局" in page and f"{shan // 100:,}.{shan % 100:02d}" in page and "成武县教育局" not in page


def yuan_text(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def test_whole_event_figures_only_for_events_run_within_the_jurisdiction(report_world, client):
    """Viewers, conversion and the whole event's attributed net come from the live app's
    results, for events whose region lies in the officer's jurisdiction; a shops' event
    without such a region (or one reaching outside) shows only this report's own sales."""
    from live_results.selectors import events_results

    w = report_world
    LiveEvent.objects.filter(pk=w.event_region.pk).update(manual_peak_viewers=29_700, manual_total_views=297_000)
    client.force_login(w.officer_a)
    rows = {r["event"]: r for r in fetch(client, period="year", date=f"{YEAR}-01-01")["tables"]["events"]["rows"]}

    whole = events_results([LiveEvent.objects.get(pk=w.event_region.pk)])[w.event_region.pk]
    region_row = rows["单县商务局助农直播"]
    assert (region_row["peak_viewers"], region_row["total_views"]) == (29_700, 297_000)
    assert region_row["conversion_percent"] == str(whole.conversion_percent)
    assert region_row["event_attributed_net_fen"] == whole.attributed.net_fen
    for title in ("单县山药直播节", "其他地区主办的直播活动"):
        assert [rows[title][k] for k in ("peak_viewers", "total_views", "conversion_percent")] == [None] * 3
        assert rows[title]["event_attributed_net_fen"] is None
