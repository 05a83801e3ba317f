from django import template

from traceability.selectors import trace_url as _trace_url

from ..cart import Cart

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_count(context) -> int:
    """Units in the visitor's cart, for the header link."""
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return 0
    return Cart(request).count()


@register.filter
def trace_url(code: str) -> str:
    """The public trace page (溯源) of a batch code: ``{{ line.batch.code|trace_url }}``."""
    return _trace_url(code) if code else ""
