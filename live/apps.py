from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    label = "live"
    verbose_name = _("直播带货")

    def ready(self) -> None:
        from . import pricing  # noqa: F401  (its receivers drop the kept live prices)
