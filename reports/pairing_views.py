"""A pairing's own report in the Wagtail admin (``/admin/channels/pairings/<id>/report/``):
the pairing's sales in one year by month and by product category
(``pairing_report.build_pairing_report``), each table as CSV or XLSX, and both (with the
totals) as one workbook.

Who reads it is who reads the pairing (``sales_channels.selectors.pairings_for``): the
bureaus of both sides and those above or below either side, and platform administrators.
Anybody else gets a 404, as the pairing's own admin pages answer for a row outside one's
scope. The helping side's bureau reads the helped region's sales *under this pairing*
although that region is not its jurisdiction; the report holds figures only."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.admin_area import AdminArea
from sales_channels.selectors import pairings_for

from . import exports
from .pairing_report import build_pairing_report
from .periods import default_pairing_year, pairing_years
from .selectors import ReportTable

TABLES = ("summary", "months", "categories")
FORMATS = ("csv", "xlsx")


def report_url(pairing_pk: int, year: int | None = None) -> str:
    url = reverse("pairing_reports:report", args=[pairing_pk])
    return f"{url}?{urlencode({'year': year})}" if year else url


class _BadYear(Exception):
    pass


def _load(request, pk: int):
    """The pairing (404 unless the user reads it), its years in force and the chosen year."""
    pairing = get_object_or_404(pairings_for(request.user), pk=pk)
    years = pairing_years(pairing)
    raw = request.GET.get("year", "").strip()
    if not raw:
        return pairing, years, default_pairing_year(pairing)
    if not raw.isdigit() or int(raw) not in years:
        raise _BadYear(_("年份须为该结对关系有效的年份：%(years)s。") % {"years": "、".join(str(y) for y in years)})
    return pairing, years, int(raw)


def _bad_year(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _filename(report, what: str) -> str:
    return f"pairing-{report.pairing.pk}-{report.year}-{what}"


def _display(table: ReportTable, pk: int, year: int) -> dict:
    """A table ready for ``reports/admin/_table.html``: cells as the report's screen text."""
    kinds = [column.kind for column in table.columns]

    def cells(row):
        return mark_safe(  # noqa: S308  (every value is escaped here)
            "".join(
                f'<td class="kind-{kind}">{escape(exports.screen_text(value, kind))}</td>'
                for value, kind in zip(row, kinds, strict=True)
            )
        )

    query = "?" + urlencode({"year": year})
    return {
        "table": table,
        "body": format_html_join("\n", "<tr>{}</tr>", ((cells(row),) for row in table.rows)),
        "total": cells(table.total) if table.total else None,
        "csv_url": reverse("pairing_reports:export", args=[pk, table.key, "csv"]) + query,
        "xlsx_url": reverse("pairing_reports:export", args=[pk, table.key, "xlsx"]) + query,
    }


def pairing_report(request, pk: int):
    try:
        pairing, years, year = _load(request, pk)
    except _BadYear as exc:
        return _bad_year(str(exc))
    report = build_pairing_report(pairing, year, years)
    query = "?" + urlencode({"year": year})
    context = {
        "header_title": _("结对销售报表"),
        "page_title": report.title,
        "report": report,
        "pairing": pairing,
        "tables": [_display(t, pairing.pk, year) for t in report.tables.values()],
        "workbook_url": reverse("pairing_reports:workbook", args=[pairing.pk]) + query,
        "inspect_url": reverse("pairings:inspect", args=[pairing.pk]),
        "index_url": reverse("pairings:index"),
    }
    return render(request, "reports/admin/pairing_report.html", context)


def export_table(request, pk: int, table: str, fmt: str):
    if fmt not in FORMATS or table not in TABLES:
        raise Http404
    try:
        pairing, years, year = _load(request, pk)
    except _BadYear as exc:
        return _bad_year(str(exc))
    report = build_pairing_report(pairing, year, years)
    return exports.named_table_response(_filename(report, table), report.tables[table], fmt)


def export_workbook(request, pk: int):
    try:
        pairing, years, year = _load(request, pk)
    except _BadYear as exc:
        return _bad_year(str(exc))
    report = build_pairing_report(pairing, year, years)
    return exports.tables_workbook_response(report.title, report.tables.values(), _filename(report, "report"))


# Beside the pairing's own admin pages (the pairings viewset is under channels/pairings/ too).
area = AdminArea("pairing_reports", "channels/pairings/")
area.add_urls(
    [
        path("<int:pk>/report/", pairing_report, name="report"),
        path("<int:pk>/report/report.xlsx", export_workbook, name="workbook"),
        path("<int:pk>/report/<slug:table>.<str:fmt>", export_table, name="export"),
    ]
)
