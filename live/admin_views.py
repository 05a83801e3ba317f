"""Live events in the Wagtail admin: the list with each event's results, an event's page
(links and QR code, going on and off air, featured products, viewer tokens, hand-entered
totals), its results, and CSV/XLSX exports of the same figures.

Who sees and who manages which event is ``access``: an event outside what the user may
see is a 404 (they may not know it exists); one they see but may not manage answers 403
to every change."""

import io
from decimal import Decimal

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from catalog.models import Shop
from core.errors import DomainError
from core.exports import csv_response, xlsx_response
from core.money import format_fen

from . import services
from .access import events_visible_to, may_create, may_manage
from .forms import EventForm, FeaturedForm, FeaturedUpdateForm, TokenForm, TotalsForm
from .models import EventStatus, FeaturedProduct, LiveEvent, ViewerToken
from .selectors import EventResults, event_results, events_results

PAGE_SIZE = 25
CENT = Decimal("0.01")
EXPORT_CHUNK = 200


def _require_live_access(user) -> None:
    if not (getattr(user, "is_authenticated", False) and user.has_perm("live.view_liveevent")):
        raise PermissionDenied


def _visible_event(request, pk: int) -> LiveEvent:
    _require_live_access(request.user)
    return get_object_or_404(
        events_visible_to(request.user).select_related("region", "organiser_bureau", "cover"), pk=pk
    )


def _managed_event(request, pk: int) -> LiveEvent:
    event = _visible_event(request, pk)
    if not may_manage(request.user, event):
        raise PermissionDenied
    return event


def _listing(user, status: str):
    now = timezone.now()
    qs = (
        events_visible_to(user)
        .with_window()
        .select_related("region", "organiser_bureau")
        .prefetch_related(Prefetch("shops", queryset=Shop.objects.order_by("name")))
        .order_by("-window_start_at", "-pk")
    )
    if status == EventStatus.UPCOMING:
        qs = qs.filter(window_start_at__gt=now)
    elif status == EventStatus.LIVE:
        qs = qs.filter(window_start_at__lte=now, window_end_at__gt=now)
    elif status == EventStatus.ENDED:
        qs = qs.filter(window_end_at__lte=now)
    return qs


def event_index(request):
    _require_live_access(request.user)
    status = request.GET.get("status", "")
    page = Paginator(_listing(request.user, status), PAGE_SIZE).get_page(request.GET.get("p"))
    results = events_results(page.object_list)
    return render(
        request,
        "live/admin/index.html",
        {
            "header_title": "直播带货",
            "page_title": "直播带货 Live-stream sales",
            "page": page,
            "rows": [(event, results[event.pk]) for event in page.object_list],
            "status": status,
            "statuses": EventStatus.choices,
            "may_create": may_create(request.user),
        },
    )


# --- exports: the figures of the screens, one row model -----------------------------------------------------------

LIST_HEADER = [
    "直播码",
    "标题",
    "平台",
    "主办",
    "归属地区",
    "开始",
    "结束",
    "状态",
    "直播中订单",
    "直播中件数",
    "直播中成交额(元)",
    "直播中净额(元)",
    "直播后7天订单",
    "直播后7天件数",
    "直播后7天成交额(元)",
    "直播后7天净额(元)",
    "直播带货订单",
    "直播带货件数",
    "直播带货成交额(元)",
    "直播带货退款(元)",
    "直播带货净额(元)",
    "消费帮扶金额(元)",
    "买家数",
    "受益帮扶户数",
    "帮扶户收入(元)",
    "受益村集体数",
    "村集体收入(元)",
    "客单价(元)",
    "自然成交订单",
    "自然成交额(元)",
    "自然成交净额(元)",
    "最高同时在线",
    "累计观看",
    "转化率(%)",
    "前7天销售(元)",
    "开播起7天销售(元)",
    "增幅(%)",
]


def yuan(fen: int | None) -> Decimal | str:
    """Fen as a yuan amount with two decimals, exact (XLSX keeps it a number)."""
    return "" if fen is None else (Decimal(fen) / 100).quantize(CENT)


def organiser_label(event: LiveEvent) -> str:
    if event.organiser_bureau_id:
        return event.organiser_bureau.name
    return "、".join(shop.name for shop in event.shops.all())


def list_row(event: LiveEvent, r: EventResults) -> list:
    a = r.attributed
    tz = timezone.get_default_timezone()
    return [
        event.code,
        event.title,
        event.get_platform_display(),
        organiser_label(event),
        event.region.name if event.region_id else "",
        timezone.localtime(event.window_start, tz).strftime("%Y-%m-%d %H:%M"),
        timezone.localtime(event.window_end, tz).strftime("%Y-%m-%d %H:%M"),
        event.get_status_display(),
        r.in_live.orders,
        r.in_live.units,
        yuan(r.in_live.gmv_fen),
        yuan(r.in_live.net_fen),
        r.post_live.orders,
        r.post_live.units,
        yuan(r.post_live.gmv_fen),
        yuan(r.post_live.net_fen),
        a.orders,
        a.units,
        yuan(a.gmv_fen),
        yuan(a.refunds_fen),
        yuan(a.net_fen),
        yuan(a.support_fen),
        a.buyers,
        a.households,
        yuan(a.household_income_fen),
        a.collectives,
        yuan(a.collective_income_fen),
        yuan(a.average_order_fen),
        r.window.orders,
        yuan(r.window.gmv_fen),
        yuan(r.window.net_fen),
        "" if r.viewers.peak_concurrent is None else r.viewers.peak_concurrent,
        "" if r.viewers.total_views is None else r.viewers.total_views,
        "" if r.conversion_percent is None else r.conversion_percent,
        yuan(r.uplift.before_fen),
        yuan(r.uplift.during_fen),
        "" if r.uplift.percent is None else r.uplift.percent,
    ]


def _export_rows(qs):
    """Rows of every event of ``qs``, results computed a chunk of events at a time."""
    events = list(qs)
    for start in range(0, len(events), EXPORT_CHUNK):
        chunk = events[start : start + EXPORT_CHUNK]
        results = events_results(chunk)
        for event in chunk:
            yield list_row(event, results[event.pk])


def event_export(request, fmt: str):
    _require_live_access(request.user)
    qs = _listing(request.user, request.GET.get("status", ""))
    filename = f"live-events-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        return csv_response(filename, LIST_HEADER, _export_rows(qs))
    if fmt == "xlsx":
        return xlsx_response(filename, "直播带货", LIST_HEADER, _export_rows(qs))
    raise Http404


RESULT_METRICS = [
    ("订单数", "orders", None),
    ("明细行数", "lines", None),
    ("件数（已扣退款）", "units", None),
    ("退款件数", "units_refunded", None),
    ("成交额(元)", "gmv_fen", "yuan"),
    ("退款(元)", "refunds_fen", "yuan"),
    ("净额(元)", "net_fen", "yuan"),
    ("消费帮扶金额(元)", "support_fen", "yuan"),
    ("买家数", "buyers", None),
    ("客单价(元)", "average_order_fen", "yuan"),
    ("受益帮扶户数", "households", None),
    ("帮扶户收入(元)", "household_income_fen", "yuan"),
    ("受益村集体数", "collectives", None),
    ("村集体收入(元)", "collective_income_fen", "yuan"),
]


def result_rows(r: EventResults) -> list[list]:
    """The results page's main table: one row per figure, one column per kind."""
    rows = []
    kinds = r.kinds()
    for label, attr, unit in RESULT_METRICS:
        values = [getattr(figures, attr) for _key, _label, figures in kinds]
        rows.append([label, *[yuan(v) if unit == "yuan" else v for v in values]])
    return rows


def viewer_rows(r: EventResults) -> list[list]:
    u = r.uplift
    tz = timezone.get_default_timezone()
    span = (
        f"{timezone.localtime(u.before_from, tz):%m-%d %H:%M}–{timezone.localtime(u.start, tz):%m-%d %H:%M} 对比 "
        f"{timezone.localtime(u.start, tz):%m-%d %H:%M}–{timezone.localtime(u.during_until, tz):%m-%d %H:%M}"
    )
    return [
        ["最高同时在线", "" if r.viewers.peak_concurrent is None else r.viewers.peak_concurrent],
        ["累计观看", "" if r.viewers.total_views is None else r.viewers.total_views],
        ["点赞", "" if r.viewers.likes is None else r.viewers.likes],
        ["转化率(%)（直播带货买家数 ÷ 累计观看）", "" if r.conversion_percent is None else r.conversion_percent],
        ["直播商品前7天销售(元)", yuan(u.before_fen)],
        ["直播商品开播起7天销售(元)", yuan(u.during_fen)],
        ["增加(元)", yuan(u.difference_fen)],
        ["增幅(%)", "" if u.percent is None else u.percent],
        ["对比区间", span + ("" if u.complete else "（尚未满7天）")],
    ]


RESULT_HEADER = ["指标", "直播中", "直播后7天", "直播带货合计", "直播时段自然成交"]


def event_results_view(request, pk: int):
    event = _visible_event(request, pk)
    results = event_results(event)
    return render(
        request,
        "live/admin/results.html",
        {
            "header_title": f"直播成效：{event.title}",
            "page_title": f"直播成效 {event.title}",
            "event": event,
            "results": results,
            "header": RESULT_HEADER,
            "rows": result_rows(results),
            "viewer_rows": viewer_rows(results),
        },
    )


def event_results_export(request, pk: int, fmt: str):
    event = _visible_event(request, pk)
    results = event_results(event)
    rows = (
        result_rows(results)
        + [[], ["观看与转化", "", "", "", ""]]
        + [[*row, "", "", ""] for row in viewer_rows(results)]
    )
    filename = f"live-{event.code}-results"
    if fmt == "csv":
        return csv_response(filename, RESULT_HEADER, rows)
    if fmt == "xlsx":
        return xlsx_response(filename, event.code, RESULT_HEADER, rows)
    raise Http404


# --- one event ------------------------------------------------------------------------------------------------------


def event_create(request):
    _require_live_access(request.user)
    if not may_create(request.user):
        raise PermissionDenied
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(form.details(), by=request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已创建直播「{event.title}」，直播码 {event.code}。下一步：添加直播商品。")
            return redirect("live_admin:event", event.pk)
    return render(
        request,
        "live/admin/form.html",
        {"header_title": "安排直播", "page_title": "安排直播 New live event", "form": form},
    )


def event_edit(request, pk: int):
    event = _managed_event(request, pk)
    form = EventForm(request.POST or None, user=request.user, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_event(event.pk, form.details(), by=request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存。")
            return redirect("live_admin:event", event.pk)
    return render(
        request,
        "live/admin/form.html",
        {"header_title": f"编辑直播：{event.title}", "page_title": f"编辑 {event.title}", "form": form, "event": event},
    )


def event_detail(request, pk: int, *, new_token: str = "", new_token_row: ViewerToken | None = None):
    event = _visible_event(request, pk)
    manages = may_manage(request.user, event)
    now = timezone.now()
    features = list(event.featured.select_related("product__shop").order_by("sort_order", "pk"))
    share_url = _share_url(event)
    return render(
        request,
        "live/admin/detail.html",
        {
            "header_title": f"直播：{event.title}",
            "page_title": f"直播 {event.title}",
            "event": event,
            "shops": list(event.shops.order_by("name")),
            "status": event.status_at(now),
            "manages": manages,
            "share_url": share_url,
            "features": [(f, FeaturedUpdateForm(initial=_feature_initial(f), prefix=f"f{f.pk}")) for f in features],
            "featured_form": FeaturedForm(products=services.eligible_products(event)) if manages else None,
            "tokens": list(event.viewer_tokens.select_related("created_by")) if manages else [],
            "token_form": TokenForm() if manages else None,
            "new_token": new_token,
            "new_token_row": new_token_row,
            "totals_form": TotalsForm(
                initial={
                    "peak_viewers": event.manual_peak_viewers,
                    "total_views": event.manual_total_views,
                    "likes": event.manual_likes,
                }
            )
            if manages and now >= event.window_end
            else None,
            "open_for_changes": now < event.window_end,
            "samples_url": _absolute(reverse("live:push_samples", args=[event.code])),
        },
    )


def _absolute(path: str) -> str:
    from django.conf import settings

    return settings.SITE_URL.rstrip("/") + path


def _share_url(event: LiveEvent) -> str:
    from django.urls import NoReverseMatch

    try:
        return event.share_url()
    except NoReverseMatch:
        return ""


def _feature_initial(feature: FeaturedProduct) -> dict:
    price = feature.event_price_fen
    return {
        "event_price": format_fen(price).replace(",", "") if price is not None else "",
        "sort_order": feature.sort_order,
    }


def event_qr(request, pk: int):
    event = _visible_event(request, pk)
    url = _share_url(event)
    if not url:
        raise Http404
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=8, border=2)
    response = HttpResponse(buf.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="live-{event.code}.png"'
    return response


def _act(request, event: LiveEvent, action, success: str):
    """Run a service on a managed event (the caller has checked that it is), with its
    refusal shown as a message."""
    try:
        action(event)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("live_admin:event", event.pk)


@require_POST
def event_go_live(request, pk: int):
    return _act(
        request,
        _managed_event(request, pk),
        lambda e: services.go_live(e.pk, by=request.user),
        "已开播，直播价和直播中归因自现在起生效。",
    )


@require_POST
def event_off_air(request, pk: int):
    return _act(
        request,
        _managed_event(request, pk),
        lambda e: services.go_off_air(e.pk, by=request.user),
        "已下播，直播后7天归因开始计算。",
    )


@require_POST
def featured_add(request, pk: int):
    event = _managed_event(request, pk)
    form = FeaturedForm(request.POST, products=services.eligible_products(event))
    if not form.is_valid():
        _error_messages(request, form)
        return redirect("live_admin:event", event.pk)
    data = form.cleaned_data
    return _act(
        request,
        event,
        lambda e: services.add_featured(
            e.pk,
            data["product"].pk,
            event_price_fen=data["event_price"],
            sort_order=data["sort_order"],
            by=request.user,
        ),
        f"已添加直播商品「{data['product'].title}」。",
    )


def _error_messages(request, form, *, labelled: bool = False) -> None:
    """Each of a refused form's errors as an admin message (the page it returns to shows
    them above the form that was sent), optionally after its field's label."""
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{form.fields[field].label}：{error}" if labelled else error)


def _feature_of(event: LiveEvent, feature_id: int) -> FeaturedProduct:
    return get_object_or_404(FeaturedProduct, pk=feature_id, event=event)


@require_POST
def featured_update(request, pk: int, feature_id: int):
    event = _managed_event(request, pk)
    feature = _feature_of(event, feature_id)
    form = FeaturedUpdateForm(request.POST, prefix=f"f{feature.pk}")
    if not form.is_valid():
        _error_messages(request, form)
        return redirect("live_admin:event", event.pk)
    data = form.cleaned_data
    return _act(
        request,
        event,
        lambda e: services.update_featured(
            feature.pk, event_price_fen=data["event_price"], sort_order=data["sort_order"], by=request.user
        ),
        "已保存直播价。",
    )


@require_POST
def featured_remove(request, pk: int, feature_id: int):
    event = _managed_event(request, pk)
    feature = _feature_of(event, feature_id)
    return _act(request, event, lambda e: services.remove_featured(feature.pk, by=request.user), "已移除直播商品。")


@require_POST
def token_create(request, pk: int):
    event = _managed_event(request, pk)
    form = TokenForm(request.POST)
    label = form.cleaned_data["label"] if form.is_valid() else ""
    try:
        row, raw = services.issue_token(event.pk, label=label, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("live_admin:event", event.pk)
    # Shown on this response only: the token is not stored and cannot be shown again.
    return event_detail(request, pk, new_token=raw, new_token_row=row)


@require_POST
def token_revoke(request, pk: int, token_id: int):
    event = _managed_event(request, pk)
    token = get_object_or_404(ViewerToken, pk=token_id, event=event)
    return _act(
        request, event, lambda e: services.revoke_token(token.pk, by=request.user), f"已撤销令牌 {token.prefix}…。"
    )


@require_POST
def totals_enter(request, pk: int):
    event = _managed_event(request, pk)
    form = TotalsForm(request.POST)
    if not form.is_valid():
        _error_messages(request, form, labelled=True)
        return redirect("live_admin:event", event.pk)
    data = form.cleaned_data
    return _act(
        request,
        event,
        lambda e: services.enter_totals(
            e.pk,
            peak_viewers=data["peak_viewers"],
            total_views=data["total_views"],
            likes=data["likes"],
            by=request.user,
        ),
        "已录入观看总数。",
    )
