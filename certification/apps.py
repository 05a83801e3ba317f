from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    label = "certification"
    verbose_name = _("扶贫产品认定 Product certification")
