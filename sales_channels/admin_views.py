"""The sales channels' admin pages beyond the generic ones: a pairing's inspect page leads to
the pairing's own report (served by the reports app, ``report_links``); the bureaus'
drill-down into offline sales (by point, then row by row, with CSV/XLSX exports); and each
offline point's page — its sales, its batches (refused ones with their reasons), and for
platform administrators its token and the CSV upload."""

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin.widgets import HeaderButton

from core import parsing
from core.admin_policy import ScopedInspectView
from core.exports import csv_response, xlsx_response
from core.money import format_fen
from core.scoping import is_platform_admin

from . import services
from .models import OFFLINE_CHANNELS, IntakeBatch, OfflinePoint, OfflineSale
from .report_links import report_url
from .selectors import (
    OfflineFilters,
    may_read_offline_sales,
    offline_sales_for,
    offline_totals_by_point,
    points_for,
)


class PairingInspectView(ScopedInspectView):
    @cached_property
    def header_buttons(self):
        url = report_url(self.object.pk)
        return [HeaderButton(_("结对销售报表"), url=url, icon_name="table")] if url else []


PAGE_SIZE = 50
MAX_DAYS = 366 * 5


def _reader(request):
    if not may_read_offline_sales(request.user):
        raise PermissionDenied(gettext("只有主管部门干部和平台管理员可以查看线下销售。"))


def _filters(request) -> OfflineFilters:
    """The filters asked for: from–to (Shanghai days; this year so far by default),
    channel, point. A bad value is a 400 with its reason."""
    today = timezone.localdate()
    start = parsing.optional_date(request.GET.get("from"), label=gettext("起始日期")) or today.replace(month=1, day=1)
    end = parsing.optional_date(request.GET.get("to"), label=gettext("截止日期")) or today
    if end < start:
        raise parsing.BadInput(gettext("截止日期不能早于起始日期。"))
    if (end - start).days > MAX_DAYS:
        raise parsing.BadInput(gettext("一次最多查询 5 年。"))
    channel = request.GET.get("channel", "")
    if channel and channel not in {c.value for c in OFFLINE_CHANNELS}:
        raise parsing.BadInput(gettext("没有这种线下渠道。"))
    point_id = parsing.optional_id(request.GET.get("point"), label=gettext("网点"))
    return OfflineFilters(start=start, end=end, channel=channel, point_id=point_id)


def _query(f: OfflineFilters, **changes) -> str:
    params = {"from": f.start.isoformat(), "to": f.end.isoformat(), "channel": f.channel, "point": f.point_id or ""}
    params.update(changes)
    return "?" + urlencode({k: v for k, v in params.items() if v})


def _signed(sale: OfflineSale, value: int) -> int:
    return -value if sale.kind == OfflineSale.Kind.REFUND else value


def offline_sales(request):
    _reader(request)
    f = _filters(request)
    sales = offline_sales_for(request.user, f)
    by_point = offline_totals_by_point(sales)
    total = {k: sum(r[k] for r in by_point) for k in ("sales_fen", "refunds_fen", "net_fen", "units", "rows")}
    page = Paginator(sales, PAGE_SIZE).get_page(parsing.page_number(request.GET.get("page")))
    points = list(points_for(request.user).order_by("code"))
    return render(
        request,
        "sales_channels/admin/offline_sales.html",
        {
            "header_title": _("线下销售"),
            "page_title": _("线下销售"),
            "f": f,
            "by_point": by_point,
            "total": total,
            "page": page,
            "rows": [(s, _signed(s, s.quantity), _signed(s, s.amount_fen)) for s in page.object_list],
            "channels": [(c.value, c.label) for c in OFFLINE_CHANNELS],
            "points": points,
            "query": _query(f),
            "page_query": _query(f) + "&page=",
            "is_platform": is_platform_admin(request.user),
        },
    )


EXPORT_HEADER = (
    _("时间"),
    _("网点编号"),
    _("网点"),
    _("渠道"),
    _("网点流水号"),
    _("类型"),
    _("原流水号"),
    _("产品"),
    _("上报的产品编号"),
    _("数量"),
    _("单价（元）"),
    _("金额（元）"),
)


def _export_rows(sales):
    tz = timezone.get_default_timezone()
    for s in sales.iterator(chunk_size=2000):
        yield [
            timezone.localtime(s.sold_at, tz).strftime("%Y-%m-%d %H:%M:%S"),
            s.point.code,
            s.point.name,
            str(s.point.get_kind_display()),
            s.sale_id,
            str(s.get_kind_display()),
            s.refund_of.sale_id if s.refund_of_id else "",
            s.product.title,
            s.product_ref,
            _signed(s, s.quantity),
            format_fen(s.unit_price_fen),
            format_fen(_signed(s, s.amount_fen)),
        ]


def offline_sales_export(request, fmt: str):
    _reader(request)
    f = _filters(request)
    sales = offline_sales_for(request.user, f)
    filename = f"offline-sales-{f.start:%Y%m%d}-{f.end:%Y%m%d}"
    header = [str(h) for h in EXPORT_HEADER]
    if fmt == "csv":
        return csv_response(filename, header, _export_rows(sales))
    if fmt == "xlsx":
        return xlsx_response(filename, gettext("线下销售"), header, _export_rows(sales))
    raise Http404


# --- one point ------------------------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV 文件"), help_text=_("UTF-8 或 Excel 另存的 CSV，最多 500 行、2 MB。"))


def _point(request, pk: int) -> OfflinePoint:
    _reader(request)
    return get_object_or_404(points_for(request.user), pk=pk)


def point_detail(request, pk: int, *, new_token: str = "", upload_form=None, refusal=None):
    point = _point(request, pk)
    manages = is_platform_admin(request.user)
    today = timezone.localdate()
    f = OfflineFilters(start=today - dt.timedelta(days=29), end=today, point_id=point.pk)
    sales = offline_sales_for(request.user, f)
    totals = offline_totals_by_point(sales)
    api_url = settings.SITE_URL.rstrip("/") + reverse("sales_channels:report_sales", args=[point.code])
    return render(
        request,
        "sales_channels/admin/point.html",
        {
            "header_title": point.name,
            "page_title": point.name,
            "point": point,
            "manages": manages,
            "totals": totals[0] if totals else None,
            "recent": [(s, _signed(s, s.quantity), _signed(s, s.amount_fen)) for s in sales[:20]],
            "sales_query": _query(OfflineFilters(start=today.replace(month=1, day=1), end=today, point_id=point.pk)),
            "batches": [(b, [services.describe(e) for e in b.errors]) for b in point.batches.all()[:20]]
            if manages
            else [],
            "new_token": new_token,
            "api_url": api_url,
            "upload_form": upload_form or (UploadForm() if manages else None),
            "refusal": refusal,
        },
        status=400 if refusal else 200,
    )


def _manager(request):
    if not is_platform_admin(request.user):
        raise PermissionDenied(gettext("只有平台管理员可以管理线下网点。"))


@require_POST
def point_token(request, pk: int):
    _manager(request)
    point = get_object_or_404(OfflinePoint, pk=pk)
    token = services.issue_token(point.pk)
    # Shown on this response only: the token itself is not stored.
    return point_detail(request, point.pk, new_token=token)


@require_POST
def point_upload(request, pk: int):
    _manager(request)
    point = get_object_or_404(OfflinePoint, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return point_detail(request, point.pk, upload_form=form, refusal=[])
    upload = form.cleaned_data["file"]
    try:
        items, numbers = services.rows_of_csv(upload.read(services.MAX_CSV_BYTES + 1))
        booked = services.record_batch(
            point.pk, items, source=IntakeBatch.Source.CSV, numbers=numbers, by=request.user, filename=upload.name
        )
    except services.BatchRefused as exc:
        return point_detail(request, point.pk, upload_form=form, refusal=[services.describe(e) for e in exc.errors])
    messages.success(
        request,
        gettext("已入账 %(new)s 行，%(repeated)s 行此前已入账。") % {"new": booked.new, "repeated": booked.repeated},
    )
    return redirect("sales_channels_admin:point", point.pk)
