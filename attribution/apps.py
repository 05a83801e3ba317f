from django.apps import AppConfig


class AttributionConfig(AppConfig):
    name = "attribution"
    label = "attribution"
    verbose_name = "收益归属 benefit attribution"

    def ready(self) -> None:
        from orders.events import line_paid, line_refunded

        from .services import on_line_paid, on_line_refunded

        # Every paid line and every refund reaches the ledger (orders/events.py).
        line_paid.connect(on_line_paid, dispatch_uid="attribution.ledger.sale")
        line_refunded.connect(on_line_refunded, dispatch_uid="attribution.ledger.refund")
