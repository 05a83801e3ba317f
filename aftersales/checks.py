"""Start-up checks of the after-sales settings (deadlines must be positive)."""

from django.conf import settings
from django.core.checks import Error, register

NAMES = (
    "AFTER_SALES_REPLY_HOURS",
    "AFTER_SALES_RETURN_DAYS",
    "AFTER_SALES_RECEIVE_DAYS",
    "AFTER_SALES_DISPUTE_DAYS",
    "AFTER_SALES_WINDOW_DAYS",
)


@register()
def deadlines_positive(app_configs, **kwargs):
    return [
        Error(f"{name} must be a positive whole number, not {getattr(settings, name, None)!r}.", id="aftersales.E001")
        for name in NAMES
        if not isinstance(getattr(settings, name, None), int) or getattr(settings, name) <= 0
    ]
