"""One link tag for every code a storefront link or a typed code can carry: a live
event's (``live``) and a promotion campaign's (``sales_channels``), and whatever kind
comes next.

* **One code namespace.** Codes are 8 characters of ``CODE_ALPHABET`` (no O/0, I/1: a
  viewer reads them aloud or types them from a poster); each app that owns codes
  registers its kind here when it starts (``register``), so a new code is drawn outside
  every kind (``new_code``) and a code typed in by staff is refused when another kind
  holds it (``is_taken``). The tables cannot share a unique index, so this is the rule.
* **One link.** ``share_url`` builds every share link and QR code target:
  ``<page>?tag=<code>``. ``?live=<code>`` (the live events' parameter before) is still
  read, so links and QR codes already printed keep working (``LINK_PARAMS``).
* **One resolver.** ``resolve`` answers which kind holds a code, and the object; what a
  tag is then worth is the owning app's business (``orders.live_links.follow`` tags the
  visit and the cart)."""

import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings

CODE_ALPHABET = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"
CODE_LENGTH = 8
MIN_CODE_LENGTH = 4
MAX_CODE_LENGTH = 12
PARAM = "tag"
# Every query parameter a storefront link may carry a code in, the current one first.
LINK_PARAMS = (PARAM, "live")


@dataclass(frozen=True)
class LinkKind:
    """``holds(code)``: whether any row of the kind has this code (published or not);
    ``find(code)``: the row a visitor may follow the code to (e.g. a published live
    event), or None. Both get a normalised, well-formed code."""

    name: str
    holds: Callable[[str], bool]
    find: Callable[[str], object | None]


_kinds: dict[str, LinkKind] = {}


def register(name: str, *, holds: Callable[[str], bool], find: Callable[[str], object | None]) -> None:
    _kinds[name] = LinkKind(name, holds, find)


def normalise(code: str) -> str:
    return (code or "").strip().upper()[:MAX_CODE_LENGTH]


def well_formed(code: str) -> bool:
    return MIN_CODE_LENGTH <= len(code) <= MAX_CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def is_taken(code: str, *, besides: str = "") -> bool:
    """Whether a kind other than ``besides`` holds ``code`` (the caller checks its own
    kind's rows, its own row excluded)."""
    code = normalise(code)
    return any(kind.holds(code) for name, kind in _kinds.items() if name != besides)


def new_code() -> str:
    """Eight characters no kind holds yet."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not any(kind.holds(code) for kind in _kinds.values()):
            return code


def resolve(code: str) -> tuple[str, object] | None:
    """``(kind name, object)`` of the first kind that finds ``code`` (any letter case),
    or None for a code nobody may follow."""
    code = normalise(code)
    if not well_formed(code):
        return None
    for name, kind in _kinds.items():
        found = kind.find(code)
        if found is not None:
            return name, found
    return None


def code_in(query) -> str:
    """The code a request's query string carries (``?tag=``, or the older ``?live=``)."""
    for param in LINK_PARAMS:
        if query.get(param):
            return query[param]
    return ""


def share_url(path: str, code: str) -> str:
    """The absolute link that tags a visit with ``code``, landing on ``path``."""
    return f"{settings.SITE_URL.rstrip('/')}{path}?{urlencode({PARAM: code})}"
