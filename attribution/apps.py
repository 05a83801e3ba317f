from django.apps import AppConfig


class AttributionConfig(AppConfig):
    name = "attribution"
    label = "attribution"
    verbose_name = "收益归属 benefit attribution"
