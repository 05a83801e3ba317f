"""Running live events in the Wagtail admin: creating and editing an event, its page (links
and QR code, going on and off air, featured products, viewer tokens, hand-entered totals).
The event list and each event's results read the ledger, so they are in ``live_results``
(``live_results/admin_views.py``), which adds them to this area ("直播带货").

Who sees and who manages which event is ``access``: an event outside what the user may
see is a 404 (they may not know it exists); one they see but may not manage answers 403
to every change."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from core import qr
from core.errors import DomainError
from core.money import format_fen

from . import services
from .access import events_visible_to, may_create, may_manage
from .forms import EventForm, FeaturedForm, FeaturedUpdateForm, TokenForm, TotalsForm
from .models import FeaturedProduct, LiveEvent, ViewerToken


def require_live_access(user) -> None:
    if not (getattr(user, "is_authenticated", False) and user.has_perm("live.view_liveevent")):
        raise PermissionDenied


def visible_event(request, pk: int) -> LiveEvent:
    require_live_access(request.user)
    return get_object_or_404(
        events_visible_to(request.user).select_related("region", "organiser_bureau", "cover"), pk=pk
    )


def _managed_event(request, pk: int) -> LiveEvent:
    event = visible_event(request, pk)
    if not may_manage(request.user, event):
        raise PermissionDenied
    return event


# --- one event ------------------------------------------------------------------------------------------------------


def event_create(request):
    require_live_access(request.user)
    if not may_create(request.user):
        raise PermissionDenied
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(form.details(), by=request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext("已创建直播「%(title)s」，直播码 %(code)s。下一步：添加直播商品。")
                % {"title": event.title, "code": event.code},
            )
            return redirect("live_admin:event", event.pk)
    return render(
        request,
        "live/admin/form.html",
        {"header_title": gettext("安排直播"), "page_title": gettext("安排直播"), "form": form},
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
            messages.success(request, gettext("已保存。"))
            return redirect("live_admin:event", event.pk)
    return render(
        request,
        "live/admin/form.html",
        {
            "header_title": gettext("编辑直播：%(title)s") % {"title": event.title},
            "page_title": gettext("编辑直播：%(title)s") % {"title": event.title},
            "form": form,
            "event": event,
        },
    )


def event_detail(request, pk: int, *, new_token: str = "", new_token_row: ViewerToken | None = None):
    event = visible_event(request, pk)
    manages = may_manage(request.user, event)
    now = timezone.now()
    features = list(event.featured.select_related("product__shop").order_by("sort_order", "pk"))
    share_url = _share_url(event)
    return render(
        request,
        "live/admin/detail.html",
        {
            "header_title": gettext("直播：%(title)s") % {"title": event.title},
            "page_title": gettext("直播：%(title)s") % {"title": event.title},
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
    event = visible_event(request, pk)
    url = _share_url(event)
    if not url:
        raise Http404
    return qr.png_response(url, f"live-{event.code}.png")


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
        gettext("已开播，直播价和直播中归因自现在起生效。"),
    )


@require_POST
def event_off_air(request, pk: int):
    return _act(
        request,
        _managed_event(request, pk),
        lambda e: services.go_off_air(e.pk, by=request.user),
        gettext("已下播，直播后7天归因开始计算。"),
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
        gettext("已添加直播商品「%(title)s」。") % {"title": data["product"].title},
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
        gettext("已保存直播价。"),
    )


@require_POST
def featured_remove(request, pk: int, feature_id: int):
    event = _managed_event(request, pk)
    feature = _feature_of(event, feature_id)
    return _act(
        request, event, lambda e: services.remove_featured(feature.pk, by=request.user), gettext("已移除直播商品。")
    )


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
        request,
        event,
        lambda e: services.revoke_token(token.pk, by=request.user),
        gettext("已撤销令牌 %(prefix)s…。") % {"prefix": token.prefix},
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
        gettext("已录入观看总数。"),
    )
