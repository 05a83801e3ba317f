"""``{% share_meta %}``: the <head> tags that describe a page to search engines and to the
apps it is shared to (``cms/sharing.py``). base.html calls it with nothing, in
``{% block share %}``: the page's own ``share`` context variable if a view set one, else
the Wagtail page's, else the site's. A template showing one object overrides the block and
passes it: ``{% block share %}{% share_meta product=product images=images %}{% endblock %}``."""

from django import template
from wagtail.models import Page

from .. import sharing
from .live import live_quote

register = template.Library()


@register.inclusion_tag("cms/includes/share_meta.html", takes_context=True)
def share_meta(context, product=None, images=None, review_summary=None, shop=None, category=None, event=None):
    request = context.get("request")
    if product is not None:
        # The price shown on the page: the live price while an event featuring it is on air
        # (the same quote the buy box shows, asked once per request).
        share = sharing.product_share(product, list(images or []), live_quote(product).price_fen, review_summary)
    elif shop is not None:
        share = sharing.shop_share(shop)
    elif category is not None:
        share = sharing.category_share(category)
    elif event is not None:
        share = sharing.event_share(event)
    elif context.get("share") is not None:
        share = context["share"]
    elif isinstance(context.get("page"), Page):
        share = sharing.page_share(request, context["page"])
    else:
        share = sharing.site_share(request)
    return {"share": share, "locale": sharing.og_locale()}
