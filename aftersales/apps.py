from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AfterSalesConfig(AppConfig):
    name = "aftersales"
    label = "aftersales"
    verbose_name = _("售后")

    def ready(self) -> None:
        from orders.after_sales import after_sales_from
        from payments.events import refund_confirmed, refund_failed

        from . import checks  # noqa: F401 - registers the start-up checks
        from .selectors import order_after_sales
        from .services import on_refund_confirmed, on_refund_failed

        # The buyer's order page lists each parcel's requests and offers 申请售后 (orders/after_sales.py).
        after_sales_from(order_after_sales)
        # A refund an accepted request started has gone through, or has not (payments/events.py).
        refund_confirmed.connect(on_refund_confirmed, dispatch_uid="aftersales.refund_confirmed")
        refund_failed.connect(on_refund_failed, dispatch_uid="aftersales.refund_failed")
