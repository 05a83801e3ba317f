from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    label = "payments"
    verbose_name = _("支付")

    def ready(self) -> None:
        from orders.payment_options import describe_methods_from, offer_methods_from
        from orders.transfer_details import transfer_details_from

        from .devices import checkout_notes
        from .providers import offered_methods
        from .selectors import transfer_details

        # The checkout offers what the configured providers take (payments/providers/), and
        # says how WeChat Pay and Alipay are paid on the buyer's device (orders/payment_options.py).
        offer_methods_from(offered_methods)
        describe_methods_from(checkout_notes)
        # Bank transfers name this app's payee and reference code (orders/transfer_details.py).
        transfer_details_from(transfer_details)
