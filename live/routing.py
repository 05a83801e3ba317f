"""The URL of the live events page (``LiveIndexPage``), cached per process like the
catalogue's (``cms.routing``) and dropped whenever such a page or a site changes."""

import threading

from django.urls import NoReverseMatch

_lock = threading.Lock()
_live_url: str | None = None


def live_page_url() -> str:
    """The live events page's URL, e.g. ``/live/``. Raises NoReverseMatch when there is none."""
    global _live_url
    url = _live_url
    if url is None:
        from .models import LiveIndexPage

        page = LiveIndexPage.objects.live().order_by("path").first()
        url = (page.get_url() if page is not None else None) or ""
        with _lock:
            _live_url = url
    if not url:
        raise NoReverseMatch("没有已发布的直播页 (no live events page): run live.setup.ensure_live_page().")
    return url


def clear_live_url_cache(**kwargs) -> None:
    global _live_url
    with _lock:
        _live_url = None
