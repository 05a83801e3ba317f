"""Reads of the consumption-support report. Every figure comes from the summary tables
(``models.py``) or, for certificates and live events, from those small tables; nothing
here reads order lines or ledger entries. Two sections are another app's figures, asked
of that app's selectors so that each rule stays in one place: the whole-event results of
live events (``live_results.selectors.events_results``) and the budget units' reserved
shares (``procurement.selectors.units_ranked``).

``build_report(filters)`` returns the whole report as ``ReportTable``s: one row model
that the admin page, the printable view, the CSV/XLSX exports and the JSON endpoint all
render, so an export always has the numbers the screen has. Money is integer fen.

Definitions (README, "Reports"):

* **consumption-support volume**: paid value of lines whose product held a valid
  certificate at payment, net of refunds (sales + reversals), placed at the producer's
  region, booked on the Asia/Shanghai day of payment (reversals: of refund confirmation);
* sales of products **not certified** at payment are shown apart and never added in;
* **income** to households, village collectives and producers: the ledger's split of
  that net volume (the three add up to it);
* **households benefited**: distinct households with positive net income from the
  in-scope entries of the period; their **average income** is their net income divided
  by their number (rounded half up to the fen).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category, Product
from certification.models import Certificate
from live.models import LiveAttribution, LiveEvent, Platform
from live_results.selectors import events_results
from orders.models import BuyerType
from procurement.selectors import units_ranked
from producers.models import Producer, Region
from sales_channels.models import OFFLINE_CHANNELS, Channel, Pairing

from .filters import ReportFilters
from .models import ChannelSummary, Grain, HouseholdIncome, ProductSalesSummary, SalesSummary, TracedSummary
from .periods import EARLIEST, LATEST, Period, nearest_pairing_year, split

TOP_N = 20


# --- the row model ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | money (fen) | count | percent (Decimal, one place) | date


@dataclass
class ReportTable:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    total: list | None = None  # a footer row, labelled in its first cell
    note: str = ""
    links: list[dict | None] = field(default_factory=list)  # per row: query changes to drill down (screen only)


@dataclass
class Report:
    filters: ReportFilters
    tables: dict[str, ReportTable]
    breadcrumbs: list[Region]
    children: list[Region]
    events: list[dict]  # live events started in the period, for the timeline markers
    generated_at: dt.datetime

    @property
    def title(self) -> str:
        place = self.filters.region.name if self.filters.region else _("全国")
        return _("%(place)s消费帮扶报表") % {"place": place} + f" · {self.filters.period.label}"


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, one decimal place, rounded half up; None for 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def average_fen(total: int, count: int) -> int | None:
    """``total`` / ``count`` rounded half up to the fen (exact integer arithmetic)."""
    if not count:
        return None
    quotient, remainder = divmod(total, count)
    return quotient + (1 if 2 * remainder >= count else 0)


# --- shared filters and sums ------------------------------------------------------------------------------------------

CERTIFIED = Q(certified=True)
UNCERTIFIED = Q(certified=False)


def period_q(start: dt.date, end: dt.date) -> Q:
    """The summary rows that make up the Asia/Shanghai days ``start`` to ``end`` (both
    inclusive): whole years, whole months, then days."""
    q = Q(pk__in=[])
    for grain, first, last in split(start, end):
        q |= Q(grain=grain, day__gte=first, day__lte=last)
    return q


def _periods_q(f: ReportFilters) -> Q:
    return period_q(f.period.start, f.period.end)


def _dimensions_q(
    f: ReportFilters,
    *,
    region_code: str = "region_code",
    category_id: str = "category_id",
    producer_kind: str = "producer_kind",
    buyer_type: str = "buyer_type",
) -> Q:
    """The report's filters other than the period, on a summary row's columns — or, given
    other lookup paths, on another model's."""
    q = Q()
    if f.region_code:
        q &= Q(**{f"{region_code}__startswith": f.region_code})
    if f.category_ids:
        q &= Q(**{f"{category_id}__in": f.category_ids})
    if f.producer_kind:
        q &= Q(**{producer_kind: f.producer_kind})
    if f.buyer_type:
        q &= Q(**{buyer_type: f.buyer_type})
    return q


def _summary_filter(f: ReportFilters) -> Q:
    return _periods_q(f) & _dimensions_q(f)


def _money():
    return {
        "sales": Sum("sales_fen", filter=CERTIFIED, default=0),
        "refunds": Sum("refunds_fen", filter=CERTIFIED, default=0),
        "households": Sum("household_fen", filter=CERTIFIED, default=0),
        "collectives": Sum("collective_fen", filter=CERTIFIED, default=0),
        "producers": Sum("producer_fen", filter=CERTIFIED, default=0),
        "u_sales": Sum("sales_fen", filter=UNCERTIFIED, default=0),
        "u_refunds": Sum("refunds_fen", filter=UNCERTIFIED, default=0),
    }


ZERO = {"sales": 0, "refunds": 0, "households": 0, "collectives": 0, "producers": 0, "u_sales": 0, "u_refunds": 0}


def _net(row: dict) -> int:
    return row["sales"] + row["refunds"]


def _u_net(row: dict) -> int:
    return row["u_sales"] + row["u_refunds"]


def money_columns() -> list[Column]:
    return [
        Column("sales_fen", _("消费帮扶销售额（元）"), "money"),
        Column("refunds_fen", _("退款冲减（元）"), "money"),
        Column("net_fen", _("消费帮扶净额（元）"), "money"),
        Column("share", _("占比（%）"), "percent"),
    ]


def _money_cells(row: dict, whole: int) -> list:
    return [row["sales"], row["refunds"], _net(row), percent(_net(row), whole)]


# --- the report -------------------------------------------------------------------------------------------------------


class _Inputs:
    """What several tables share, computed on first use, so that one table alone (an
    export) costs only its own queries."""

    def __init__(self, f: ReportFilters):
        self.f = f

    @cached_property
    def sales(self):
        return SalesSummary.objects.filter(_summary_filter(self.f))

    @cached_property
    def totals(self) -> dict:
        return {**ZERO, **self.sales.aggregate(**_money())}

    @property
    def net(self) -> int:
        return _net(self.totals)

    @cached_property
    def channels(self):
        return ChannelSummary.objects.filter(_summary_filter(self.f))

    @cached_property
    def events(self) -> tuple[list[dict], ReportTable]:
        return live_events(self.f)

    @cached_property
    def regions(self) -> tuple[ReportTable, list]:
        return _regions_table(self.f, self.sales, self.net)


# Every table of the report, in the order the page, the workbook and the JSON show them.
TABLE_BUILDERS = {
    "summary": lambda i: _summary_table(i.totals, *households_benefited(i.f), certificate_counts(i.f)),
    "timeline": lambda i: _timeline_table(i.f, i.events[0]),
    "timeline_channels": lambda i: timeline_channels_table(i.f),
    "regions": lambda i: i.regions[0],
    "categories": lambda i: _categories_table(i.f, i.sales, i.net),
    "producer_kinds": lambda i: _choice_table(
        "producer_kinds", _("按生产主体类型"), _("生产主体类型"), "producer_kind", Producer.Kind.choices, i.sales, i.net
    ),
    "buyer_types": lambda i: _choice_table(
        "buyer_types", _("按买家类型"), _("买家类型"), "buyer_type", BuyerType.choices, i.sales, i.net
    ),
    "channels": lambda i: _channels_table(i.f, i.channels, i.net),
    "pairings": lambda i: _pairings_table(i.f, i.channels, i.net),
    "shops": lambda i: _shops_table(i.sales, i.totals),
    "products": lambda i: _products_table(i.f, i.totals),
    "uncertified": lambda i: _uncertified_table(i.f, i.totals),
    "traced": lambda i: traced_table(i.f),
    "events": lambda i: i.events[1],
    "reserved_shares": lambda i: reserved_shares_table(i.f),
}

# Tables the page, the printable view and the whole-report workbook show only as a chart's
# data (the timeline stacked by channel: a second 365-row table); each has its own CSV/XLSX
# export and is in the JSON.
CHART_ONLY_TABLES = ("timeline_channels",)


def build_table(f: ReportFilters, key: str) -> ReportTable:
    """One table of the report (``TABLE_BUILDERS`` key), with only the queries it needs."""
    return TABLE_BUILDERS[key](_Inputs(f))


def build_report(f: ReportFilters) -> Report:
    """The whole report for ``filters`` (already checked against the viewer's jurisdiction)."""
    inputs = _Inputs(f)
    tables = {key: build(inputs) for key, build in TABLE_BUILDERS.items()}
    events, children = inputs.events[0], inputs.regions[1]
    region = f.region
    breadcrumbs: list[Region] = []
    if region is not None:
        codes = [region.code[:n] for n in (2, 4, 6, 9) if len(f.jurisdiction) <= n < len(region.code)]
        breadcrumbs = sorted(Region.objects.filter(code__in=codes), key=lambda r: len(r.code)) + [region]
    return Report(
        filters=f,
        tables=tables,
        breadcrumbs=breadcrumbs,
        children=children,
        events=events,
        generated_at=timezone.now(),
    )


def _summary_table(totals: dict, benefited: int, benefited_income: int, certificates: dict) -> ReportTable:
    rows = [
        [_("消费帮扶销售额（认定产品，付款时证书有效）"), totals["sales"], None],
        [_("退款冲减"), totals["refunds"], None],
        [_("消费帮扶净额"), _net(totals), None],
        [_("其中：帮扶户收入"), totals["households"], None],
        [_("其中：村集体收入"), totals["collectives"], None],
        [_("其中：生产主体留存"), totals["producers"], None],
        [_("受益帮扶户（期间净收入大于零）"), None, benefited],
        [_("受益帮扶户收入合计"), benefited_income, None],
        [_("受益帮扶户户均收入"), average_fen(benefited_income, benefited), None],
        [_("未认定产品销售额（不计入消费帮扶）"), totals["u_sales"], None],
        [_("未认定产品退款冲减"), totals["u_refunds"], None],
        [_("未认定产品净额（不计入消费帮扶）"), _u_net(totals), None],
        [_("认定产品数（期末证书有效）"), None, certificates["valid"]],
        [_("本期新认定"), None, certificates["new"]],
        [_("本期到期"), None, certificates["expired"]],
        [_("本期撤销"), None, certificates["revoked"]],
    ]
    return ReportTable(
        "summary",
        _("主要指标"),
        [
            Column("item", _("指标")),
            Column("amount_fen", _("金额（元）"), "money"),
            Column("count", _("数量"), "count"),
        ],
        rows,
        note=_("认定产品数按证书统计，不受买家类型筛选影响。"),
    )


def _timeline_table(f: ReportFilters, events: list[dict]) -> ReportTable:
    days = SalesSummary.objects.filter(
        _dimensions_q(f), grain=Grain.DAY, day__gte=f.period.start, day__lte=f.period.end
    )
    by_day = {
        row["day"]: row
        for row in days.values("day").annotate(
            net=Sum(F("sales_fen") + F("refunds_fen"), filter=CERTIFIED, default=0),
            u_net=Sum(F("sales_fen") + F("refunds_fen"), filter=UNCERTIFIED, default=0),
        )
    }
    titles = defaultdict(list)
    for event in events:
        titles[event["date"]].append(event["title"])
    rows = []
    for day in f.period.each_day():
        row = by_day.get(day)
        rows.append([day, row["net"] if row else 0, row["u_net"] if row else 0, "、".join(titles.get(day, []))])
    total = [_("合计"), sum(r[1] for r in rows), sum(r[2] for r in rows), ""]
    return ReportTable(
        "timeline",
        _("每日走势"),
        [
            Column("day", _("日期"), "date"),
            Column("net_fen", _("消费帮扶净额（元）"), "money"),
            Column("uncertified_net_fen", _("未认定产品净额（元，不计入）"), "money"),
            Column("events", _("当日开播的直播活动")),
        ],
        rows,
        total=total,
    )


def timeline_channels_table(f: ReportFilters) -> ReportTable:
    """The timeline's consumption-support net by sales channel: a row per day (zeros too),
    a column per channel, in ``Channel`` order, and their sum, which is the timeline's
    net of that day (both are the certified lines' sales and reversals, booked by day).
    One query over the channel summary's day rows."""
    days = ChannelSummary.objects.filter(
        _dimensions_q(f), grain=Grain.DAY, day__gte=f.period.start, day__lte=f.period.end, certified=True
    )
    channels = [c.value for c in Channel]
    by_day: dict[dt.date, dict[str, int]] = defaultdict(dict)
    for row in days.values("day", "channel").annotate(net=Sum(F("sales_fen") + F("refunds_fen"))).order_by():
        channel = row["channel"] if row["channel"] in channels else Channel.OTHER.value
        by_day[row["day"]][channel] = by_day[row["day"]].get(channel, 0) + row["net"]
    rows = []
    for day in f.period.each_day():
        nets = [by_day.get(day, {}).get(c, 0) for c in channels]
        rows.append([day, *nets, sum(nets)])
    total = [_("合计"), *(sum(r[i] for r in rows) for i in range(1, len(channels) + 2))]
    return ReportTable(
        "timeline_channels",
        _("每日走势（按销售渠道）"),
        [
            Column("day", _("日期"), "date"),
            *(Column(f"{c.value}_net_fen", _("%(channel)s（元）") % {"channel": c.label}, "money") for c in Channel),
            Column("net_fen", _("消费帮扶净额（元）"), "money"),
        ],
        rows,
        total=total,
        note=_("各渠道的认定产品净额，逐日相加即为每日走势的消费帮扶净额。"),
    )


def _regions_table(f: ReportFilters, sales, whole: int) -> tuple[ReportTable, list[Region]]:
    """Sales by the level below the selected region (every child listed, zeros too), and
    those children (the drill-down choices)."""
    length = f.child_code_length
    grouped = {
        row["rc"]: row for row in sales.annotate(rc=Substr("region_code", 1, length)).values("rc").annotate(**_money())
    }
    if f.region is None:
        children = list(Region.objects.filter(parent__isnull=True).order_by("code"))
    elif length > len(f.region_code):
        children = list(Region.objects.filter(parent=f.region).order_by("code"))
    else:
        children = [f.region]  # a village: the bottom of the tree
    names = {r.code: r.name for r in children}
    own_level = f.region_code if f.region is not None else ""
    rows, links = [], []
    for code in sorted(set(names) | set(grouped)):
        row = {**ZERO, **grouped.get(code, {})}
        if code in names:
            label = names[code]
            link = {"region": code} if code != f.region_code or length > len(code) else None
        elif code == own_level:
            label = _("%(region)s（本级生产主体）") % {"region": f.region.name}
            link = None
        else:
            label = code  # a producer region below an unknown code (not in the region table)
            link = None
        rows.append(
            [
                code,
                label,
                row["sales"],
                row["refunds"],
                _net(row),
                percent(_net(row), whole),
                row["households"],
                row["collectives"],
                row["producers"],
                _u_net(row),
            ]
        )
        links.append(link)
    order = sorted(range(len(rows)), key=lambda i: (-rows[i][4], rows[i][0]))
    rows, links = [rows[i] for i in order], [links[i] for i in order]
    total = ["", _("合计"), *(sum(r[i] for r in rows) for i in (2, 3, 4)), percent(whole, whole) if rows else None]
    total += [sum(r[i] for r in rows) for i in (6, 7, 8, 9)]
    level = {2: _("省"), 4: _("市"), 6: _("县（区）"), 9: _("乡镇"), 12: _("村")}.get(length, _("地区"))
    table = ReportTable(
        "regions",
        _("按地区（%(level)s）") % {"level": level},
        [
            Column("code", _("区划代码")),
            Column("region", _("地区")),
            *money_columns(),
            Column("households_fen", _("帮扶户收入（元）"), "money"),
            Column("collectives_fen", _("村集体收入（元）"), "money"),
            Column("producers_fen", _("生产主体留存（元）"), "money"),
            Column("uncertified_net_fen", _("未认定产品净额（元，不计入）"), "money"),
        ],
        rows,
        total=total,
        links=links,
        note=_("按生产主体所在地（产品产地）归属。"),
    )
    return table, children


def _categories_table(f: ReportFilters, sales, whole: int) -> ReportTable:
    categories = {c.pk: c for c in Category.objects.all()}
    grouped: dict[int, dict] = {}
    for row in sales.filter(certified=True).values("category_id").annotate(**_money()):
        category = categories[row["category_id"]]
        if f.category is None and category.parent_id:
            category = categories[category.parent_id]  # roll up to the seven top-level categories
        target = grouped.setdefault(category.pk, dict(ZERO))
        for k in ZERO:
            target[k] += row[k]
    rows, links = [], []
    for pk in sorted(grouped, key=lambda pk: (-_net(grouped[pk]), categories[pk].sort_order, pk)):
        category = categories[pk]
        rows.append([category.name, *_money_cells(grouped[pk], whole)])
        links.append({"category": category.slug} if f.category is None else None)
    total = [_("合计"), *(sum(r[i] for r in rows) for i in (1, 2, 3)), percent(whole, whole) if rows else None]
    title = _("按品类（%(category)s的子品类）") % {"category": f.category.name} if f.category else _("按品类")
    return ReportTable("categories", title, [Column("category", _("品类")), *money_columns()], rows, total, links=links)


def _choice_table(key, title, label, field_name, choices, sales, whole: int, *, money=None, drill=True) -> ReportTable:
    grouped = {row[field_name]: row for row in sales.values(field_name).annotate(**(money or _money)())}
    rows, links = [], []
    for value, name in choices:
        row = {**ZERO, **grouped.get(value, {})}
        rows.append([str(name), *_money_cells(row, whole)])
        links.append({field_name: value} if drill else None)
    total = [_("合计"), *(sum(r[i] for r in rows) for i in (1, 2, 3)), percent(whole, whole) if whole else None]
    return ReportTable(key, title, [Column(field_name, label), *money_columns()], rows, total, links=links)


def _channels_table(f: ReportFilters, channels, whole: int) -> ReportTable:
    """Certified net sales by channel; an offline channel's row leads to its points' sales
    over the same days (``sales_channels``' drill-down, scoped to the viewer)."""
    table = _choice_table(
        "channels",
        _("按销售渠道"),
        _("销售渠道"),
        "channel",
        Channel.choices,
        channels,
        whole,
        money=_sales_money,
        drill=False,
    )
    offline = {c.value for c in OFFLINE_CHANNELS}
    url = reverse("sales_channels_admin:offline_sales")
    days = {"from": f.period.start.isoformat(), "to": f.period.end.isoformat()}
    table.links = [
        {"_url": f"{url}?{urlencode({'channel': value, **days})}"} if value in offline else None
        for value, _name in Channel.choices
    ]
    return table


def _sales_money():
    """What a summary without the beneficiaries' split sums (``ChannelSummary``)."""
    return {
        "sales": Sum("sales_fen", filter=CERTIFIED, default=0),
        "refunds": Sum("refunds_fen", filter=CERTIFIED, default=0),
    }


PAIRING_REPORT = "pairing_report"  # a link's key: the pairing's own report, of a year


def _pairings_table(f: ReportFilters, channels, whole: int) -> ReportTable:
    """Certified net sales by the pairing they counted under at payment (the pairings with
    sales in the period, largest first), then the sales under none. Each pairing's row
    leads to its own report, of the period's last year it was in force."""
    grouped = {row["pairing_pk"]: row for row in channels.values("pairing_pk").annotate(**_sales_money())}
    pairings = Pairing.objects.filter(pk__in=[pk for pk in grouped if pk]).select_related(
        "helping_region", "helping_organisation", "helped_region"
    )
    named = sorted(pairings, key=lambda p: (-_net(grouped[p.pk]), p.pk))
    rows = [
        [p.name, p.get_kind_display(), p.helping_label, p.helped_region.full_name, *_money_cells(grouped[p.pk], whole)]
        for p in named
    ]
    links: list[dict | None] = [
        {PAIRING_REPORT: p.pk, "year": nearest_pairing_year(p, f.period.end.year)} for p in named
    ]
    none = {"sales": 0, "refunds": 0, **grouped.get(0, {})}
    rows.append([_("不属于结对帮扶"), "", "", "", *_money_cells(none, whole)])
    links.append(None)
    total = [
        _("合计"),
        "",
        "",
        "",
        *(sum(r[i] for r in rows) for i in (4, 5, 6)),
        percent(whole, whole) if whole else None,
    ]
    columns = [
        Column("pairing", _("结对帮扶关系")),
        Column("kind", _("结对类型")),
        Column("helping", _("帮扶方")),
        Column("helped", _("受帮扶地区")),
        *money_columns(),
    ]
    return ReportTable("pairings", _("按结对帮扶关系"), columns, rows, total, links=links)


def _shops_table(sales, totals: dict) -> ReportTable:
    top = (
        sales.filter(certified=True)
        .values("shop_id", "shop__name")
        .annotate(**_money(), net=Sum(F("sales_fen") + F("refunds_fen"), filter=CERTIFIED, default=0))
        .order_by("-net", "shop_id")[:TOP_N]
    )
    whole = _net(totals)
    rows = [[row["shop__name"], *_money_cells(row, whole)] for row in top]
    total = [_("全部网店合计"), totals["sales"], totals["refunds"], whole, percent(whole, whole)]
    return ReportTable(
        "shops", _("网店排行（前 %(n)s）") % {"n": TOP_N}, [Column("shop", _("网店")), *money_columns()], rows, total
    )


def _product_sales(f: ReportFilters):
    return ProductSalesSummary.objects.filter(_summary_filter(f))


def _top_products(f: ReportFilters, certified: bool, order: str) -> list[dict]:
    """The first ``TOP_N`` products by ``order`` ("-net" or "-sales"): summed per product
    id alone, then named, so the aggregate never drags product and shop names along."""
    top = list(
        _product_sales(f)
        .filter(certified=certified)
        .values("product_id")
        .annotate(sales=Sum("sales_fen"), refunds=Sum("refunds_fen"), net=Sum(F("sales_fen") + F("refunds_fen")))
        .order_by(order, "product_id")[:TOP_N]
    )
    if top:
        names = {
            row["pk"]: row
            for row in Product.objects.filter(pk__in=[r["product_id"] for r in top]).values("pk", "title", "shop__name")
        }
        for row in top:
            row["title"], row["shop"] = names[row["product_id"]]["title"], names[row["product_id"]]["shop__name"]
    return top


@dataclass(frozen=True)
class ProductSales:
    """Paid value of some products over some days, in fen: ``sales_fen`` (≥ 0) and
    ``refunds_fen`` (≤ 0) of every line, certified at payment or not; ``certified_net_fen``
    the consumption-support part (the report's definition: certified lines only)."""

    sales_fen: int
    refunds_fen: int
    certified_net_fen: int

    @property
    def net_fen(self) -> int:
        return self.sales_fen + self.refunds_fen


def product_sales(product_ids, start: dt.date, end: dt.date) -> ProductSales:
    """The sales of the products ``product_ids`` (a list or a ``values("product_id")``
    subquery) booked on the Asia/Shanghai days ``start`` to ``end`` (inclusive), from the
    product summary table as the report reads it. One query."""
    row = ProductSalesSummary.objects.filter(period_q(start, end), product_id__in=product_ids).aggregate(
        sales=Sum("sales_fen", default=0),
        refunds=Sum("refunds_fen", default=0),
        certified=Sum(F("sales_fen") + F("refunds_fen"), filter=CERTIFIED, default=0),
    )
    return ProductSales(sales_fen=row["sales"], refunds_fen=row["refunds"], certified_net_fen=row["certified"])


def _products_table(f: ReportFilters, totals: dict) -> ReportTable:
    whole = _net(totals)
    rows = [
        [row["title"], row["shop"], row["sales"], row["refunds"], row["net"], percent(row["net"], whole)]
        for row in _top_products(f, True, "-net")
    ]
    total = [_("全部认定产品合计"), "", totals["sales"], totals["refunds"], whole, percent(whole, whole)]
    return ReportTable(
        "products",
        _("认定产品排行（前 %(n)s）") % {"n": TOP_N},
        [Column("product", _("产品")), Column("shop", _("网店")), *money_columns()],
        rows,
        total,
    )


def _uncertified_table(f: ReportFilters, totals: dict) -> ReportTable:
    rows = [
        [row["title"], row["shop"], row["sales"], row["refunds"], row["net"]]
        for row in _top_products(f, False, "-sales")
    ]
    total = [_("全部未认定产品合计"), "", totals["u_sales"], totals["u_refunds"], _u_net(totals)]
    return ReportTable(
        "uncertified",
        _("未认定产品销售（付款时无有效证书，不计入消费帮扶）"),
        [
            Column("product", _("产品")),
            Column("shop", _("网店")),
            Column("sales_fen", _("销售额（元）"), "money"),
            Column("refunds_fen", _("退款冲减（元）"), "money"),
            Column("net_fen", _("净额（元）"), "money"),
        ],
        rows,
        total,
    )


# --- traced sales (溯源) ----------------------------------------------------------------------------------------------


def traced_table(f: ReportFilters) -> ReportTable:
    """Traced vs untraced consumption-support sales (since 2024 a certified product must be
    traceable): of the shipped lines of certified products paid in the period, those that
    record the batch they were packed from and those that do not — how many lines and
    their net amount (price × units, less the units refunded to date). Read from the 溯源
    summary (``TracedSummary``, kept from the order lines as parcels ship): one query over
    the period's year, month and day rows, however many sales."""
    traced, untraced = Q(traced=True), Q(traced=False)
    row = TracedSummary.objects.filter(_summary_filter(f)).aggregate(
        traced_lines=Sum("lines", filter=traced, default=0),
        traced_net=Sum("net_fen", filter=traced, default=0),
        untraced_lines=Sum("lines", filter=untraced, default=0),
        untraced_net=Sum("net_fen", filter=untraced, default=0),
    )
    whole = row["traced_net"] + row["untraced_net"]
    rows = [
        [_("已溯源（记录生产批次）"), row["traced_lines"], row["traced_net"], percent(row["traced_net"], whole)],
        [_("未溯源"), row["untraced_lines"], row["untraced_net"], percent(row["untraced_net"], whole)],
    ]
    total = [_("合计"), row["traced_lines"] + row["untraced_lines"], whole, percent(whole, whole)]
    return ReportTable(
        "traced",
        _("溯源：已发货的认定产品销售"),
        [
            Column("kind", _("类别")),
            Column("lines", _("订单明细数"), "count"),
            Column("net_fen", _("净额（元）"), "money"),
            Column("share", _("占比（%）"), "percent"),
        ],
        rows,
        total,
        note=_("付款时证书有效、期间内付款且已发货的订单明细；净额为单价乘以未退数量。"),
    )


# --- households benefited ---------------------------------------------------------------------------------------------


def households_benefited(f: ReportFilters) -> tuple[int, int]:
    """(how many distinct households had positive net consumption-support income in the
    period and scope, their net income in total): the period's year, month and day rows
    grouped by household in one query."""
    qs = HouseholdIncome.objects.filter(_summary_filter(f))
    result = (
        qs.order_by()
        .values("household_id")
        .annotate(income=Sum("net_fen"))
        .filter(income__gt=0)
        .aggregate(n=Count("household_id"), total=Sum("income", default=0))
    )
    return result["n"], result["total"]


def headline_figures(f: ReportFilters) -> tuple[int, int]:
    """(consumption-support net volume in fen, households benefited) for ``f``: the
    report's two headline figures, by the same rules as its summary table, in two
    queries. The storefront's figures strip shows them (``cms.blocks``)."""
    totals = {**ZERO, **SalesSummary.objects.filter(_summary_filter(f)).aggregate(**_money())}
    return _net(totals), households_benefited(f)[0]


def public_filters(region: Region | None, start: dt.date | None, end: dt.date | None) -> ReportFilters:
    """Filters for a public figure: a region (None: everywhere) and an optional range of
    days (open ends: from the earliest / to the latest day the reports know)."""
    period = Period("custom", start or EARLIEST, end or LATEST)
    return ReportFilters(period=period, jurisdiction="", region=region)


# --- certificates -----------------------------------------------------------------------------------------------------


def certificate_counts(f: ReportFilters) -> dict[str, int]:
    """Certificates of producers in scope (category and producer-kind filters apply; the
    buyer type does not): valid at the end of the period, issued, expired (last valid day
    in the period, not revoked) and revoked in the period."""
    lo, hi = f.period.bounds()
    qs = Certificate.objects.all()
    if f.region_code:
        qs = qs.filter(producer__region__code__startswith=f.region_code)
    if f.category_ids:
        qs = qs.filter(product__category_id__in=f.category_ids)
    if f.producer_kind:
        qs = qs.filter(product__producer__kind=f.producer_kind)
    start, end = f.period.start, f.period.end
    not_revoked_by_end = Q(revoked_at__isnull=True) | Q(revoked_at__gte=hi)
    return qs.aggregate(
        valid=Count("pk", filter=Q(valid_from__lte=end, valid_until__gte=end) & not_revoked_by_end),
        new=Count("pk", filter=Q(issued_at__gte=lo, issued_at__lt=hi)),
        expired=Count("pk", filter=Q(valid_until__gte=start, valid_until__lte=end, revoked_at__isnull=True)),
        revoked=Count("pk", filter=Q(revoked_at__gte=lo, revoked_at__lt=hi)),
    )


# --- reserved shares of budget units ----------------------------------------------------------------------------------


def reserved_shares_table(f: ReportFilters) -> ReportTable:
    """The budget units located in the selected region with their reserved share (预留份额)
    of the calendar year of the period's end and what they spent against it, the most
    complete first and units without a quota last: ``procurement.selectors.units_ranked``,
    the very rows of the bureaus' 预留份额完成情况 (spent from the ledger there, by its rule)."""
    year = f.period.end.year
    rows = []
    for rank, unit in enumerate(units_ranked(f.region_code, year), 1):
        quota = unit.done_bp is not None
        rows.append(
            [
                rank,
                unit.organisation.name,
                unit.organisation.credit_code,
                unit.region_name,
                unit.reserved_fen if quota else None,
                unit.spent_fen,
                Decimal(unit.done_bp).scaleb(-2) if quota else None,
            ]
        )
    total = [_("合计"), "", "", "", sum(r[4] or 0 for r in rows), sum(r[5] for r in rows), None]
    return ReportTable(
        "reserved_shares",
        _("%(year)s年预算单位预留份额完成情况") % {"year": year},
        [
            Column("rank", _("名次"), "count"),
            Column("unit", _("预算单位")),
            Column("credit_code", _("统一社会信用代码")),
            Column("region", _("所在地区")),
            Column("reserved_fen", _("预留份额（元）"), "money"),
            Column("spent_fen", _("已采购（元）"), "money"),
            Column("completion", _("完成率（%）"), "percent"),
        ],
        rows,
        total if rows else None,
        note=_(
            "全年口径，按单位所在地区归属，不受期间以外的其他筛选影响。预留份额由预算单位在单位账户中填报；"
            "已采购 = 本年度为该单位下单、已付款且付款时产品持有有效认定的金额，扣除退款，取自收益台账；"
            "完成率 = 已采购 ÷ 预留份额。按完成率排名，未填报预留份额的单位列在最后。"
        ),
    )


# --- live events ------------------------------------------------------------------------------------------------------

ATTRIBUTION_KINDS = [LiveAttribution.IN_LIVE, LiveAttribution.POST_LIVE, LiveAttribution.WINDOW]


def ledger_event_results(f: ReportFilters) -> dict[int, dict[str, tuple[int, int]]]:
    """Per live event, per attribution kind (in-live, post-live, window; never added
    together): (sales, net) in fen of certified products in scope and period, from the
    product summary. Events outside the viewer's region keep their key here; the caller
    decides what to show.

    These are the figures *of this report's scope and period*; the whole event's own
    figures (viewers, conversion, uplift) come from ``live_results.selectors.events_results`` in
    ``live_events``."""
    out: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    rows = (
        _product_sales(f)
        .filter(certified=True)
        .exclude(live_event_pk=0)
        .values("live_event_pk", "live_attribution")
        .annotate(sales=Sum("sales_fen"), refunds=Sum("refunds_fen"))
    )
    for row in rows:
        out[row["live_event_pk"]][row["live_attribution"]] = (row["sales"], row["sales"] + row["refunds"])
    return out


def _events_here(f: ReportFilters) -> Q:
    """Events run in the selected region: by a bureau for a region in it, or by a shop in it."""
    if not f.region_code:
        return Q()
    return Q(region__code__startswith=f.region_code) | Q(shops__region__code__startswith=f.region_code)


def live_events(f: ReportFilters) -> tuple[list[dict], ReportTable]:
    """Events for the timeline (run here, started in the period) and the events table:
    those events and any event here with sales in the period. Sales of products from here
    tagged with an event run elsewhere are one "elsewhere" row, so that no other
    jurisdiction's event is named."""
    results = ledger_event_results(f)
    lo, hi = f.period.bounds()
    started = Q(start__gte=lo, start__lt=hi)
    events = list(
        LiveEvent.objects.annotate(start=Coalesce("actual_start", "scheduled_start"))
        .filter(_events_here(f))
        .filter(started | Q(pk__in=list(results)))
        .select_related("region")
        .distinct()
        .order_by("start", "pk")
    )
    # The whole event's own results (viewers, conversion, uplift, all its attributed
    # sales), only for events the officer may see in the live app too: those whose
    # region — the bureau's, or the smallest holding all the event's shops — lies in the
    # jurisdiction. A joint event with shops elsewhere shows only this scope's sales.
    whole = events_results(
        [e for e in events if e.region_id and e.region.code.startswith(f.jurisdiction)],
        now=timezone.now(),
        detail=False,
    )
    tz = timezone.get_default_timezone()
    platforms = dict(Platform.choices)
    markers, rows = [], []
    shown = set()
    for event in events:
        shown.add(event.pk)
        local = timezone.localtime(event.start, tz)
        if lo <= event.start < hi:
            markers.append({"id": event.pk, "date": local.date(), "title": event.title, "start": local})
        rows.append(
            [
                event.title,
                str(platforms.get(event.platform, event.platform)),
                local,
                *_event_cells(results.get(event.pk, {})),
                *_whole_event_cells(whole.get(event.pk)),
            ]
        )
    elsewhere: dict[str, tuple[int, int]] = {}
    for pk, kinds in results.items():
        if pk in shown:
            continue
        for kind, (sales, net) in kinds.items():
            s, n = elsewhere.get(kind, (0, 0))
            elsewhere[kind] = (s + sales, n + net)
    if elsewhere:
        rows.append([_("其他地区主办的直播活动"), "", None, *_event_cells(elsewhere), *_whole_event_cells(None)])
    money_cells = range(3, 3 + 2 * len(ATTRIBUTION_KINDS))
    total = (
        [_("合计"), "", None, *(sum(r[i] for r in rows) for i in money_cells), *_whole_event_cells(None)]
        if rows
        else None
    )
    columns = [
        Column("event", _("直播活动")),
        Column("platform", _("平台")),
        Column("start", _("开播时间"), "datetime"),
    ]
    kind_labels = {
        LiveAttribution.IN_LIVE: (_("直播中销售额（元）"), _("直播中净额（元）")),
        LiveAttribution.POST_LIVE: (_("直播后7天销售额（元）"), _("直播后7天净额（元）")),
        LiveAttribution.WINDOW: (_("直播时段自然成交销售额（元）"), _("直播时段自然成交净额（元）")),
    }
    for kind in ATTRIBUTION_KINDS:
        sales_label, net_label = kind_labels[kind]
        columns += [
            Column(f"{kind.value}_sales_fen", sales_label, "money"),
            Column(f"{kind.value}_net_fen", net_label, "money"),
        ]
    columns += [
        Column("peak_viewers", _("峰值在线"), "count"),
        Column("total_views", _("累计观看"), "count"),
        Column("conversion_percent", _("转化率（%）"), "percent"),
        Column("uplift_percent", _("直播商品较前7天增长（%）"), "percent"),
        Column("event_attributed_net_fen", _("全场直播带货净额（元）"), "money"),
    ]
    table = ReportTable(
        "events",
        _("直播活动"),
        columns,
        rows,
        total,
        note=(
            _(
                "直播中、直播后7天、直播时段自然成交三种口径分列，互不相加；仅计本报表范围和期间内的认定产品。"
                "峰值在线、累计观看、转化率（带货买家数÷累计观看）、增长和全场净额为整场活动的数字，"
                "只对主办地区在本辖区内的活动显示。"
            )
        ),
    )
    return markers, table


def _whole_event_cells(result) -> list:
    """Peak viewers, total views, conversion %, uplift % and the whole event's attributed
    net, from ``live_results.selectors.EventResults``; blanks when not shown."""
    if result is None:
        return [None] * 5
    uplift = result.uplift.percent if result.uplift is not None and result.uplift.complete else None
    return [
        result.viewers.peak_concurrent,
        result.viewers.total_views,
        result.conversion_percent,
        uplift,
        result.attributed.net_fen,
    ]


def _event_cells(kinds: dict[str, tuple[int, int]]) -> list[int]:
    cells = []
    for kind in ATTRIBUTION_KINDS:
        sales, net = kinds.get(kind.value, (0, 0))
        cells += [sales, net]
    return cells
