"""Template helpers of live events on the storefront: the price of the moment on product
pages, the live and upcoming events of the home page."""

from django import template
from django.urls import NoReverseMatch
from django.utils import timezone

from live.pricing import quote_at

from ..routing import live_page_url
from ..selectors import home_events

register = template.Library()


@register.simple_tag
def live_quote(product):
    """The product's price now (a live price while an event featuring it is on air). One
    query, once per product object: the page's share tags and its buy box show the same."""
    quote = getattr(product, "_live_quote_now", None)
    if quote is None:
        quote = product._live_quote_now = quote_at(product, timezone.now())
    return quote


@register.simple_tag(takes_context=True)
def live_events_for_home(context, limit: int = 6):
    """Live and upcoming published events, live first (the home page's one call)."""
    try:
        live_page_url()  # no live events page: nothing to link to, nothing to show
    except NoReverseMatch:
        return []
    return home_events(timezone.now(), limit)
