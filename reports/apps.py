from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    label = "reports"
    verbose_name = "消费帮扶报表 consumption-support reports"

    def ready(self) -> None:
        from attribution.events import entries_booked

        from .services import on_entries_booked

        # The summaries follow the ledger in the same transaction (services.py explains).
        entries_booked.connect(on_entries_booked, dispatch_uid="reports.summaries")
