"""Charts that tell the truth: beside each chart of the report (dashboard and printable view)
a 数据表 lists the very rows the chart draws, and each region's name sits beside its own
figure — the ledger's, to the fen. (The browser test draws the bars and reads ECharts'
own labels: tests/browser/test_public_pages_browser.py.)"""

from decimal import Decimal
from html.parser import HTMLParser

import pytest

from core.money import yuan
from producers.models import Region

from . import ledger_math as lm
from .conftest import YEAR
from .test_admin_views import YEAR_PARAMS, chart_data

pytestmark = pytest.mark.django_db


class _ChartTables(HTMLParser):
    """The rows (header cell first) of each <table data-chart-table="..."> on the page."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._key = self._row = self._cell = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-chart-table"):
            self._key = attrs["data-chart-table"]
            self.tables[self._key] = []
        elif self._key and tag == "tbody":
            self._in_body = True
        elif self._key and self._in_body and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._key, self._in_body = None, False
        elif self._cell is not None and tag in ("td", "th"):
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif self._row is not None and tag == "tr":
            self.tables[self._key].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def chart_tables(html: str) -> dict[str, list[list[str]]]:
    parser = _ChartTables()
    parser.feed(html)
    return parser.tables


def as_yuan(value: str) -> str:
    """A chart's figure ('3923.60', yuan) as the page shows money ('¥3,923.60')."""
    return yuan(int(Decimal(value) * 100))


@pytest.mark.parametrize("url", ["/admin/reports/", "/admin/reports/print/"])
def test_each_township_bar_and_its_table_row_carry_its_own_ledger_figure(report_world, client, url):
    client.force_login(report_world.officer_a)
    response = client.get(url, YEAR_PARAMS)
    assert response.status_code == 200
    html = response.content.decode()
    charts, tables = chart_data(html), chart_tables(html)
    # The dashboard's timeline can be stacked by sales channel: its data table is there too.
    stacked = {"timeline_channels"} if url == "/admin/reports/" else set()
    assert set(tables) == {"timeline", "regions", "categories", *stacked}
    assert html.count("<summary>数据表") == 3 + len(stacked)

    # The county's townships, from the ledger: name -> net fen (certified sales less refunds).
    chosen = lm.select(lm.facts(), lm.dt.date(YEAR, 1, 1), lm.dt.date(YEAR, 12, 31), "371722")
    # (Producers registered at the county itself have a row of their own: left out here.)
    by_code = {code: f for code, f in lm.by(chosen, lambda f: f.region[:9]).items() if len(code) == 9}
    names = dict(Region.objects.filter(code__in=by_code).values_list("code", "name"))
    expected = {names[code]: figures["net"] for code, figures in by_code.items()}
    assert len(expected) == 2 and len(set(expected.values())) == 2  # two townships, two different figures

    bars = [(bar["name"], bar["value"]) for bar in charts["regions"]]
    rows = [tuple(row) for row in tables["regions"]]
    # The table lists exactly the chart's bars, in the chart's order, each name with its own value ...
    assert rows == [(name, as_yuan(value)) for name, value in bars]
    # ... and that value is the township's own figure in the ledger, not a neighbour's.
    for name, net_fen in expected.items():
        assert dict(bars)[name] == f"{Decimal(net_fen) / 100:.2f}", name
        assert dict(rows)[name] == yuan(net_fen), name
    assert sum(int(Decimal(value) * 100) for _, value in bars) == lm.money(chosen)["net"]

    # The other two charts: the same pairing, day by day and category by category.
    timeline = charts["timeline"]
    assert [row[:2] for row in tables["timeline"]] == [
        [day, as_yuan(net)] for day, net in zip(timeline["days"], timeline["net"], strict=True)
    ]
    assert [tuple(row) for row in tables["categories"]] == [
        (c["name"], as_yuan(c["value"])) for c in charts["categories"]
    ]
    if stacked:  # each channel's area, day by day, as its table lists it
        series = timeline["channels"]
        assert [row[1:-1] for row in tables["timeline_channels"]] == [
            [as_yuan(s["data"][i]) for s in series] for i in range(len(timeline["days"]))
        ]


def test_the_printed_report_opens_the_region_and_category_tables(report_world, client):
    client.force_login(report_world.officer_a)
    html = client.get("/admin/reports/print/", YEAR_PARAMS).content.decode()
    # Regions and categories; the report's own daily table follows on paper anyway.
    assert html.count('<details class="chart-data" open>') == 2
