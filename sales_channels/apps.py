from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesChannelsConfig(AppConfig):
    name = "sales_channels"
    label = "sales_channels"
    verbose_name = _("销售渠道与结对帮扶")

    def ready(self) -> None:
        from core import link_codes

        from .models import LINK_KIND, Campaign

        link_codes.register(
            LINK_KIND,
            holds=lambda code: Campaign.objects.filter(code=code).exists(),
            find=lambda code: Campaign.objects.filter(code=code).first(),
        )
