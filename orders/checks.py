"""Start-up checks of buying: every paid line and every refund must reach the ledger, and
every shipped parcel the reports; parcels
confirm themselves a whole number of days (at least one) after shipping."""

from django.conf import settings
from django.core import checks

from .events import line_paid, line_refunded, parcel_shipped


@checks.register()
def ledger_listens(app_configs, **kwargs):
    errors = []
    for name, event in (("line_paid", line_paid), ("line_refunded", line_refunded)):
        if not event.has_listeners():
            errors.append(
                checks.Error(
                    f"Nothing receives orders.events.{name}: paid sales would never reach the attribution ledger.",
                    hint="Install the attribution app (it connects its receivers in AttributionConfig.ready).",
                    id="orders.E001",
                )
            )
    if not parcel_shipped.has_listeners():
        errors.append(
            checks.Error(
                "Nothing receives orders.events.parcel_shipped: the reports' 溯源 table would miss shipped parcels.",
                hint="Install the reports app (it connects its receiver in ReportsConfig.ready).",
                id="orders.E003",
            )
        )
    return errors


@checks.register()
def auto_confirm_days(app_configs, **kwargs):
    days = getattr(settings, "AUTO_CONFIRM_DAYS", None)
    if isinstance(days, int) and days >= 1:
        return []
    return [
        checks.Error(
            f"AUTO_CONFIRM_DAYS is {days!r}: parcels would confirm themselves on the day they ship, or before.",
            hint="Set AUTO_CONFIRM_DAYS to a whole number of days, 1 or more (default 10).",
            id="orders.E002",
        )
    ]
