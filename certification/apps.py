from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    label = "certification"
    verbose_name = _("扶贫产品认定")

    def ready(self) -> None:
        from catalog.listing import add_listing_condition

        from .selectors import certified_now_filter

        # The storefront shows and sells a product only while it holds a certificate
        # valid today (catalog/listing.py explains the hook).
        add_listing_condition("certified_now", certified_now_filter)
