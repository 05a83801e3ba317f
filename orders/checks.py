"""Start-up checks of buying: every paid line and every refund must reach the ledger."""

from django.core import checks

from .events import line_paid, line_refunded


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
    return errors
