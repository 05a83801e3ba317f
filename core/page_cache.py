"""The anonymous full-page cache: whole storefront pages kept in the cache (Redis when
``CACHE_URL`` is set, so every worker shares one) and served before the view runs, and
dropped *exactly* when what they show changes.

Who is served from it: a GET without any cookie but the CSRF and language ones — a
visitor with a session (signed in, a cart, a live tag, a message waiting) always gets
their own page. What is kept: a 200 response of a view that said it may be
(``cacheable(request, *tags)``), rendered for such a visitor, with no cookie of its own
to set.

How a page stays exact:

* **Tags.** A page is kept with the version of each tag it depends on (``site``: pages,
  menus, categories, shops, regions, live events, pictures; ``products``: any product
  card; ``product:<id>``: one product's own page; ``sales``: figures from the ledger).
  ``changed(*tags)`` gives those tags new versions when the transaction that changed the
  data commits; a kept page whose versions are not the current ones is not served. The
  versions are read *before* the view reads the database, so a page rendered while a
  change commits is kept under the old versions and never served as new.
* **Time.** A page is kept until the earliest of: ``PAGE_CACHE_MAX_AGE``, the next
  midnight in Asia/Shanghai (certificates lapse by the day), the next moment a live
  event, campaign or banner starts or ends (``expiry_sources`` that the higher apps
  register, and ``expires_at(request, when)`` from whatever renders such a thing).
* **Language, host, scheme and the full path with its query** are in the key.
* **The CSRF token** in a kept page's forms is taken out when it is kept and a fresh one
  for the visitor put in when it is served (Django's middleware then sets its cookie).

``PAGE_CACHE=0`` turns it off (the benchmark's "cache off" run; the test settings too,
where the tests of this module turn it on).

**Fragments.** The same tags key pieces of pages kept for every visitor, signed in or not
(product cards: ``cms/fragments.py``). So that a fragment is never kept from rows read
before a change under the versions after it, the middleware reads the versions of
``ALWAYS_READ`` before any view runs (``versions_at_start``); a fragment is kept only if
they are still the current ones when it is rendered. ``FRAGMENT_CACHE=0`` turns those off.

The tags' versions are ``core/generations.py``'s, read with the kept reads' generations in
the one cache round trip that starts every GET (``generations.begin_request``)."""

import datetime as dt
import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from . import generations
from .days import day_start

PAGE_PREFIX = "pc:p:"
CSRF_HOLE = "\x00csrf\x00"
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# The tags (cms/page_cache.py says which change bumps which).
SITE = "site"  # pages, menus, categories, shops, regions, live events, pictures
PRODUCTS = "products"  # any product card
SALES = "sales"  # figures from the ledger
EVERYTHING = "all"  # every kept page: bulk writes that send no signal (load_demo)
# The tags most pages name, read in one go before the view runs.
ALWAYS_READ = (EVERYTHING, SITE, PRODUCTS)
# A page with product cards (any storefront page but a product's own).
LISTING_TAGS = (SITE, PRODUCTS)
# Of a view's response, what is kept besides its body (the rest is added on the way out
# by the middleware above this one, for a kept page as for a fresh one).
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "Link", "X-Robots-Tag")
# django-csp reads a view's own policy changes from these attributes of its response.
_CSP_ATTRIBUTES = ("_csp_exempt", "_csp_config", "_csp_update", "_csp_replace")

# Functions (now) -> the next moment something shown on the storefront changes by itself
# (a live event or campaign starts or ends), registered by the apps that know of them.
expiry_sources: list[Callable[[dt.datetime], dt.datetime | None]] = []


def enabled() -> bool:
    return bool(getattr(settings, "PAGE_CACHE", False))


def fragments_enabled() -> bool:
    return bool(getattr(settings, "FRAGMENT_CACHE", False))


# --- tags ------------------------------------------------------------------------------------------------------------


def product_tag(product_id: int) -> str:
    return f"product:{product_id}"


def product_page_tags(product_id: int) -> tuple[str, ...]:
    """What a product's own page shows: its product, and the site around it."""
    return (SITE, product_tag(product_id))


def versions(tags, *, fresh: bool = False) -> dict[str, str]:
    """The current version of each tag (``core/generations.py``; "" while the cache is away)."""
    return generations.versions(tags, fresh=fresh)


def changed(*tags: str) -> None:
    """What pages tagged ``tags`` show has changed: none kept before is served again once
    the current transaction commits (at once outside one). Bumped again at commit, not
    only now: a page rendered from the old rows before the commit must not pass as new."""
    generations.bump(*tags)


def changed_everything() -> None:
    """Drop every kept page (after writes that bypass the models' signals)."""
    changed(EVERYTHING)


# --- what a view says ------------------------------------------------------------------------------------------------


def cacheable(request, *tags: str) -> None:
    """The page this request renders is the same for every anonymous visitor and shows
    only what ``tags`` cover (it replaces what an earlier call said). Call it before
    reading what the tags cover: their versions are taken now."""
    request._page_cache_tags = tuple(dict.fromkeys(tags))
    _read_versions(request, tags)


def depends_on(request, *tags: str) -> None:
    """The page also shows what ``tags`` cover (no effect unless it is ``cacheable``)."""
    current = getattr(request, "_page_cache_tags", None)
    if current is not None:
        request._page_cache_tags = tuple(dict.fromkeys((*current, *tags)))
        _read_versions(request, tags)


def versions_at_start(request) -> dict[str, str] | None:
    """The versions of ``ALWAYS_READ`` as they were before the view read the database, or
    None (fragments off, not a GET, or no middleware on the request)."""
    return getattr(request, "_versions_at_start", None)


def _read_versions(request, tags) -> None:
    known = getattr(request, "_page_cache_known", None)
    if known is not None:  # the middleware is on this request
        new = [tag for tag in tags if tag not in known]
        if new:
            known.update(versions(new))


def expires_at(request, when: dt.datetime | None) -> None:
    """What the page shows changes by itself at ``when`` (a banner's end, a countdown's
    start): it is not served from the cache from then on."""
    if when is None or request is None:
        return
    current = getattr(request, "_page_cache_until", None)
    if current is None or when < current:
        request._page_cache_until = when


def next_midnight(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return day_start(local.date() + dt.timedelta(days=1))


def _until(request, now: dt.datetime) -> dt.datetime:
    candidates = [now + dt.timedelta(seconds=settings.PAGE_CACHE_MAX_AGE), next_midnight(now)]
    hint = getattr(request, "_page_cache_until", None)
    if hint is not None:
        candidates.append(hint)
    for source in expiry_sources:
        when = source(now)
        if when is not None:
            candidates.append(when)
    return min(candidates)  # a moment already past keeps nothing (the caller checks)


# --- the middleware --------------------------------------------------------------------------------------------------


def _page_key(request) -> str:
    raw = "|".join((request.scheme, request.get_host(), request.get_full_path(), request.LANGUAGE_CODE))
    return PAGE_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _anonymous(request) -> bool:
    allowed = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    return (
        request.method == "GET"
        and not set(request.COOKIES) - allowed
        and "HTTP_AUTHORIZATION" not in request.META
        and not getattr(request, "is_preview", False)
        and not getattr(request, "is_dummy", False)
    )


class PageCacheMiddleware:
    """Serves kept pages to anonymous visitors and keeps the pages views call
    ``cacheable``. Placed after the CSRF and locale middleware (it needs the language and
    the visitor's CSRF cookie) and before anything that reads the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        page = enabled() and _anonymous(request)
        key = _page_key(request) if page else None
        # One cache read for the kept page, the versions of the tags every page names and
        # every kept read's generation (read before the view reads the database; the
        # view's own tags when it names them: ``cacheable``).
        known, found, token = generations.begin_request(ALWAYS_READ, [key] if key else [])
        try:
            entry = found.get(key) if key else None
            if entry is not None:
                served = self._serve(request, entry, known)
                if served is not None:
                    return served
            if fragments_enabled():
                request._versions_at_start = known
            if not page:
                return self.get_response(request)
            request._page_cache_known = dict(known)
            response = self.get_response(request)
            self._keep(request, response, key, request._page_cache_known)
            response.headers.setdefault("X-Page-Cache", "miss")
            return response
        finally:
            generations.end_request(token)

    def _serve(self, request, entry, known):
        if entry["until"] <= timezone.now().timestamp():
            return None
        kept = entry["versions"]
        extra = [tag for tag in kept if tag not in known]  # a product's own tag, sales
        current = {**known, **versions(extra)} if extra else known
        if any(current.get(tag) != version for tag, version in kept.items()):
            return None
        body = entry["body"]
        if CSRF_HOLE.encode() in body:
            body = body.replace(CSRF_HOLE.encode(), get_token(request).encode())
        response = HttpResponse(body, status=entry["status"])
        for name, value in entry["headers"]:
            response.headers[name] = value
        for name, value in entry["csp"].items():
            setattr(response, name, value)
        response.headers["X-Page-Cache"] = "hit"
        return response

    def _keep(self, request, response, key, known) -> None:
        tags = getattr(request, "_page_cache_tags", None)
        if (
            tags is None
            or request.method != "GET"
            or response.status_code != 200
            or response.streaming
            or response.cookies.keys() - {settings.CSRF_COOKIE_NAME}
            or "private" in response.headers.get("Cache-Control", "")
            or "no-store" in response.headers.get("Cache-Control", "")
            or getattr(request, "session", None) is not None
            and request.session.modified
        ):
            return
        now = timezone.now()
        until = _until(request, now)
        timeout = int((until - now).total_seconds())
        if timeout < 1:
            return
        tag_versions = {tag: known[tag] for tag in (EVERYTHING, *tags)}
        if not all(tag_versions.values()):
            return  # the cache is away: nothing to compare with later
        body = response.content
        if b'name="csrfmiddlewaretoken"' in body:
            body = _CSRF_INPUT.sub(lambda m: m.group(1) + CSRF_HOLE + m.group(2), body.decode()).encode()
        entry = {
            "versions": tag_versions,
            "until": until.timestamp(),
            "status": response.status_code,
            "headers": [(name, response.headers[name]) for name in _KEPT_HEADERS if name in response.headers],
            "csp": {name: getattr(response, name) for name in _CSP_ATTRIBUTES if hasattr(response, name)},
            "body": body,
        }
        cache.set(key, entry, timeout=timeout)
