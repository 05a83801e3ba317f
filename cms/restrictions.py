"""Which pages are under a view restriction (a password, a group, signed-in users only),
read once per process and read again after any change to pages, sites or restrictions
(``pages_generation``, which ``cms/serving.py``'s receivers replace).

Wagtail's ``PageQuerySet.public()`` reads every restriction on each call: two queries on a
pavilion's page (its child pavilions, its stories), one on every index page. ``public``
below filters the same pages out with what is kept."""

import threading

from django.db.models import Q
from wagtail.models import PageViewRestriction

from core.generations import Generation

# Replaced by any change that could move, rename, restrict or edit a page (cms/serving.py).
pages_generation = Generation("cms:pages")

_lock = threading.Lock()
_kept: tuple[str, tuple[str, ...]] = ("", ())


def restricted_paths() -> tuple[str, ...]:
    """The tree paths of the pages that carry a view restriction (their descendants are
    restricted too)."""
    global _kept
    current = pages_generation.current()
    generation, paths = _kept
    if generation != current:
        paths = tuple(PageViewRestriction.objects.order_by("page__path").values_list("page__path", flat=True))
        with _lock:
            _kept = (current, paths)
    return paths


def public(qs):
    """``qs`` (pages) without those under a view restriction: ``qs.public()`` without its query."""
    excluded = Q()
    for path in restricted_paths():
        excluded |= Q(path__startswith=path)
    return qs.exclude(excluded) if excluded else qs
