"""Template helpers of live events on the storefront: the price of the moment on product
pages. (The live and upcoming events of a page are a block: ``cms.blocks.LiveStripBlock``.)"""

from django import template
from django.utils import timezone

from live.pricing import shown_quote

register = template.Library()


@register.simple_tag
def live_quote(product):
    """The product's price now (a live price while an event featuring it is on air), from
    the kept live prices (no query), once per product object: the page's share tags and
    its buy box show the same."""
    quote = getattr(product, "_live_quote_now", None)
    if quote is None:
        quote = product._live_quote_now = shown_quote(product, timezone.now())
    return quote
