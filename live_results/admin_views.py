"""The live events' screens that read the ledger, in the "直播带货" admin area (declared by
``live/wagtail_hooks.py``): the event list with each event's results, an event's results
page, and their CSV/XLSX exports (the same rows: ``exports.py``). Who may see which
event is ``live.access``; an event outside it is a 404."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Shop
from core.exports import csv_response, xlsx_response
from live.access import events_visible_to, may_create
from live.admin_views import require_live_access, visible_event
from live.models import EventStatus

from .exports import LIST_HEADER, RESULT_HEADER, export_rows, result_rows, viewer_rows
from .selectors import event_results, events_results

PAGE_SIZE = 25


def listing(user, status: str):
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
    require_live_access(request.user)
    status = request.GET.get("status", "")
    page = Paginator(listing(request.user, status), PAGE_SIZE).get_page(request.GET.get("p"))
    results = events_results(page.object_list)
    return render(
        request,
        "live/admin/index.html",
        {
            "header_title": _("直播带货"),
            "page_title": _("直播带货"),
            "page": page,
            "rows": [(event, results[event.pk]) for event in page.object_list],
            "status": status,
            "statuses": EventStatus.choices,
            "may_create": may_create(request.user),
        },
    )


def event_export(request, fmt: str):
    require_live_access(request.user)
    qs = listing(request.user, request.GET.get("status", ""))
    filename = f"live-events-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        return csv_response(filename, [str(h) for h in LIST_HEADER], export_rows(qs))
    if fmt == "xlsx":
        return xlsx_response(filename, _("直播带货"), [str(h) for h in LIST_HEADER], export_rows(qs))
    raise Http404


def event_results_view(request, pk: int):
    event = visible_event(request, pk)
    results = event_results(event)
    return render(
        request,
        "live/admin/results.html",
        {
            "header_title": _("直播成效：%(title)s") % {"title": event.title},
            "page_title": _("直播成效：%(title)s") % {"title": event.title},
            "event": event,
            "results": results,
            "header": RESULT_HEADER,
            "rows": result_rows(results),
            "viewer_rows": viewer_rows(results),
        },
    )


def event_results_export(request, pk: int, fmt: str):
    event = visible_event(request, pk)
    results = event_results(event)
    rows = (
        result_rows(results)
        + [[], [_("观看与转化"), "", "", "", ""]]
        + [[*row, "", "", ""] for row in viewer_rows(results)]
    )
    filename = f"live-{event.code}-results"
    header = [str(h) for h in RESULT_HEADER]
    if fmt == "csv":
        return csv_response(filename, header, rows)
    if fmt == "xlsx":
        return xlsx_response(filename, event.code, header, rows)
    raise Http404
