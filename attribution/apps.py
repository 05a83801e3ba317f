from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttributionConfig(AppConfig):
    name = "attribution"
    label = "attribution"
    verbose_name = _("收益归属")

    def ready(self) -> None:
        from orders.events import line_paid, line_refunded
        from orders.helped import helped_from

        from .selectors import order_helped
        from .services import on_line_paid, on_line_refunded

        # Every paid line and every refund reaches the ledger (orders/events.py).
        line_paid.connect(on_line_paid, dispatch_uid="attribution.ledger.sale")
        line_refunded.connect(on_line_refunded, dispatch_uid="attribution.ledger.refund")
        # The buyer's order page shows what each paid line did, from the ledger (orders/helped.py).
        helped_from(order_helped)
