from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    label = "payments"
    verbose_name = _("支付")

    def ready(self) -> None:
        from orders.payment_options import offer_methods_from
        from orders.transfer_details import transfer_details_from

        from .selectors import transfer_details
        from .services import available_methods

        # The checkout offers what payments can take (orders/payment_options.py).
        offer_methods_from(available_methods)
        # Bank transfers name this app's payee and reference code (orders/transfer_details.py).
        transfer_details_from(transfer_details)
