"""A statement as CSV (every entry of the period) and as PDF (the totals, the breakdowns
and the entries). Both show exactly what the screen shows: same masking, same scope."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import csv_response, table_pdf
from core.money import format_fen

from .selectors import MODE_LABELS, Statement, StatementPermissions, statement_entries

ENTRY_HEADER = [
    gettext_lazy("记账时间"),
    gettext_lazy("类型"),
    gettext_lazy("订单号"),
    gettext_lazy("商品"),
    gettext_lazy("网店"),
    gettext_lazy("联结方式"),
    gettext_lazy("份额(%)"),
    gettext_lazy("金额(元)"),
    gettext_lazy("金额(分)"),
]


def _period_label(statement: Statement) -> str:
    start = statement.start.isoformat() if statement.start else _("最早")
    end = statement.end.isoformat() if statement.end else _("至今")
    return _("%(start)s 至 %(end)s") % {"start": start, "end": end}


def _entry_row(entry) -> list:
    return [
        timezone.localtime(entry.booked_at).strftime("%Y-%m-%d %H:%M"),
        str(entry.get_kind_display()),
        entry.order.number,
        entry.product.title,
        entry.shop.name,
        str(MODE_LABELS.get(entry.mode, entry.mode)),
        f"{entry.share_bp / 100:g}",
        format_fen(entry.amount_fen),
        entry.amount_fen,
    ]


def statement_filename(statement: Statement) -> str:
    who = statement.registration_number or statement.name
    return f"statement-{who}-{timezone.localdate():%Y%m%d}".replace("*", "x")


def statement_csv(statement: Statement, permissions: StatementPermissions):
    """Every entry of the statement's period, oldest first, streamed."""
    entries = (
        statement_entries(statement.beneficiary, permissions, statement.start, statement.end)
        .select_related("order", "product", "shop")
        .order_by("booked_at", "pk")
    )
    return csv_response(statement_filename(statement), ENTRY_HEADER, (_entry_row(e) for e in entries.iterator()))


def statement_pdf(statement: Statement) -> HttpResponse:
    intro = [
        _("受益方：%(name)s") % {"name": statement.name}
        + (f"（{statement.registration_number}）" if statement.registration_number else ""),
        _("所在地：%(village)s") % {"village": statement.village_name},
        _("期间：%(period)s") % {"period": _period_label(statement)},
        _("销售归属 ¥%(sales)s，退款冲减 ¥%(refunds)s，净收益 ¥%(net)s（%(lines)s 笔订单明细）")
        % {
            "sales": format_fen(statement.sales_fen),
            "refunds": format_fen(statement.refunds_fen),
            "net": format_fen(statement.net_fen),
            "lines": statement.lines,
        },
    ]
    if statement.restricted_to_shops:
        intro.append(_("仅含查看人所运营网店的商品带来的收益。"))
    money_header = [_("销售(元)"), _("冲减(元)"), _("净额(元)"), _("明细数")]

    def money(row):
        return [format_fen(row["sales_fen"]), format_fen(row["refunds_fen"]), format_fen(row["net_fen"]), row["lines"]]

    tables = [
        (_("按月"), [_("月份"), *money_header], [[r["month"], *money(r)] for r in statement.by_month]),
        (_("按商品"), [_("商品"), *money_header], [[r["product"], *money(r)] for r in statement.by_product]),
        (_("按联结方式"), [_("联结方式"), *money_header], [[r["mode"], *money(r)] for r in statement.by_mode]),
        (
            _("明细（最近 %(shown)s / 共 %(total)s 条）")
            % {"shown": len(statement.entries), "total": statement.entries_total},
            [str(h) for h in ENTRY_HEADER[:-1]],
            [_entry_row(e)[:-1] for e in statement.entries],
        ),
    ]
    body = table_pdf(_("收益对账单"), intro, tables)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{statement_filename(statement)}.pdf"'
    return response
