from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveResultsConfig(AppConfig):
    """What each live event sold, from the attribution ledger, and the admin screens that
    show it (the event list, an event's results, their exports). No models of its own:
    it reads ``live``'s events and ``attribution``'s ledger, a layer above both."""

    name = "live_results"
    verbose_name = _("直播成效")
