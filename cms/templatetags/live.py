"""Template helpers of live events on the storefront: the price of the moment on product
pages. (The live and upcoming events of a page are a block: ``cms.blocks.LiveStripBlock``.)"""

from django import template
from django.utils import timezone

from live.pricing import quote_at

register = template.Library()


@register.simple_tag
def live_quote(product):
    """The product's price now (a live price while an event featuring it is on air). One query."""
    return quote_at(product, timezone.now())
