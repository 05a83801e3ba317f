from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class OrdersConfig(AppConfig):
    name = "orders"
    label = "orders"
    verbose_name = pgettext_lazy("plural", "订单")

    def ready(self):
        from . import (
            cart,  # noqa: F401 - connects the sign-in cart merge
            checks,  # noqa: F401 - registers the start-up checks
            sign_in,  # noqa: F401 - connects claiming this browser's orders on sign-in
        )
