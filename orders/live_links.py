"""Arriving through a live event: its link (``?live=<code>`` on any storefront page, through
``LiveLinkMiddleware``), its code typed on the cart page (``enter_code``) or one tap on
the event page (``buy_now``). ``follow`` tags the visitor's session with the event
(``live.tagging``) and the cart's items the event may claim; the rules of what a tag is
worth are ``live.tagging`` and ``live.attribution``. The URLs are in the ``live``
namespace (``marketplace/urls.py``)."""

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import parsing
from core.errors import DomainError
from live.models import LiveEvent
from live.tagging import SESSION_KEY, event_for_code, tag_session

from .cart import Cart


def follow(request, code: str, at: dt.datetime | None = None) -> LiveEvent:
    """Tag the visitor's session and cart with the event ``code``. Raises DomainError
    for an unknown or unpublished code, or one whose post-live period is over."""
    at = at or timezone.now()
    event = tag_session(request, code, at)
    Cart(request).tag_items(event, at)
    return event


class LiveLinkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.GET.get("live") if request.method == "GET" else None
        if code and hasattr(request, "session") and not request.path.startswith(("/admin/", "/django-admin/")):
            previous = (request.session.get(SESSION_KEY) or {}).get("event")
            try:
                event = follow(request, code)
            except DomainError as exc:
                messages.warning(request, str(exc))
            else:
                if previous != event.pk:
                    messages.info(
                        request,
                        _("欢迎来自直播「%(title)s」的朋友！通过本链接下单的订单将计入这场直播。")
                        % {"title": event.title},
                    )
        return self.get_response(request)


@require_POST
def buy_now(request, code: str):
    """立即抢购: one unit of a featured product into the cart, then to checkout. The cart
    item is tagged with the event only if the visitor came through its link or code."""
    event = event_for_code(code)
    if event is None:
        raise Http404
    feature = event.featured.filter(
        product_id=parsing.object_id(request.POST.get("product_id"), label=_("商品"))
    ).first()
    if feature is None:
        raise Http404
    try:
        Cart(request).add(feature.product_id, 1)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(event.get_absolute_url())
    return redirect("orders:checkout")


@require_POST
def enter_code(request):
    """A code typed on the cart page (or read out in the stream) tags the cart like the link."""
    target = parsing.safe_redirect(request, request.POST.get("next"), reverse("orders:cart"))
    try:
        event = follow(request, request.POST.get("code", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("已使用直播码 %(code)s（%(title)s）。") % {"code": event.code, "title": event.title}
        )
    return redirect(target)
