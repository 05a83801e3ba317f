from django import template

from ..exports import screen_text

register = template.Library()


@register.filter
def report_cell(value, kind: str) -> str:
    """A report cell as the screen shows it (money as yuan with two decimals)."""
    return screen_text(value, kind)
