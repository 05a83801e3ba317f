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
