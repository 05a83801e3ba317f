from django import template

from ..cart import Cart

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_count(context) -> int:
    """Units in the visitor's cart, for the header link."""
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return 0
    return Cart(request).count()
