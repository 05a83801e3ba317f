"""Where a sale came from: its channel (online storefront, live event, institutional order,
and the offline 专柜 / 专馆 / 专区) and the pairing relation that drove it (东西部协作,
对口支援, 定点帮扶, 区县结对, 单位结对) — the two splits bureaus publish their
consumption-support totals by.

A **pairing** (结对帮扶关系) is managed by the platform: a helping side — a region of China or
an organisation account — helps a helped region over a period. Regions are the buyers'
address regions (``orders.AddressRegion``: every province, city and county of China, keyed
by the official division codes that nest by prefix), so "济南市 helps 单县" and "山东省 helps
重庆市" are both one row. The bureaus of both sides read it (``selectors.pairings_for``); a
third region's do not."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    ONLINE = "online", _("线上商城")
    LIVE = "live", _("直播带货")
    INSTITUTIONAL = "institutional", _("单位采购")
    CABINET = "cabinet", _("消费帮扶专柜")
    PAVILION = "pavilion", _("消费帮扶专馆")
    ZONE = "zone", _("消费帮扶专区")
    OTHER = "other", _("其他渠道")


class PairingKind(models.TextChoices):
    EAST_WEST = "east_west", _("东西部协作")
    COUNTERPART = "counterpart", _("对口支援")
    DESIGNATED = "designated", _("定点帮扶")
    COUNTY = "county", _("区县结对")
    UNIT = "unit", _("单位结对")


class Pairing(models.Model):
    kind = models.CharField(_("结对类型"), max_length=16, choices=PairingKind.choices)
    name = models.CharField(_("名称"), max_length=120, help_text=_("如：鲁渝东西部协作 济南市—单县"))
    helping_region = models.ForeignKey(
        "orders.AddressRegion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("帮扶方地区"),
        help_text=_("帮扶方为地区时填写（省、市或县）。"),
    )
    helping_organisation = models.ForeignKey(
        "procurement.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
        verbose_name=_("帮扶单位"),
        help_text=_("帮扶方为单位（定点帮扶、单位结对）时填写。"),
    )
    helped_region = models.ForeignKey(
        "orders.AddressRegion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("受帮扶地区"),
    )
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("不填表示长期有效。"))
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("结对帮扶关系")
        verbose_name_plural = pgettext_lazy("plural", "结对帮扶关系")
        ordering = ["-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(helping_region__isnull=False, helping_organisation__isnull=True)
                | Q(helping_region__isnull=True, helping_organisation__isnull=False),
                name="pairing_one_helping_side",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="pairing_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def helping_label(self) -> str:
        if self.helping_organisation_id:
            return self.helping_organisation.name
        return self.helping_region.full_name if self.helping_region_id else ""

    @property
    def helping_code(self) -> str:
        """The division code the helping side is in: its region's, or its organisation's county."""
        if self.helping_organisation_id:
            return self.helping_organisation.region.code
        return self.helping_region.code if self.helping_region_id else ""

    def clean(self) -> None:
        errors = {}
        if bool(self.helping_region_id) == bool(self.helping_organisation_id):
            errors["helping_region"] = _("请填写帮扶方地区或帮扶单位（二选一）。")
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("截止日期不能早于起始日期。")
        if not errors and self.helped_region_id:
            helping, helped = self.helping_code, self.helped_region.code
            if helping.startswith(helped) or helped.startswith(helping):
                errors["helped_region"] = _("帮扶方与受帮扶地区不能相同或互相包含。")
        if errors:
            raise ValidationError(errors)
