from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    label = "reports"
    verbose_name = _("消费帮扶报表")

    def ready(self) -> None:
        from attribution.events import entries_booked
        from orders.events import line_paid, line_refunded, parcel_shipped

        from .services import on_entries_booked, on_line_paid, on_line_refunded, on_parcel_shipped

        # The summaries follow the ledger in the same transaction (services.py explains).
        entries_booked.connect(on_entries_booked, dispatch_uid="reports.summaries")
        # The 溯源 summary follows shipped order lines, also in the same transaction.
        parcel_shipped.connect(on_parcel_shipped, dispatch_uid="reports.traced.shipped")
        line_paid.connect(on_line_paid, dispatch_uid="reports.traced.paid")
        line_refunded.connect(on_line_refunded, dispatch_uid="reports.traced.refunded")
