"""Where the storefront shows a domain object.

Products, categories, shops and live events are Django models of apps below ``cms``; the
pages that show them are Wagtail pages (routable ones) whose URLs depend on where editors
put them. So the models know their identifiers, not their pages: ``cms`` registers one
URL builder per kind when it starts (``cms/apps.py``) and ``get_absolute_url`` asks here.
With no builder registered (no storefront installed), ``page_url`` raises
``NoReverseMatch``, as ``reverse()`` does for a URL that does not exist."""

from collections.abc import Callable

from django.urls import NoReverseMatch

_builders: dict[str, Callable[..., str]] = {}


def register_page_url(kind: str, builder: Callable[..., str]) -> None:
    """Let ``builder(*identifiers)`` answer the URL of the page showing a ``kind``."""
    _builders[kind] = builder


def page_url(kind: str, *identifiers) -> str:
    """The URL of the storefront page showing the ``kind`` named by ``identifiers``,
    e.g. ``page_url("product", 42)``."""
    builder = _builders.get(kind)
    if builder is None:
        raise NoReverseMatch(f"没有页面展示 {kind} (no storefront page serves {kind!r})")
    return builder(*identifiers)
