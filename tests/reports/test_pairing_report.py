"""A pairing's own report (/admin/channels/pairings/<id>/report/): the bureaus of both sides
(济南, the helping city; 单县, the helped county) read the same figures, which equal a sum
over the order lines and refunds computed here — by the pairing's rule written out again,
not read from the ledger or the summaries — to the fen, month by month on Asia/Shanghai
days and category by category; a third county's bureau and an operator get a 404; the
page and its exports cost the same queries for more sales. And the report's timeline
stacked by sales channel adds up to the plain one, day by day."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.models import Product
from certification.models import Certificate
from orders.models import AddressRegion, OrderLine
from payments import services as payments
from payments.models import Refund, RefundLine
from producers.models import Region
from sales_channels.models import Pairing, PairingKind
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    RegionFactory,
    officer_for,
    place_order_for,
    valid_credit_code,
)
from tests.worlds import refund_lines

from .conftest import _buy
from .screen import csv_rows, number, page_tables, xlsx_sheets
from .test_admin_views import chart_data

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR = 2026
JINAN_DISTRICT = "370102"  # 历下区: a 济南 buyer's delivery county


def at(month, day, hour=10, minute=0, year=YEAR) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def address(code: str) -> AddressRegion:
    return AddressRegion.objects.filter(code=code).order_by("-level").first()


def line_of(order, product) -> OrderLine:
    return OrderLine.objects.get(suborder__order=order, product=product)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(ledger_world, clock):
    """济南市 helps 单县 (东西部协作, since 1 January). Sold in the year, to 济南 buyers unless
    said: yam ×3 at 23:30 on 31 March, one refunded on 2 April; yam ×1 at 00:30 on 1 May
    (still 30 April in UTC); noodles of the yam's sub-category ×2 in June; noodles ×3 in
    July after their certificate was revoked (not consumption support), one refunded; and
    outside the pairing: 成武's oil to 济南, yam to a 单县 buyer."""
    w = ledger_world
    shandong = Region.objects.get(code="37")
    jinan = RegionFactory(code="3701", name="济南市", level=Region.Level.CITY, parent=shandong, is_official=True)
    w.officer_jinan = officer_for(jinan, username="officer-jinan")
    noodles_category = CategoryFactory(slug="noodles", name="粉条", parent=w.yam.category)
    w.noodles = ProductFactory(
        shop=w.shop_a, producer=w.coop, category=noodles_category, title="单县红薯粉条", price_fen=2590, stock=500
    )
    Certificate.objects.update(valid_from=dt.date(YEAR - 1, 1, 1), valid_until=dt.date(YEAR + 1, 12, 31))
    clock.set(at(1, 2))
    w.pairing = Pairing.objects.create(
        kind=PairingKind.EAST_WEST,
        name="东西部协作 济南市—单县",
        helping_region=address("3701"),
        helped_region=address("371722"),
        valid_from=dt.date(YEAR, 1, 1),
    )
    jinan_buyer = {"ship_region": address(JINAN_DISTRICT)}
    w.clock = clock
    march = _buy(w, clock, at(3, 31, 23, 30), [(w.yam, 3)], **jinan_buyer)
    clock.set(at(4, 2))
    refund_lines(w, march, {line_of(march, w.yam): 1})
    _buy(w, clock, at(5, 1, 0, 30), [(w.yam, 1)], **jinan_buyer)
    _buy(w, clock, at(6, 10), [(w.noodles, 2)], **jinan_buyer)
    _buy(w, clock, at(6, 10, 11), [(w.oil, 2)], **jinan_buyer)  # 成武's oil: not under the pairing
    _buy(w, clock, at(6, 10, 12), [(w.yam, 2)])  # a 单县 buyer: not under the pairing
    # Ordered while certified; the certificate revoked before the money came.
    clock.set(at(7, 15, 9, 55))
    pending = place_order_for([(w.noodles, 3)], **jinan_buyer)
    Certificate.objects.filter(product=w.noodles).update(revoked_at=at(7, 15, 10), revoke_reason="抽检不合格")
    clock.set(at(7, 15, 10, 10))
    payments.record_transfer_receipt(pending.pk, amount_fen=pending.total_fen, reference="BANK-NOODLES", by=w.admin)
    clock.set(at(7, 20))
    refund_lines(w, pending, {line_of(pending, w.noodles): 1})
    clock.set(at(12, 1))
    return w


def recomputed(year: int) -> tuple[dict, dict]:
    """From the order lines and the confirmed refunds alone: the lines of 单县 products
    delivered to 济南 (the pairing's rule), by Asia/Shanghai month of payment (of refund
    confirmation) and by top-level category, as (certified sales, certified refunds,
    uncertified sales, uncertified refunds) in fen."""
    months: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    categories: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])

    def under_pairing(line) -> bool:
        return line.suborder.order.ship_region_code.startswith("3701") and line.product.producer.region.code.startswith(
            "371722"
        )

    def top(line) -> str:
        category = line.product.category
        return (category.parent or category).name

    lines = OrderLine.objects.filter(paid_at__isnull=False).select_related(
        "suborder__order", "product__producer__region", "product__category__parent"
    )
    for line in lines:
        when = line.paid_at.astimezone(SHANGHAI)
        if under_pairing(line) and when.year == year:
            i = 0 if line.certified_at_payment else 2
            months[when.month][i] += line.unit_price_fen * line.quantity
            categories[top(line)][i] += line.unit_price_fen * line.quantity
    refunds = RefundLine.objects.filter(refund__status=Refund.Status.CONFIRMED).select_related(
        "refund", "line__suborder__order", "line__product__producer__region", "line__product__category__parent"
    )
    for refunded in refunds:
        when = refunded.refund.confirmed_at.astimezone(SHANGHAI)
        if under_pairing(refunded.line) and when.year == year:
            i = 1 if refunded.line.certified_at_payment else 3
            months[when.month][i] -= refunded.amount_fen
            categories[top(refunded.line)][i] -= refunded.amount_fen
    return dict(months), dict(categories)


def report_url(w, year=YEAR) -> str:
    return f"/admin/channels/pairings/{w.pairing.pk}/report/?year={year}"


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def expected_cells(bucket) -> list:
    """A row's money cells (sales, refunds, net, uncertified net, all net) as the exports
    write them (the share column is left out)."""
    sales, refunds, u_sales, u_refunds = bucket
    return [yuan(sales), yuan(refunds), yuan(sales + refunds), yuan(u_sales + u_refunds)] + [
        yuan(sales + refunds + u_sales + u_refunds)
    ]


def money_cells(row) -> list:
    cells = [number(c) for c in row[1:]]
    return cells[:3] + cells[4:]  # without the share (%)


def test_both_sides_read_the_same_figures_equal_to_the_order_lines_less_refunds(world):
    w = world
    months, categories = recomputed(YEAR)
    # The independent sum holds what the world sold under the pairing, to the fen:
    # March is the 23:30 sale of 31 March, May the 00:30 sale of 1 May (30 April in UTC).
    assert months == {
        3: [3 * 3880, 0, 0, 0],
        4: [0, -3880, 0, 0],
        5: [3880, 0, 0, 0],
        6: [2 * 2590, 0, 0, 0],
        7: [0, 0, 3 * 2590, -2590],
    }
    pages, csvs = [], []
    for officer in (w.officer_jinan, w.officer_a):  # the helping side's bureau and the helped side's
        client = signed_in(officer)
        response = client.get(report_url(w))
        assert response.status_code == 200, officer.username
        html = response.content.decode()
        assert "东西部协作" in html and "山东省 济南市 → 山东省 菏泽市 单县" in html
        assert f'<option value="{YEAR}" selected>' in html
        pages.append(page_tables(html))
        csvs.append(
            [
                csv_rows(
                    b"".join(
                        client.get(
                            f"/admin/channels/pairings/{w.pairing.pk}/report/{t}.csv", {"year": YEAR}
                        ).streaming_content
                    )
                )
                for t in ("months", "categories")
            ]
        )
    assert pages[0] == pages[1] and csvs[0] == csvs[1]

    tables = pages[0]
    month_rows = tables["months"]["body"]
    assert [row[0] for row in month_rows] == [f"{YEAR}-{m:02d}" for m in range(1, 13)]  # zero months shown
    for month, row in enumerate(month_rows, start=1):
        assert money_cells(row) == expected_cells(months.get(month, [0, 0, 0, 0])), month
    total = [sum(b[i] for b in months.values()) for i in range(4)]
    assert money_cells(tables["months"]["foot"][0]) == expected_cells(total)

    by_name = {row[0]: money_cells(row) for row in tables["categories"]["body"]}
    # The noodles' sub-category rolls up into the yam's category; the oil's (成武) is listed with zeros.
    assert by_name[w.yam.category.name] == expected_cells(categories[w.yam.category.name])
    assert by_name[w.oil.category.name] == expected_cells([0, 0, 0, 0])
    assert money_cells(tables["categories"]["foot"][0]) == expected_cells(total)

    summary = {row[0]: number(row[1]) for row in tables["summary"]["body"]}
    assert summary["消费帮扶净额"] == yuan(3 * 3880 - 3880 + 3880 + 2 * 2590)
    assert summary["未认定产品净额（不计入消费帮扶）"] == yuan(2 * 2590)

    # The exports carry the screen's figures.
    months_csv, categories_csv = csvs[0]
    assert [money_cells(r) for r in months_csv[1:13]] == [money_cells(r) for r in month_rows]
    assert money_cells(months_csv[13]) == expected_cells(total)
    assert {r[0]: money_cells(r) for r in categories_csv[1:-1]} == by_name
    client = signed_in(w.officer_jinan)
    sheets = xlsx_sheets(client.get(f"/admin/channels/pairings/{w.pairing.pk}/report/report.xlsx").content)
    assert list(sheets) == ["主要指标", "按月份", "按品类"]
    march = next(r for r in sheets["按月份"] if r[0] == f"{YEAR}-03")
    assert [number(c) for c in march[1:4]] == [yuan(3 * 3880), yuan(0), yuan(3 * 3880)]
    xlsx = client.get(f"/admin/channels/pairings/{w.pairing.pk}/report/months.xlsx", {"year": YEAR})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")

    # Figures only: no buyer, household or shop is named.
    html = signed_in(w.officer_jinan).get(report_url(w)).content.decode()
    for private in ("王芳", "13812345678", w.zhang.head_name, w.shop_a.name):
        assert private not in html


def test_a_third_county_an_operator_and_a_bad_year_are_refused(world):
    w = world
    for user in (w.officer_b, w.operator_a):  # 成武县's bureau; a shop operator of 单县
        client = signed_in(user)
        assert client.get(report_url(w)).status_code == 404, user.username
        assert client.get(f"/admin/channels/pairings/{w.pairing.pk}/report/months.csv").status_code == 404
        assert client.get(f"/admin/channels/pairings/{w.pairing.pk}/report/report.xlsx").status_code == 404
    assert signed_in(w.buyer).get(report_url(w)).status_code in (302, 403, 404)
    assert Client().get(report_url(w)).status_code == 302  # to the admin's sign-in
    # The pairing's years run from its first; another year is refused with the years it has.
    response = signed_in(w.officer_a).get(report_url(w, YEAR - 1))
    assert response.status_code == 400 and str(YEAR) in response.content.decode()
    assert signed_in(w.admin).get(report_url(w)).status_code == 200


def test_the_pairing_pages_and_the_reports_pairing_row_link_to_it(world):
    w = world
    client = signed_in(w.officer_a)
    link = f"/admin/channels/pairings/{w.pairing.pk}/report/"
    assert link in client.get("/admin/channels/pairings/").content.decode()
    assert link in client.get(f"/admin/channels/pairings/inspect/{w.pairing.pk}/").content.decode()
    html = client.get("/admin/reports/", {"period": "year", "date": f"{YEAR}-01-01"}).content.decode()
    assert f'<a href="{link}?year={YEAR}">东西部协作 济南市—单县</a>' in html


def test_the_report_costs_the_same_queries_for_more_sales(world):
    w = world
    client = signed_in(w.officer_jinan)
    base = f"/admin/channels/pairings/{w.pairing.pk}/report/"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(base, {"year": YEAR}).status_code == 200
            for table in ("summary", "months", "categories"):
                for fmt in ("csv", "xlsx"):
                    response = client.get(f"{base}{table}.{fmt}", {"year": YEAR})
                    assert response.status_code == 200
                    if response.streaming:
                        b"".join(response.streaming_content)
            assert client.get(f"{base}report.xlsx", {"year": YEAR}).status_code == 200
        return len(queries)

    one = count()
    more_products = [
        ProductFactory(shop=w.shop_a, producer=w.coop, category=CategoryFactory(), price_fen=1000 + i) for i in range(4)
    ]
    Certificate.objects.update(valid_from=dt.date(YEAR - 1, 1, 1), valid_until=dt.date(YEAR + 1, 12, 31))
    for i, product in enumerate(more_products):  # four more sales, in four more months and categories
        _buy(w, w.clock, at(8 + i, 3), [(product, 1), (w.yam, 1)], ship_region=address(JINAN_DISTRICT))
    w.clock.set(at(12, 1))
    assert Product.objects.count() >= 7
    assert count() == one
    response = client.get(base, {"year": YEAR})
    assert len(page_tables(response.content.decode())["categories"]["body"]) >= 6


def test_the_timeline_stacked_by_channel_adds_up_to_the_timeline(world):
    w = world
    # A budget unit's order in the pairing's county: a second channel (单位采购) on 10 June.
    _buy(
        w,
        w.clock,
        at(6, 10, 15),
        [(w.yam, 2)],
        buyer_type="budget_unit",
        organisation_name="单县财政局",
        tax_id=valid_credit_code(),
    )
    client = signed_in(w.officer_a)
    params = {"period": "year", "date": f"{YEAR}-01-01"}
    tables = client.get("/api/reports/", params).json()["tables"]
    plain, stacked = tables["timeline"], tables["timeline_channels"]
    channels = [c["key"] for c in stacked["columns"][1:-1]]
    assert channels == [
        f"{c}_net_fen" for c in ("online", "live", "institutional", "cabinet", "pavilion", "zone", "other")
    ]
    assert len(stacked["rows"]) == len(plain["rows"]) == 365
    for day, by_channel in zip(plain["rows"], stacked["rows"], strict=True):
        assert by_channel["day"] == day["day"]
        assert sum(by_channel[c] for c in channels) == by_channel["net_fen"] == day["net_fen"], day["day"]
    june = next(r for r in stacked["rows"] if r["day"] == f"{YEAR}-06-10")
    assert (june["online_net_fen"], june["institutional_net_fen"]) == (2 * 2590 + 2 * 3880, 2 * 3880)
    assert stacked["total"]["net_fen"] == plain["total"]["net_fen"]

    # The page: the plain chart by default, the stacked series beside it, the same figures.
    html = client.get("/admin/reports/", params).content.decode()
    data = chart_data(html)["timeline"]
    assert [s["name"] for s in data["channels"]] == [
        "线上商城",
        "直播带货",
        "单位采购",
        "消费帮扶专柜",
        "消费帮扶专馆",
        "消费帮扶专区",
        "其他渠道",
    ]
    for i, net in enumerate(data["net"]):
        assert sum(Decimal(s["data"][i]) for s in data["channels"]) == Decimal(net)
    assert 'id="timeline-stack"' in html and "按销售渠道堆叠" in html
    assert 'data-table="timeline_channels"' not in html  # no second 365-row table on the page
    csv = client.get("/admin/reports/export/timeline_channels.csv", params)
    rows = csv_rows(b"".join(csv.streaming_content))
    assert number(next(r for r in rows if r[0] == f"{YEAR}-06-10")[3]) == yuan(2 * 3880)
