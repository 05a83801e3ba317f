from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class OrdersConfig(AppConfig):
    name = "orders"
    label = "orders"
    verbose_name = pgettext_lazy("plural", "订单")

    def ready(self):
        from traceability.hooks import register_shipped_units

        from . import (
            cart,  # noqa: F401 - connects the sign-in cart merge
            checks,  # noqa: F401 - registers the start-up checks
            sign_in,  # noqa: F401 - connects claiming this browser's orders on sign-in
        )
        from .selectors import shipped_units

        # Traceability refuses lowering a batch's quantity below what shipped from it.
        register_shipped_units(shipped_units)
