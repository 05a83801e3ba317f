"""A statement as CSV (every entry of the period) and as PDF (the totals, the breakdowns
and the entries). Both show exactly what the screen shows: same masking, same scope."""

from django.http import HttpResponse
from django.utils import timezone

from core.exports import csv_response, table_pdf
from core.money import format_fen

from .selectors import MODE_LABELS, Statement, StatementPermissions, statement_entries

ENTRY_HEADER = ["记账时间", "类型", "订单号", "商品", "网店", "联结方式", "份额(%)", "金额(元)", "金额(分)"]


def _period_label(statement: Statement) -> str:
    start = statement.start.isoformat() if statement.start else "最早"
    end = statement.end.isoformat() if statement.end else "至今"
    return f"{start} 至 {end}"


def _entry_row(entry) -> list:
    return [
        timezone.localtime(entry.booked_at).strftime("%Y-%m-%d %H:%M"),
        entry.get_kind_display().split(" ")[0],
        entry.order.number,
        entry.product.title,
        entry.shop.name,
        MODE_LABELS.get(entry.mode, entry.mode).split(" ")[0],
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
        f"受益方：{statement.name}" + (f"（{statement.registration_number}）" if statement.registration_number else ""),
        f"所在地：{statement.village_name}",
        f"期间：{_period_label(statement)}",
        f"销售归属 ¥{format_fen(statement.sales_fen)}，退款冲减 ¥{format_fen(statement.refunds_fen)}，"
        f"净收益 ¥{format_fen(statement.net_fen)}（{statement.lines} 笔订单明细）",
    ]
    if statement.restricted_to_shops:
        intro.append("仅含查看人所运营网店的商品带来的收益。")
    money_header = ["销售(元)", "冲减(元)", "净额(元)", "明细数"]

    def money(row):
        return [format_fen(row["sales_fen"]), format_fen(row["refunds_fen"]), format_fen(row["net_fen"]), row["lines"]]

    tables = [
        ("按月", ["月份", *money_header], [[r["month"], *money(r)] for r in statement.by_month]),
        ("按商品", ["商品", *money_header], [[r["product"], *money(r)] for r in statement.by_product]),
        ("按联结方式", ["联结方式", *money_header], [[r["mode"], *money(r)] for r in statement.by_mode]),
        (
            f"明细（最近 {len(statement.entries)} / 共 {statement.entries_total} 条）",
            ENTRY_HEADER[:-1],
            [_entry_row(e)[:-1] for e in statement.entries],
        ),
    ]
    body = table_pdf("收益对账单 Income statement", intro, tables)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{statement_filename(statement)}.pdf"'
    return response
