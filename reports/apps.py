from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    label = "reports"
    verbose_name = _("消费帮扶报表")

    def ready(self) -> None:
        from attribution.events import entries_booked

        from .services import on_entries_booked

        # The summaries follow the ledger in the same transaction (services.py explains).
        entries_booked.connect(on_entries_booked, dispatch_uid="reports.summaries")
