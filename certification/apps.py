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
        from producers.models import Producer, Region
        from traceability.hooks import register_certificate_number

        from .models import Certificate
        from .selectors import certified_now_filter, current_certificate

        # The storefront shows and sells a product only while it holds a certificate
        # valid today (catalog/listing.py explains the hook).
        add_listing_condition("certified_now", certified_now_filter)
        # A batch's public trace page links the product's certificate valid today to its
        # verification page (traceability/hooks.py explains the hook).
        register_certificate_number(lambda product_id: getattr(current_certificate(product_id), "number", None))
        # A certificate issued, revoked, renewed or deleted, a producer moved, a region
        # renamed: the storefront's kept counts and the catalogue's choices are dropped.
        for model in (Certificate, Producer, Region):
            uid = f"certification_listing_{model.__name__}"
            post_save.connect(listing_changed, sender=model, dispatch_uid=uid + "_saved")
            post_delete.connect(listing_changed, sender=model, dispatch_uid=uid + "_deleted")
