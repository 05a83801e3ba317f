from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    label = "live"
    verbose_name = _("直播带货")

    def ready(self) -> None:
        from core import link_codes

        from . import pricing, tagging  # noqa: F401  (pricing's receivers drop the kept live prices)

        link_codes.register(tagging.LINK_KIND, holds=tagging.holds_code, find=tagging.event_for_code)
