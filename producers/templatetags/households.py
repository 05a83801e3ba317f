"""``{% household h %}``: the one way a page shows a household — "张小文（371722100200000011）"
to a viewer entitled to it (``producers.selectors.households_in_scope``), "张*文（3717**********0011）"
to everybody else. ``{% household h "name" %}`` and ``{% household h "number" %}`` give one part.
The viewer is the request's user; without a request in the context, nobody is entitled."""

from django import template
from django.contrib.auth.models import AnonymousUser

from ..selectors import household_shown_to

register = template.Library()


@register.simple_tag(takes_context=True)
def household(context, household, part: str = "label") -> str:
    if household is None:
        return ""
    request = context.get("request")
    viewer = getattr(request, "user", None) or AnonymousUser()
    shown = household_shown_to(viewer, household)
    if part == "name":
        return shown.name
    if part == "number":
        return shown.registration_number
    return str(shown)
