from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("商品目录")

    def ready(self) -> None:
        from . import caching

        caching.connect()  # the cached category tree and listed counts, dropped on each change
