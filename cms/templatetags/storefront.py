"""Template helpers of the storefront: prefetched renditions, the category navigation and
catalogue URLs. Money is formatted by the kernel's ``money`` library (``{% load money %}``)."""

from django import template
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from wagtail.models import Page

from catalog.models import CARD_RENDITION, CARD_RENDITION_SMALL, DETAIL_RENDITION, DETAIL_RENDITION_SMALL

from .. import fragments, menus, routing
from ..block_data import top_level_categories_for
from ..renditions import (
    ARTICLE_CARD_RENDITION,
    BANNER_RENDITION,
    BANNER_RENDITION_SMALL,
    rendition_of,
    renditions_of,
)

register = template.Library()


def _rendition(image, spec: str):
    # With the renditions prefetched (Product.objects.for_cards() and the detail
    # selector do), this costs no query and no cache write (cms/renditions.py). A rendition
    # that was never generated is made here once (catalog.tasks warms them up ahead of
    # visitors), exactly as {% image %} would.
    return rendition_of(image, spec) if image is not None else None


@register.simple_tag
def card_rendition(product):
    """The card rendition of the product's first image, or None."""
    return _rendition(product.main_image, CARD_RENDITION)


@register.simple_tag
def detail_rendition(image):
    return _rendition(image, DETAIL_RENDITION)


def _srcset(image, small_spec: str, full_spec: str) -> str:
    """ "<small url> <w>w, <full url> <w>w" for an <img srcset>, from prefetched renditions."""
    if image is None:
        return ""
    renditions = renditions_of(image, small_spec, full_spec)
    return ", ".join(f"{r.url} {r.width}w" for r in renditions)


@register.simple_tag
def card_srcset(product):
    """The card image at half and full size (both prefetched by ``for_cards``)."""
    return _srcset(product.main_image, CARD_RENDITION_SMALL, CARD_RENDITION)


@register.simple_tag
def detail_srcset(image):
    return _srcset(image, DETAIL_RENDITION_SMALL, DETAIL_RENDITION)


@register.simple_tag(takes_context=True)
def product_cards(context, products, data_attrs=False):
    """The cards of ``products`` (``cms/includes/product_card.html``), kept rendered
    between requests (``cms/fragments.py``)."""
    return fragments.product_cards(context.get("request"), products, data_attrs=data_attrs)


@register.simple_tag(takes_context=True)
def storefront_categories(context):
    """The top-level categories for the navigation, queried once per request however
    many times a page asks."""
    return top_level_categories_for(context.get("request"))


@register.simple_tag
def storefront_url(route_name: str, *args) -> str:
    """URL of a catalogue route; '#' while no catalogue page is live, so that pages
    around it (404, search) still render."""
    try:
        return routing.storefront_url(route_name, *args)
    except NoReverseMatch:
        return "#"


_AREA_URLS = {"live": routing.live_page_url, "stories": routing.stories_page_url}


@register.simple_tag
def area_url(area: str) -> str:
    """URL of the live events page or the stories page for the header, the footer and
    the phone's bottom bar; "" while there is no such live page (the link is left out).
    Cached per process (cms/routing.py): no query per page view."""
    try:
        return _AREA_URLS[area]()
    except NoReverseMatch:
        return ""


@register.simple_tag
def article_cover_rendition(image):
    return _rendition(image, ARTICLE_CARD_RENDITION)


@register.simple_tag
def banner_rendition(image):
    """A campaign's or pavilion's banner at full size (prefetched by ``selectors.banner_image``)."""
    return _rendition(image, BANNER_RENDITION)


@register.simple_tag
def banner_srcset(image):
    return _srcset(image, BANNER_RENDITION_SMALL, BANNER_RENDITION)


@register.simple_tag(takes_context=True)
def site_menus(context):
    """The header and footer menus (``cms/menus.py``), once per request."""
    request = context.get("request")
    cached = getattr(request, "_site_menus", None)
    if cached is None:
        cached = menus.menus_for_request(request)
        if request is not None:
            request._site_menus = cached
    return cached


@register.inclusion_tag("cms/includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, page, categories=(), current=""):
    """首页 › … › the page, from the page tree, for any page below the home page; then the
    catalogue's ``categories`` (a chain, top first) and ``current`` (the title of what a
    routable page shows, such as a product), if given. The last item is the page being
    shown. One query, for pages deeper than the home page's children (their ancestors)."""
    if not isinstance(page, Page) or page.depth <= 2:
        return {"crumbs": []}
    request = context.get("request")
    crumbs = [{"name": _("首页"), "url": "/"}]
    if page.depth > 3:
        for ancestor in Page.objects.ancestor_of(page).filter(depth__gt=2).order_by("depth"):
            crumbs.append({"name": ancestor.title, "url": ancestor.get_url(request) if ancestor.live else ""})
    crumbs.append({"name": page.title, "url": page.get_url(request)})
    for category in categories or ():
        try:
            url = routing.storefront_url("category", category.slug)
        except NoReverseMatch:
            url = ""
        crumbs.append({"name": category.name, "url": url})
    if current:
        crumbs.append({"name": current, "url": ""})
    return {"crumbs": crumbs}
