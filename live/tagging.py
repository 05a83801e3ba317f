"""Following an event's link (``?tag=<code>``, or ``?live=<code>`` as printed before: the one
link tag of ``core.link_codes``) or entering its code: the visitor's
session remembers the event and when (``tag_session``); the cart (``orders.live_links``,
``orders.cart.Cart``) tags the items the event may claim (``claimable``), and products put
in the cart later while the tag holds. Whether a tagged line then counts as in-live or post-live is
decided at checkout (``attribution.attribute_lines``).

Decided: the most recent link wins (a cart item already tagged by another event is
re-tagged), because it is the stream the buyer came from last. A tag can be taken from
the moment an event is published (a link shared before the stream) until its post-live
period ends."""

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from core import link_codes
from core.errors import DomainError

from .attribution import LiveTag, qualifies
from .models import CODE_ALPHABET, LiveEvent

SESSION_KEY = "live_tag"
LINK_KIND = "live"  # the kind live events' codes are registered as (``apps.py``)


def normalise_code(code: str) -> str:
    return link_codes.normalise(code)


def holds_code(code: str) -> bool:
    """Whether any event, published or not, has ``code`` (the one code namespace)."""
    return LiveEvent.objects.filter(code=code).exists()


def unknown_code_message(code: str) -> str:
    return gettext("直播码「%(code)s」不存在或尚未公开，请核对。") % {"code": normalise_code(code) or code}


def event_for_code(code: str) -> LiveEvent | None:
    """The published event with this code (any letter case), or None."""
    code = normalise_code(code)
    if not code or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return LiveEvent.objects.published().filter(code=code).first()


def tag_session(request, code: str, at: dt.datetime | None = None) -> LiveEvent:
    """Remember in the visitor's session that they came through the event ``code`` (its
    link, QR code or the code typed in). Raises DomainError for an unknown or unpublished
    code, or one whose post-live period is over. The cart's items are tagged by the cart
    (``orders.live_links.follow``)."""
    at = at or timezone.now()
    event = event_for_code(code)
    if event is None:
        raise DomainError(unknown_code_message(code))
    if at >= event.post_live_end:
        raise DomainError(gettext("直播「%(title)s」已结束超过 7 天，直播链接已失效。") % {"title": event.title})
    request.session[SESSION_KEY] = {"event": event.pk, "at": at.isoformat()}
    return event


def forget(request) -> None:
    """Drop the session's live tag (a more recent link of another kind replaced it)."""
    request.session.pop(SESSION_KEY, None)


def session_tag(request, at: dt.datetime | None = None) -> tuple[LiveTag, LiveEvent] | None:
    """The session's tag and its event while the tag holds; None (and forgotten) once
    the event's post-live period is over or the event was unpublished."""
    raw = getattr(request, "session", {}).get(SESSION_KEY)
    if not isinstance(raw, dict):
        return None
    tagged_at = parse_datetime(str(raw.get("at", "")))
    event = LiveEvent.objects.published().filter(pk=raw.get("event")).first() if tagged_at else None
    at = at or timezone.now()
    if event is None or at >= event.post_live_end:
        request.session.pop(SESSION_KEY, None)
        return None
    return LiveTag(event.pk, tagged_at), event


def claimable(event: LiveEvent, products) -> set[int]:
    """Which of ``products`` a tag of ``event`` may claim. Two queries."""
    featured = set(event.featured.values_list("product_id", flat=True))
    shops = set(event.shops.values_list("pk", flat=True))
    return {p.pk for p in products if qualifies(p.pk, p.shop_id, featured, shops)}
