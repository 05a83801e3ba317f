"""Money in templates: ``{% load money %}``. Every filter delegates to ``core.money``, so a
page, an admin table and an e-mail show an amount exactly as the Python code does.

``fen`` is the bare figure (12345 -> '123.45'), for templates that print the ¥ themselves;
``yuan`` the whole amount (12345 -> '¥123.45'); ``bp_percent`` basis points as a percentage.
A missing amount (None or '') is shown blank rather than as an error page."""

from django import template

from core import money

register = template.Library()


def _missing(value) -> bool:
    return value is None or value == ""


@register.filter
def fen(value) -> str:
    """Integer fen -> '59.90' yuan, without the ¥."""
    return "" if _missing(value) else money.format_fen(int(value))


@register.filter
def yuan(value) -> str:
    """Integer fen -> '¥59.90' (negative '-¥0.50')."""
    return "" if _missing(value) else money.yuan(int(value))


@register.filter
def bp_percent(value) -> str:
    """Basis points -> '25.50%'."""
    return money.bp_percent(value)
