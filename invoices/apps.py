from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicesConfig(AppConfig):
    name = "invoices"
    label = "invoices"
    verbose_name = _("发票")

    def ready(self) -> None:
        from orders.emails import register_kind
        from orders.invoices import invoices_from

        from .emails import SUBJECT, TEMPLATE, issued_context
        from .selectors import order_invoices
        from .services import ISSUED_EMAIL

        # The buyer's order page shows each parcel's invoice and offers 申请开票 (orders/invoices.py).
        invoices_from(order_invoices)
        # 发票已开具: sent by the orders app's e-mail task, to the invoice's e-mail and the order's.
        register_kind(ISSUED_EMAIL, SUBJECT, TEMPLATE, issued_context)
