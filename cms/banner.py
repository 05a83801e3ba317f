"""The banner picture campaign and pavilion pages share."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BannerMixin(models.Model):
    """The full-width banner picture of a campaign or pavilion page (``selectors.page_banner``)."""

    banner = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("横幅图片"),
    )

    class Meta:
        abstract = True
