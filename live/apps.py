from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "live"
    label = "live"
    verbose_name = "直播带货 live-stream sales"
