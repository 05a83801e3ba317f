"""One report table, three renderings: text on the screen and in print, cells in CSV and
XLSX, values in JSON. Each takes the same ``ReportTable`` rows, so an export has exactly
the numbers the screen shows: money is the same integer fen, shown as yuan with two
decimals (a ``Decimal``, never a float), percentages the same one-decimal ``Decimal``."""

import datetime as dt
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.exports import XLSX_TYPE, csv_response, xlsx_response
from core.money import format_fen, yuan_decimal

from .filters import ReportFilters
from .selectors import CHART_ONLY_TABLES, Report, ReportTable

MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0"


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, timezone.get_default_timezone())


def screen_text(value, kind: str) -> str:
    """How a cell reads on the screen and in print."""
    if value is None or value == "":
        return "—" if kind in ("money", "count", "percent") else ""
    if isinstance(value, str):  # a label in a footer row
        return value
    if kind == "money":
        return format_fen(value)
    if kind == "count":
        return f"{value:,}"
    if kind == "percent":
        return f"{value}"
    if kind == "date":
        return value.isoformat()
    if kind == "datetime":
        return _local(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def export_value(value, kind: str):
    """How a cell goes into CSV and XLSX: money as yuan ``Decimal``s with two places."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == "money":
        return yuan_decimal(value)
    if kind == "datetime":
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if kind == "date":
        return value.isoformat()
    return value


def json_value(value, kind: str):
    """How a cell goes into JSON: money stays integer fen (keys end in ``_fen``)."""
    if value is None or isinstance(value, str):
        return value
    if kind == "percent":
        return str(value)
    if kind == "datetime":
        return _local(value).isoformat()
    if kind == "date":
        return value.isoformat()
    return value


def export_rows(table: ReportTable) -> list[list]:
    """The table's rows, then its total row, as export cells."""
    rows = [*table.rows, *([table.total] if table.total else [])]
    return [[export_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)] for row in rows]


def table_json(table: ReportTable) -> dict:
    def as_dict(row):
        return {c.key: json_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)}

    return {
        "title": table.title,
        "note": table.note,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns],
        "rows": [as_dict(row) for row in table.rows],
        "total": as_dict(table.total) if table.total else None,
    }


def report_json(report: Report) -> dict:
    f = report.filters
    return {
        "title": report.title,
        "generated_at": report.generated_at.isoformat(),
        "filters": {
            "period": f.period.kind,
            "start": f.period.start.isoformat(),
            "end": f.period.end.isoformat(),
            "region": f.region_code,
            "category": f.category.slug if f.category else "",
            "producer_kind": f.producer_kind,
            "buyer_type": f.buyer_type,
        },
        "region": {"code": f.region_code, "name": f.region.name if f.region else _("全国")},
        "money_unit": "fen",
        "events": [
            {"id": e["id"], "date": e["date"].isoformat(), "title": e["title"], "start": _local(e["start"]).isoformat()}
            for e in report.events
        ],
        "tables": {key: table_json(table) for key, table in report.tables.items()},
    }


def filename(f: ReportFilters, what: str) -> str:
    return f"consumption-support-{what}-{f.region_code or 'all'}-{f.period.start:%Y%m%d}-{f.period.end:%Y%m%d}"


def table_response(f: ReportFilters, table: ReportTable, fmt: str):
    return named_table_response(filename(f, table.key), table, fmt)


def named_table_response(name: str, table: ReportTable, fmt: str):
    """One table as CSV or XLSX (``fmt``), the file called ``name``."""
    header = [c.label for c in table.columns]
    if fmt == "csv":
        return csv_response(name, header, export_rows(table))
    return xlsx_response(name, table.title, header, export_rows(table))


def workbook_response(report: Report) -> HttpResponse:
    """Every table of the report (but those shown only as a chart's data), one sheet each,
    with the title and filters on top."""
    tables = [t for key, t in report.tables.items() if key not in CHART_ONLY_TABLES]
    return tables_workbook_response(report.title, tables, filename(report.filters, "report"))


def tables_workbook_response(title: str, tables, name: str) -> HttpResponse:
    """``tables`` (``ReportTable``s) as one workbook, a sheet each with ``title`` on top,
    the table's note, its header and its rows (money and percentages formatted)."""
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        ws = wb.create_sheet(table.title[:31])
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=13)
        if table.note:
            ws.append([table.note])
        ws.append([c.label for c in table.columns])
        header_row = ws.max_row
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
        for row in export_rows(table):
            ws.append(row)
        for i, column in enumerate(table.columns, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(10, len(column.label) * 2 + 2)
            if column.kind in ("money", "percent"):
                for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=i, max_col=i):
                    cell.number_format = MONEY_FORMAT if column.kind == "money" else PERCENT_FORMAT
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
