"""A monthly statement (``statements.Statement``) as the files the unit's finance keeps: an
XLSX workbook (a sheet of the orders and their parcels, a sheet of the totals; amounts as
numbers in yuan with two decimals, dates as dates) and an A4 PDF in Chinese (ReportLab, the
font of ``core.exports.pdf_font``), landscape so a row fits, its header row repeated on
every page."""

import datetime as dt
import io
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.exports import XLSX_TYPE, pdf_font
from core.money import yuan, yuan_decimal

from .statements import Statement, StatementOrder

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"


def month_label(statement: Statement) -> str:
    return _("%(year)s年%(month)s月") % {"year": statement.year, "month": statement.month}


def title(statement: Statement) -> str:
    return _("%(unit)s %(month)s对账单") % {"unit": statement.organisation.name, "month": month_label(statement)}


def filename(statement: Statement, extension: str) -> str:
    return f"statement-{statement.organisation.credit_code}-{statement.key}.{extension}"


def period_text(statement: Statement) -> str:
    text = _("%(start)s 至 %(end)s") % {"start": statement.start.date(), "end": statement.last_day}
    if statement.in_progress:
        text += _("（本月尚未结束，数字截至生成时间）")
    return text


def generated_text(statement: Statement) -> str:
    return _("%(time)s（北京时间）") % {"time": f"{statement.generated_at:%Y-%m-%d %H:%M}"}


def totals(statement: Statement) -> list[tuple[str, int]]:
    """The statement's figures as (label, fen), in the order every view of it shows them."""
    return [
        (_("期初未付"), statement.opening_fen),
        (_("本月下单"), statement.ordered_fen),
        (_("本月付款"), statement.paid_fen),
        (_("本月退款"), statement.refunded_fen),
        (_("期初未付订单本月取消"), statement.cancelled_fen),
        (_("月末未付"), statement.outstanding_fen),
        (_("其中逾期"), statement.overdue_fen),
    ]


def due_text(row: StatementOrder) -> str:
    if row.due_on is not None:
        return f"{row.due_on}" + (" " + _("逾期") if row.overdue else "")
    if row.terms_days and not row.closed:
        return _("验收后 %(days)s 天") % {"days": row.terms_days}
    return ""


# --- XLSX ---------------------------------------------------------------------------------------------------------


def _order_header() -> list[tuple[str, str, int]]:
    """(label, kind, width) of the orders sheet's columns; kind "money", "date" or ""."""
    return [
        (_("订单号"), "", 20),
        (_("下单日期"), "date", 12),
        (_("采购员"), "", 10),
        (_("订单状态"), "", 12),
        (_("订单金额（元）"), "money", 14),
        (_("期初未付（元）"), "money", 14),
        (_("本月付款（元）"), "money", 14),
        (_("本月退款（元）"), "money", 14),
        (_("月末未付（元）"), "money", 14),
        (_("付款期限"), "date", 12),
        (_("逾期"), "", 6),
        (_("网店"), "", 20),
        (_("包裹金额（元）"), "money", 14),
        (_("履约状态"), "", 14),
        (_("验收结果"), "", 10),
        (_("验收日期"), "date", 12),
        (_("发票类型"), "", 14),
        (_("发票状态"), "", 10),
        (_("发票号码"), "", 22),
    ]


def _order_rows(statement: Statement):
    """One row per parcel. The order's own figures are on its first parcel's row only, so each
    money column adds up to the statement's totals."""
    for row in statement.orders:
        order_cells = [
            row.number,
            row.placed_on,
            row.purchaser,
            row.status,
            yuan_decimal(row.total_fen),
            yuan_decimal(row.opening_fen),
            yuan_decimal(row.paid_fen),
            yuan_decimal(row.refunded_fen),
            yuan_decimal(row.outstanding_fen),
            row.due_on or (due_text(row) or None),
            _("是") if row.overdue else "",
        ]
        for n, parcel in enumerate(row.parcels or [None]):
            cells = order_cells if n == 0 else [row.number, row.placed_on, row.purchaser, row.status] + [None] * 7
            if parcel is None:
                yield cells + [None] * 8
                continue
            yield cells + [
                parcel.shop,
                yuan_decimal(parcel.subtotal_fen),
                parcel.status,
                parcel.acceptance,
                parcel.accepted_on,
                parcel.invoice_kind,
                parcel.invoice_status,
                parcel.invoice_number,
            ]


def _bold_row(ws, row: int) -> None:
    for cell in ws[row]:
        cell.font = Font(bold=True)


def statement_xlsx(statement: Statement) -> bytes:
    wb = Workbook()
    orders = wb.active
    orders.title = _("订单明细")[:31]
    header = _order_header()
    orders.append([label for label, _kind, _width in header])
    _bold_row(orders, 1)
    for row in _order_rows(statement):
        orders.append(row)
    for i, (_label, kind, width) in enumerate(header, start=1):
        letter = get_column_letter(i)
        orders.column_dimensions[letter].width = width
        if kind:
            for (cell,) in orders.iter_rows(min_row=2, min_col=i, max_col=i):
                if isinstance(cell.value, dt.date) or kind == "money":
                    cell.number_format = MONEY_FORMAT if kind == "money" else DATE_FORMAT
    orders.freeze_panes = "B2"
    if statement.orders:
        orders.auto_filter.ref = orders.dimensions

    summary = wb.create_sheet(_("汇总")[:31])
    summary.append([title(statement)])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append([_("单位"), statement.organisation.name])
    summary.append([_("统一社会信用代码"), statement.organisation.credit_code])
    summary.append([_("起始日期"), statement.start.date()])
    summary.append([_("截止日期"), statement.last_day])
    summary.append([_("生成时间（北京时间）"), statement.generated_at.replace(microsecond=0, tzinfo=None)])
    summary.append([_("订单数"), len(statement.orders)])
    for cell in ("B4", "B5"):
        summary[cell].number_format = DATE_FORMAT
    summary["B6"].number_format = TIME_FORMAT
    summary.append([])
    summary.append([_("项目"), _("金额（元）")])
    _bold_row(summary, summary.max_row)
    for label, fen in totals(statement):
        summary.append([label, yuan_decimal(fen)])
        summary.cell(row=summary.max_row, column=2).number_format = MONEY_FORMAT
    if statement.in_progress:
        summary.append([])
        summary.append([_("本月尚未结束，数字截至生成时间。")])
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 30

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- PDF ----------------------------------------------------------------------------------------------------------


def _parcels_text(row: StatementOrder) -> str:
    # " / ", not " · ": a middle dot in STSong-Light text is drawn as a blank by PDF readers.
    lines = []
    for parcel in row.parcels:
        parts = [f"{parcel.shop} {yuan(parcel.subtotal_fen)}", parcel.status]
        if parcel.acceptance:
            parts.append(f"{parcel.acceptance} {parcel.accepted_on}")
        if parcel.invoice_kind:
            parts.append(" ".join(p for p in (parcel.invoice_kind, parcel.invoice_status, parcel.invoice_number) if p))
        lines.append(escape(" / ".join(parts)))
    return "<br/>".join(lines)


def statement_pdf(statement: Statement) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = pdf_font()
    heading = title(statement)
    title_style = ParagraphStyle("title", fontName=font, fontSize=15, leading=21, spaceAfter=4)
    text_style = ParagraphStyle("text", fontName=font, fontSize=9, leading=13)
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=10)
    money_style = ParagraphStyle("money", parent=cell_style, alignment=2)  # right

    def p(text, style=cell_style):
        return Paragraph(escape(str(text)), style)

    grid = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3ece4")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b9a99a")),
    ]
    story = [
        Paragraph(escape(heading), title_style),
        Paragraph(escape(_("统一社会信用代码：%(code)s") % {"code": statement.organisation.credit_code}), text_style),
        Paragraph(escape(_("对账期间：%(period)s") % {"period": period_text(statement)}), text_style),
        Paragraph(escape(_("生成时间：%(time)s") % {"time": generated_text(statement)}), text_style),
        Spacer(1, 3 * mm),
    ]
    figures = totals(statement)
    summary = Table(
        [[p(label) for label, _fen in figures], [p(yuan(fen), money_style) for _label, fen in figures]],
        colWidths=[265 * mm / len(figures)] * len(figures),
        hAlign="LEFT",
    )
    summary.setStyle(TableStyle(grid))
    story += [summary, Spacer(1, 4 * mm)]

    header = [
        _("订单号"),
        _("下单日期"),
        _("采购员"),
        _("订单状态"),
        _("订单金额"),
        _("期初未付"),
        _("本月付款"),
        _("本月退款"),
        _("月末未付"),
        _("付款期限"),
        _("包裹：网店 / 履约 / 验收 / 发票"),
    ]
    widths_mm = [30, 17, 17, 17, 18, 18, 18, 18, 18, 20, 74]
    data = [[p(h) for h in header]]
    for row in statement.orders:
        data.append(
            [
                p(row.number),
                p(row.placed_on),
                p(row.purchaser),
                p(row.status),
                p(yuan(row.total_fen), money_style),
                p(yuan(row.opening_fen), money_style),
                p(yuan(row.paid_fen), money_style),
                p(yuan(row.refunded_fen), money_style),
                p(yuan(row.outstanding_fen), money_style),
                p(due_text(row)),
                Paragraph(_parcels_text(row), cell_style),
            ]
        )
    if statement.orders:
        data.append(
            [p(_("合计"))]
            + [p("")] * 3
            + [
                p(yuan(sum(r.total_fen for r in statement.orders)), money_style),
                p(yuan(statement.opening_fen), money_style),
                p(yuan(statement.paid_fen), money_style),
                p(yuan(statement.refunded_fen), money_style),
                p(yuan(statement.outstanding_fen), money_style),
                p(""),
                p(""),
            ]
        )
    else:
        data.append([p(_("本月没有对账记录。"))] + [p("")] * (len(header) - 1))
    table = Table(data, colWidths=[w * mm for w in widths_mm], repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(grid))
    story.append(table)

    footer = f"{heading}    {_('生成时间：%(time)s') % {'time': generated_text(statement)}}"

    def on_page(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.drawString(16 * mm, 9 * mm, footer)
        canvas.drawRightString(document.pagesize[0] - 16 * mm, 9 * mm, _("第 %(page)s 页") % {"page": document.page})
        canvas.restoreState()

    buf = io.BytesIO()
    SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        title=heading,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
    ).build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


def xlsx_response(statement: Statement) -> HttpResponse:
    response = HttpResponse(statement_xlsx(statement), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(statement, "xlsx")}"'
    return response


def pdf_response(statement: Statement) -> HttpResponse:
    response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(statement, "pdf")}"'
    return response
