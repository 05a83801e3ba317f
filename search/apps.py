from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "product_search"
    verbose_name = _("商品搜索")

    def ready(self):
        from . import signals  # noqa: F401  (connects the index upkeep)
