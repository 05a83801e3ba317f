"""The consumption-support report in the Wagtail admin: the dashboard (filters, charts,
tables), per-table CSV/XLSX exports, the whole report as one workbook, a printable view,
and the officer's own API tokens. Bureau officers see their jurisdiction only
(``access.report_jurisdiction``); platform administrators see everything."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Category
from core.errors import DomainError
from core.money import yuan, yuan_decimal
from orders.models import BuyerType
from producers.models import Producer
from sales_channels.models import Channel

from . import exports, pairing_views, services
from .access import report_jurisdiction
from .filters import ReportFilterError, ReportFilters, parse_filters
from .models import ReportApiToken
from .periods import KINDS
from .selectors import CHART_ONLY_TABLES, PAIRING_REPORT, TABLE_BUILDERS, Report, ReportTable, build_report, build_table

TABLE_FORMATS = ("csv", "xlsx")


def _page_tables(report: Report) -> list[ReportTable]:
    return [t for key, t in report.tables.items() if key not in CHART_ONLY_TABLES]


def _query(params: dict) -> str:
    return "?" + urlencode(params) if params else ""


def _load(request) -> ReportFilters:
    """The viewer's checked filters (PermissionDenied for non-officers, ReportFilterError
    for a bad value)."""
    return parse_filters(request.GET, report_jurisdiction(request.user))


def _display_table(table: ReportTable, filters: ReportFilters, *, links: bool = True) -> dict:
    """A table ready for the template: its rows as escaped HTML built here in one pass (a
    year's timeline alone is 365 rows; the template engine would spend most of the
    request on them), drill-down links on the name cell, and its export URLs."""
    link_column = 1 if table.columns and table.columns[0].key == "code" else 0
    kinds = [column.kind for column in table.columns]

    def cells(row, url=""):
        out = []
        for i, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            text = escape(exports.screen_text(value, kind))
            if url and i == link_column:
                text = f'<a href="{escape(url)}">{text}</a>'
            out.append(f'<td class="kind-{kind}">{text}</td>')
        return mark_safe("".join(out))  # noqa: S308  (every value and URL is escaped above)

    def url(link: dict | None) -> str:
        if not link:
            return ""
        if PAIRING_REPORT in link:  # the pairing's own report
            return pairing_views.report_url(link[PAIRING_REPORT], link.get("year"))
        if "_url" in link:  # another page, whole (an offline channel's sales)
            return link["_url"]
        return _query(filters.params(**link))

    rows = []
    for i, row in enumerate(table.rows):
        rows.append(cells(row, url(table.links[i] if links and i < len(table.links) else None)))
    body = format_html_join("\n", "<tr>{}</tr>", ((r,) for r in rows))
    query = _query(filters.params())
    return {
        "table": table,
        "body": body,
        "total": cells(table.total) if table.total else None,
        "csv_url": reverse("reports_admin:export_table", args=[table.key, "csv"]) + query,
        "xlsx_url": reverse("reports_admin:export_table", args=[table.key, "xlsx"]) + query,
    }


def chart_data(report: Report) -> dict:
    """Figures the charts draw, in yuan (display only; the tables carry the exact fen)."""
    f = report.filters
    timeline = report.tables["timeline"]
    by_channel = report.tables["timeline_channels"]
    regions = report.tables["regions"]
    categories = report.tables["categories"]
    return {
        "timeline": {
            "days": [row[0].isoformat() for row in timeline.rows],
            "net": [str(yuan_decimal(row[1])) for row in timeline.rows],
            "uncertified": [str(yuan_decimal(row[2])) for row in timeline.rows],
            "events": [{"date": e["date"].isoformat(), "title": e["title"]} for e in report.events],
            # The same days' net stacked by sales channel (the page's 按渠道堆叠 option).
            "channels": [
                {
                    "key": column.key.removesuffix("_net_fen"),
                    "name": str(label),
                    "data": [str(yuan_decimal(row[i])) for row in by_channel.rows],
                }
                for i, (column, (_value, label)) in enumerate(
                    zip(by_channel.columns[1:-1], Channel.choices, strict=True), start=1
                )
            ],
        },
        "regions": [
            {
                "name": row[1],
                "value": str(yuan_decimal(row[4])),
                "url": _query(f.params(**link)) if link else "",
            }
            for row, link in zip(regions.rows, regions.links, strict=True)
        ],
        "categories": [{"name": row[0], "value": str(yuan_decimal(row[3]))} for row in categories.rows if row[3] > 0],
        # The charts' own words, in the page's language (report-charts.js has no catalog).
        "labels": {
            "yuan": _("元"),
            "net": _("消费帮扶净额"),
            "uncertified": _("未认定产品净额（不计入）"),
            "event": _("直播：{b}"),
            "categories": _("品类占比"),
            "stacked": _("消费帮扶净额（按渠道堆叠）"),
        },
    }


def _chart_table(headers: list, rows: list[tuple]) -> dict:
    """One chart's data table for ``_chart_table.html``: its rows as escaped HTML built here
    in one pass, as ``_display_table`` builds the report's tables (a year's two timelines are
    730 rows; the template engine spent about a quarter of the dashboard's time on them)."""
    body = "".join(
        '<tr><th scope="row">{}</th>{}</tr>'.format(
            escape(row[0]), "".join(f"<td>{escape(cell)}</td>" for cell in row[1:])
        )
        for row in rows
    )
    return {"headers": headers, "body": mark_safe(body)}  # noqa: S308  (every cell is escaped above)


def chart_tables(report: Report) -> dict:
    """Each chart's figures as a table beside it (a <details> 数据表: screen readers, keyboard
    and print read them): the same rows, in the same order, as ``chart_data`` draws, so
    each bar's name sits beside its own value. Money in yuan (``yuan()``), exact to the fen."""
    timeline = report.tables["timeline"]
    by_channel = report.tables["timeline_channels"]
    regions = report.tables["regions"]
    categories = report.tables["categories"]
    return {
        "timeline": _chart_table(
            [_("日期"), _("消费帮扶净额"), _("未认定产品净额（不计入）")],
            [(row[0].isoformat(), yuan(row[1]), yuan(row[2])) for row in timeline.rows],
        ),
        "timeline_channels": _chart_table(
            [_("日期"), *(str(label) for _value, label in Channel.choices), _("消费帮扶净额")],
            [(row[0].isoformat(), *(yuan(v) for v in row[1:])) for row in by_channel.rows],
        ),
        "regions": _chart_table([_("地区"), _("消费帮扶净额")], [(row[1], yuan(row[4])) for row in regions.rows]),
        "categories": _chart_table(
            [_("品类"), _("消费帮扶净额")], [(row[0], yuan(row[3])) for row in categories.rows if row[3] > 0]
        ),
    }


def _form_context(request, filters: ReportFilters | None, jurisdiction: str) -> dict:
    """Choices of the filter form; with no valid filters, the submitted values as typed."""
    get = request.GET
    return {
        "kinds": KINDS.items(),
        "categories": Category.objects.filter(parent__isnull=True).order_by("sort_order", "pk"),
        "producer_kinds": Producer.Kind.choices,
        "buyer_types": BuyerType.choices,
        "form": {
            "period": filters.period.kind if filters else get.get("period", "month"),
            "date": filters.period.start.isoformat() if filters else get.get("date", ""),
            "start": filters.period.start.isoformat() if filters else get.get("start", ""),
            "end": filters.period.end.isoformat() if filters else get.get("end", ""),
            "region": filters.region_code if filters else get.get("region", jurisdiction),
            "category": filters.category.slug if filters and filters.category else get.get("category", ""),
            "producer_kind": filters.producer_kind if filters else get.get("producer_kind", ""),
            "buyer_type": filters.buyer_type if filters else get.get("buyer_type", ""),
        },
    }


def dashboard(request):
    jurisdiction = report_jurisdiction(request.user)
    try:
        filters = parse_filters(request.GET, jurisdiction)
    except ReportFilterError as exc:
        context = {
            "header_title": _("消费帮扶报表"),
            "page_title": _("消费帮扶报表"),
            "error": str(exc),
            **_form_context(request, None, jurisdiction),
        }
        return render(request, "reports/admin/dashboard.html", context, status=400)
    report = build_report(filters)
    previous, following = filters.period.shifted(-1), filters.period.shifted(1)
    query = _query(filters.params())
    context = {
        "header_title": _("消费帮扶报表"),
        "page_title": report.title,
        "report": report,
        "filters": filters,
        "tables": [_display_table(t, filters) for t in _page_tables(report)],
        "timeline_channels_csv": reverse("reports_admin:export_table", args=["timeline_channels", "csv"]) + query,
        "timeline_channels_xlsx": reverse("reports_admin:export_table", args=["timeline_channels", "xlsx"]) + query,
        "chart_data": chart_data(report),
        "chart_tables": chart_tables(report),
        "previous_url": _query(filters.params(period_obj=previous)) if previous else "",
        "next_url": _query(filters.params(period_obj=following)) if following else "",
        "breadcrumb_links": [(r.name, _query(filters.params(region=r.code))) for r in report.breadcrumbs[:-1]],
        "top_url": _query(filters.params(region=filters.jurisdiction or None)) if filters.region else "",
        "workbook_url": reverse("reports_admin:export_workbook") + query,
        "print_url": reverse("reports_admin:print") + query,
        "json_url": reverse("reports_api:report") + query,
        **_form_context(request, filters, jurisdiction),
    }
    return render(request, "reports/admin/dashboard.html", context)


def _bad_request(exc: ReportFilterError) -> HttpResponse:
    return HttpResponse(
        _("筛选条件有误：%(error)s") % {"error": exc}, status=400, content_type="text/plain; charset=utf-8"
    )


def export_table(request, table: str, fmt: str):
    if fmt not in TABLE_FORMATS:
        raise Http404
    try:
        filters = _load(request)
    except ReportFilterError as exc:
        return _bad_request(exc)
    if table not in TABLE_BUILDERS:
        raise Http404
    return exports.table_response(filters, build_table(filters, table), fmt)


def export_workbook(request):
    try:
        filters = _load(request)
    except ReportFilterError as exc:
        return _bad_request(exc)
    return exports.workbook_response(build_report(filters))


def print_report(request):
    """The report on paper (the monthly report by default: ``?period=month&date=...``)."""
    try:
        filters = _load(request)
    except ReportFilterError as exc:
        return _bad_request(exc)
    report = build_report(filters)
    return render(
        request,
        "reports/admin/print.html",
        {
            "report": report,
            "tables": [_display_table(t, filters, links=False) for t in _page_tables(report)],
            "chart_data": chart_data(report),
            "chart_tables": chart_tables(report),
        },
    )


# --- API tokens -------------------------------------------------------------------------------------------------------


def tokens(request):
    report_jurisdiction(request.user)
    new_token = None
    if request.method == "POST":
        try:
            _record, new_token = services.create_api_token(request.user, request.POST.get("name", ""))
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已生成令牌。请立即复制保存，离开本页后将无法再次查看。"))
    return render(
        request,
        "reports/admin/tokens.html",
        {
            "header_title": _("报表接口令牌"),
            "page_title": _("报表接口令牌"),
            "tokens": ReportApiToken.objects.filter(user=request.user),
            "new_token": new_token,
            "api_url": request.build_absolute_uri(reverse("reports_api:report")),
        },
    )


@require_POST
def token_revoke(request, pk: int):
    report_jurisdiction(request.user)
    try:
        services.revoke_api_token(request.user, pk)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("令牌已吊销。"))
    return redirect("reports_admin:tokens")
