from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    label = "procurement"
    verbose_name = _("单位采购")

    def ready(self) -> None:
        from orders.buying_for import acceptance_from, buying_for_from, invoice_details_from

        from .selectors import invoice_details, order_acceptance, organisations_to_buy_for
        from .services import needs_approval, payment_terms, record_order

        # Checkout offers a purchaser their organisations, holds an order above the
        # organisation's threshold for its approver, and records the orders placed for one
        # (orders/buying_for.py), and says which pay by transfer after acceptance.
        buying_for_from(organisations_to_buy_for, record_order, needs_approval, payment_terms)
        # The order page shows a unit's parcels' acceptance (验收) instead of 确认收货.
        acceptance_from(order_acceptance)
        # An invoice request for the unit's order starts with the unit's 开票信息.
        invoice_details_from(invoice_details)
