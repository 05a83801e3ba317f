"""A visit's link tag of a kind other than a live event — today a promotion campaign
(``sales_channels``), found through ``core.link_codes`` so that orders never imports it.
Live events keep their own tag (``live.tagging``: the session key ``live_tag``, the cart
item's ``live_event``); a visit holds one tag or the other, the most recent link winning.

What such a tag is worth is not decided here: the cart item and then the order line keep
its code as plain text (``link_code``), and whoever reads it at payment decides (a
campaign's pairing, ``sales_channels.selectors.pairing_of``).

A link target (the object ``link_codes.resolve`` answers) offers:

* ``code`` and ``name``;
* ``link_refusal(at)``: why the link cannot be followed at ``at`` ("" when it can);
* ``claimable(products)``: the ids of ``products`` the tag applies to."""

import datetime as dt

from django.utils.dateparse import parse_datetime

from core import link_codes

SESSION_KEY = "link_tag"


def remember(request, kind: str, target, at: dt.datetime) -> None:
    request.session[SESSION_KEY] = {"kind": kind, "code": target.code, "at": at.isoformat()}


def forget(request) -> None:
    request.session.pop(SESSION_KEY, None)


def current_code(request) -> str:
    raw = getattr(request, "session", {}).get(SESSION_KEY)
    return str(raw.get("code", "")) if isinstance(raw, dict) else ""


def session_target(request, at: dt.datetime):
    """The session's link target while it may still be followed; None (and forgotten)
    once it lapsed or is gone."""
    raw = getattr(request, "session", {}).get(SESSION_KEY)
    if not isinstance(raw, dict):
        return None
    found = link_codes.resolve(str(raw.get("code", ""))) if parse_datetime(str(raw.get("at", ""))) else None
    if found is None or found[0] != raw.get("kind") or found[1].link_refusal(at):
        forget(request)
        return None
    return found[1]
