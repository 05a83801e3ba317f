from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("内容")

    def ready(self) -> None:
        from core.page_urls import register_page_url

        from . import menus, page_cache, rights, routing, selectors, serving  # noqa: F401  (each connects its receivers)

        post_migrate.connect(rights.after_migrate, sender=self, dispatch_uid="cms.rights.after_migrate")

        # The pages that show the models below cms (core/page_urls.py explains why).
        register_page_url("product", lambda pk: routing.storefront_url("product", pk))
        register_page_url("category", lambda slug: routing.storefront_url("category", slug))
        register_page_url("shop", lambda slug: routing.storefront_url("shop", slug))
        register_page_url("live_event", routing.live_event_url)

        # A product's page keeps what changes seldom (selectors.product_extras): dropped when
        # a bureau, region, linkage, share, household or collective changes (products,
        # shops, categories and certificates drop the listing's generation it is keyed by).
        from django.db.models.signals import post_delete, post_save

        from core.models import Bureau
        from producers.models import BenefitLinkage, BenefitShare, Collective, Household, Region

        for model in (Bureau, Region, BenefitLinkage, BenefitShare, Household, Collective):
            uid = f"cms_product_extras_{model.__name__}"
            post_save.connect(selectors.product_extras_changed, sender=model, dispatch_uid=uid + "_saved")
            post_delete.connect(selectors.product_extras_changed, sender=model, dispatch_uid=uid + "_deleted")
