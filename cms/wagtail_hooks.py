from wagtail import hooks

from core import page_cache


@hooks.register("before_serve_page")
def kept_for_anonymous_visitors(page, request, serve_args, serve_kwargs):
    """Every storefront page is the same for every anonymous visitor: the page cache may
    keep it (core/page_cache.py). A route that shows less or more says so itself."""
    page_cache.cacheable(request, *page_cache.LISTING_TAGS)
