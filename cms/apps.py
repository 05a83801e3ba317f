from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("内容")

    def ready(self) -> None:
        from core.page_urls import register_page_url

        from . import menus, routing  # noqa: F401  (connecting the receivers that keep their caches fresh)

        # The pages that show the models below cms (core/page_urls.py explains why).
        register_page_url("product", lambda pk: routing.storefront_url("product", pk))
        register_page_url("category", lambda slug: routing.storefront_url("category", slug))
        register_page_url("shop", lambda slug: routing.storefront_url("shop", slug))
        register_page_url("live_event", routing.live_event_url)
