"""Arriving through a link tag (``core.link_codes``): a live event's or a campaign's link
(``?tag=<code>`` on any storefront page, or ``?live=<code>`` as printed before, through
``LinkTagMiddleware``), its code typed on the cart page (``enter_code``) or one tap on
a live event's page (``buy_now``). ``follow`` tags the visitor's session with the link's
target — a live event (``live.tagging``) or another kind's, e.g. a campaign
(``link_tags``): one tag, the most recent link winning — and the cart's items it may
claim. The rules of what a live tag is worth are ``live.tagging`` and
``live.attribution``; a campaign's, ``sales_channels``. The URLs are in the ``live``
namespace (``marketplace/urls.py``)."""

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import link_codes, parsing
from core.errors import DomainError
from live import tagging
from live.models import LiveEvent
from live.tagging import event_for_code, tag_session

from . import link_tags
from .cart import Cart


def follow(request, code: str, at: dt.datetime | None = None):
    """Tag the visitor's session and cart with what ``code`` names: the live event
    (returned) or another kind's target, e.g. a campaign (returned). Raises DomainError
    for an unknown or unpublished code, or one whose link has lapsed."""
    at = at or timezone.now()
    found = link_codes.resolve(code)
    if found is None or found[0] == tagging.LINK_KIND:
        event = tag_session(request, code, at)  # an unknown code: the live events' message, as before
        link_tags.forget(request)
        Cart(request).tag_items(event, at)
        return event
    kind, target = found
    refusal = target.link_refusal(at)
    if refusal:
        raise DomainError(refusal)
    tagging.forget(request)
    link_tags.remember(request, kind, target, at)
    Cart(request).tag_items_with_link(target)
    return target


def _current(request):
    """What the session is tagged with now, to greet a visitor once per link."""
    return (request.session.get(tagging.SESSION_KEY) or {}).get("event"), link_tags.current_code(request)


class LinkTagMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = link_codes.code_in(request.GET) if request.method == "GET" else ""
        if code and hasattr(request, "session") and not request.path.startswith(("/admin/", "/django-admin/")):
            previous = _current(request)
            try:
                target = follow(request, code)
            except DomainError as exc:
                messages.warning(request, str(exc))
            else:
                if previous != _current(request):
                    messages.info(request, _welcome(target))
        return self.get_response(request)


def _welcome(target) -> str:
    if isinstance(target, LiveEvent):
        return _("欢迎来自直播「%(title)s」的朋友！通过本链接下单的订单将计入这场直播。") % {"title": target.title}
    return _("欢迎来自「%(name)s」的朋友！活动期间通过本链接购买的帮扶产品将计入该活动。") % {"name": target.name}


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
    """A code typed on the cart page (read out in the stream, printed on a campaign's
    poster) tags the cart like the link."""
    target = parsing.safe_redirect(request, request.POST.get("next"), reverse("orders:cart"))
    try:
        tagged = follow(request, request.POST.get("code", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if isinstance(tagged, LiveEvent):
            message = _("已使用直播码 %(code)s（%(title)s）。") % {"code": tagged.code, "title": tagged.title}
        else:
            message = _("已使用活动码 %(code)s（%(name)s）。") % {"code": tagged.code, "name": tagged.name}
        messages.success(request, message)
    return redirect(target)
