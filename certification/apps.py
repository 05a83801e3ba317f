from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    label = "certification"
    verbose_name = _("扶贫产品认定")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from catalog.caching import listing_changed
        from catalog.listing import add_listing_condition

        from .models import Certificate
        from .selectors import certified_now_filter

        # The storefront shows and sells a product only while it holds a certificate
        # valid today (catalog/listing.py explains the hook).
        add_listing_condition("certified_now", certified_now_filter)
        # Issued, revoked, renewed or deleted: the storefront's kept counts are dropped.
        post_save.connect(listing_changed, sender=Certificate, dispatch_uid="certification_listing_saved")
        post_delete.connect(listing_changed, sender=Certificate, dispatch_uid="certification_listing_deleted")
