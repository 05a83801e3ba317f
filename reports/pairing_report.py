"""The report of one pairing (结对帮扶关系) for a year: "sales from 济南 to 单县 under 东西部协作
in 2026", by month and by product category, for the bureaus of both sides.

Read from ``ChannelSummary`` alone — the month rows of the year under the pairing, grouped
by month, category and certified, in one query (plus the category names): the cost does
not grow with sales. Only figures: no buyer, no household, no shop is named, and only the
sales the ledger counted under this pairing (``sales_channels.selectors.pairing_of``, at
payment) — the helping side's bureau reads the helped county's sales under its pairing,
and nothing else of that county.

Money is integer fen. As in the rest of the report, the consumption-support figures
(消费帮扶销售额, 退款冲减, 消费帮扶净额) are of products certified at payment; sales of
products not certified then are shown apart (未认定产品净额) and never added in; 全部净额 is
both together. Months are Asia/Shanghai months of payment (of refund confirmation for
refunds), as the ledger books them."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _

from catalog.models import Category
from sales_channels.models import Pairing

from .models import ChannelSummary, Grain
from .selectors import Column, ReportTable, money_columns, percent


@dataclass
class PairingReport:
    pairing: Pairing
    year: int
    years: list[int]
    summary: ReportTable
    months: ReportTable
    categories: ReportTable

    @property
    def tables(self) -> dict[str, ReportTable]:
        return {t.key: t for t in (self.summary, self.months, self.categories)}

    @property
    def title(self) -> str:
        return _("%(pairing)s %(year)s年结对帮扶销售报表") % {"pairing": self.pairing.name, "year": self.year}


# Per bucket: certified sales, certified refunds, uncertified sales, uncertified refunds.
_EMPTY = (0, 0, 0, 0)


def _add(a: tuple, b: tuple) -> tuple:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _money_columns() -> list[Column]:
    """The report's money columns, then what the pairing's page adds: the uncertified net
    (not counted) and the net of all products."""
    return [
        *money_columns(),
        Column("uncertified_net_fen", _("未认定产品净额（元，不计入）"), "money"),
        Column("all_net_fen", _("全部净额（元）"), "money"),
    ]


def _cells(bucket: tuple, whole: int) -> list:
    sales, refunds, u_sales, u_refunds = bucket
    net = sales + refunds
    return [sales, refunds, net, percent(net, whole), u_sales + u_refunds, net + u_sales + u_refunds]


def build_pairing_report(pairing: Pairing, year: int, years: list[int]) -> PairingReport:
    """The pairing's figures for ``year`` (one of ``years``, those it was in force)."""
    rows = (
        ChannelSummary.objects.filter(
            pairing_pk=pairing.pk,
            grain=Grain.MONTH,
            day__gte=dt.date(year, 1, 1),
            day__lte=dt.date(year, 12, 1),
        )
        .values("day", "category_id", "certified")
        .annotate(sales=Sum("sales_fen", default=0), refunds=Sum("refunds_fen", default=0))
        .order_by()
    )
    by_month: dict[int, tuple] = {}
    by_category: dict[int, tuple] = {}
    for row in rows:
        bucket = (row["sales"], row["refunds"], 0, 0) if row["certified"] else (0, 0, row["sales"], row["refunds"])
        month = row["day"].month
        by_month[month] = _add(by_month.get(month, _EMPTY), bucket)
        by_category[row["category_id"]] = _add(by_category.get(row["category_id"], _EMPTY), bucket)
    total = _EMPTY
    for bucket in by_month.values():
        total = _add(total, bucket)
    whole = total[0] + total[1]
    return PairingReport(
        pairing=pairing,
        year=year,
        years=years,
        summary=_summary_table(total),
        months=_months_table(year, by_month, total, whole),
        categories=_categories_table(by_category, total, whole),
    )


def _summary_table(total: tuple) -> ReportTable:
    sales, refunds, u_sales, u_refunds = total
    rows = [
        [_("消费帮扶销售额（认定产品，付款时证书有效）"), sales],
        [_("退款冲减"), refunds],
        [_("消费帮扶净额"), sales + refunds],
        [_("未认定产品销售额（不计入消费帮扶）"), u_sales],
        [_("未认定产品退款冲减"), u_refunds],
        [_("未认定产品净额（不计入消费帮扶）"), u_sales + u_refunds],
        [_("全部销售净额（含未认定产品）"), sales + refunds + u_sales + u_refunds],
    ]
    return ReportTable(
        "summary",
        _("主要指标"),
        [Column("item", _("指标")), Column("amount_fen", _("金额（元）"), "money")],
        rows,
        note=_("汇总表不记订单数和订单行数，本报表只列金额。"),
    )


def _months_table(year: int, by_month: dict[int, tuple], total: tuple, whole: int) -> ReportTable:
    rows = [[f"{year}-{month:02d}", *_cells(by_month.get(month, _EMPTY), whole)] for month in range(1, 13)]
    return ReportTable(
        "months",
        _("按月份"),
        [Column("month", _("月份")), *_money_columns()],
        rows,
        total=[_("合计"), *_cells(total, whole)],
        note=_("按北京时间付款（退款确认）日期所在月份统计。"),
    )


def _categories_table(by_category: dict[int, tuple], total: tuple, whole: int) -> ReportTable:
    """By top-level category (a sub-category's sales roll up into its parent), every
    top-level category listed, zeros too, the largest consumption-support net first."""
    categories = {c.pk: c for c in Category.objects.all()}
    grouped = {pk: _EMPTY for pk, c in categories.items() if c.parent_id is None}
    for pk, bucket in by_category.items():
        category = categories[pk]
        top = category.parent_id or pk
        while categories[top].parent_id:  # deeper trees roll up to the top as well
            top = categories[top].parent_id
        grouped[top] = _add(grouped.get(top, _EMPTY), bucket)

    def order(pk):
        bucket = grouped[pk]
        return (-(bucket[0] + bucket[1]), -(bucket[2] + bucket[3]), categories[pk].sort_order, pk)

    rows = [[categories[pk].name, *_cells(grouped[pk], whole)] for pk in sorted(grouped, key=order)]
    return ReportTable(
        "categories",
        _("按品类"),
        [Column("category", _("品类")), *_money_columns()],
        rows,
        total=[_("合计"), *_cells(total, whole)],
        note=_("子品类的销售计入其一级品类。"),
    )
