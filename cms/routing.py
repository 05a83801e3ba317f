"""URLs of the storefront's catalogue routes (product, category, shop pages).

Products, categories and shops are Django models served through the routable
``CatalogPage``, so their URLs depend on where editors put that page. Looking the page
up on every ``get_absolute_url`` would cost a query per product card; instead the live
catalogue page's URL is cached per process and dropped whenever a catalogue page (or a
site) changes — see the signal receivers at the bottom of ``cms/models.py``.
"""

import threading

from django.urls import NoReverseMatch

_lock = threading.Lock()
_catalog_url: str | None = None


def catalog_page_url() -> str:
    """The live catalogue page's URL, e.g. ``/products/`` (relative with one site)."""
    global _catalog_url
    url = _catalog_url
    if url is None:
        from .models import CatalogPage

        page = CatalogPage.objects.live().order_by("path").first()
        # "" caches the absence too, so that a page of product cards does not look the
        # page up once per card; publishing a catalogue page clears it.
        url = (page.get_url() if page is not None else None) or ""
        with _lock:
            _catalog_url = url
    if not url:
        raise NoReverseMatch("没有已发布的商品目录页 (no live catalogue page): run ensure_storefront_pages().")
    return url


def storefront_url(route_name: str, *args) -> str:
    """The URL of one of ``CatalogPage``'s routes, e.g. ``storefront_url("product", 42)``."""
    from .models import CatalogPage

    return catalog_page_url() + CatalogPage.get_resolver().reverse(route_name, *args)


def clear_storefront_url_cache(**kwargs) -> None:
    """Signal receiver: forget the cached catalogue URL (it is looked up again on next use)."""
    global _catalog_url
    with _lock:
        _catalog_url = None
