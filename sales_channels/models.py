"""Where a sale came from: its channel (online storefront, live event, institutional order,
and the offline 专柜 / 专馆 / 专区) and the pairing relation that drove it (东西部协作,
对口支援, 定点帮扶, 区县结对, 单位结对) — the two splits bureaus publish their
consumption-support totals by.

A **pairing** (结对帮扶关系) is managed by the platform: a helping side — a region of China or
an organisation account — helps a helped region over a period. Regions are the buyers'
address regions (``orders.AddressRegion``: every province, city and county of China, keyed
by the official division codes that nest by prefix), so "济南市 helps 单县" and "山东省 helps
重庆市" are both one row. The bureaus of both sides read it (``selectors.pairings_for``); a
third region's do not.

A **campaign** (推广活动) is a link tag like a live event's, with its own code, share link
and QR code; run under a pairing, the sales of the helped region's products it brings count
under that pairing (``Campaign``)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from core import link_codes
from core.parsing import MOBILE_REFUSED


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


# --- campaigns (推广活动): a link tag that may carry a pairing --------------------------------------------------


def campaign_code() -> str:
    return link_codes.new_code()


class Campaign(models.Model):
    """A promotion the platform runs with its own share link, QR code and code to type —
    e.g. "济南消费帮扶月" — optionally under a pairing (济南→单县). Its code is a link tag
    like a live event's, in one namespace with them (``core.link_codes``): a visitor who
    follows it has the code kept on their cart items and order lines (``link_code``), and
    a line so tagged, paid on a day the campaign runs, of a product whose producer lies in
    the helped region of its pairing (in force that day), counts under that pairing
    (``selectors.pairing_of``). The link may be followed from the moment the campaign is
    made until its last day ends (Asia/Shanghai)."""

    name = models.CharField(_("活动名称"), max_length=120, help_text=_("如：济南消费帮扶月"))
    code = models.CharField(
        _("活动码"),
        max_length=12,
        unique=True,
        default=campaign_code,
        help_text=_("4–12 位大写字母和数字（不含 O、I、0、1），不能与直播码或其他活动码相同；默认随机生成。"),
    )
    pairing = models.ForeignKey(
        Pairing,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("结对帮扶关系"),
        help_text=_("在某一结对关系下开展的活动：其链接带来的受帮扶地区产品销售计入该结对。"),
    )
    valid_from = models.DateField(_("开始日期"))
    valid_to = models.DateField(_("结束日期"))
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推广活动")
        verbose_name_plural = pgettext_lazy("plural", "推广活动")
        ordering = ["-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="campaign_valid_to_after_from"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        self.code = link_codes.normalise(self.code)
        if not link_codes.well_formed(self.code):
            errors["code"] = _("活动码须为 4–12 位大写字母和数字，不含 O、I、0、1。")
        elif Campaign.objects.filter(code=self.code).exclude(pk=self.pk).exists() or link_codes.is_taken(
            self.code, besides=LINK_KIND
        ):
            errors["code"] = _("活动码「%(code)s」已被其他活动或直播使用。") % {"code": self.code}
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("结束日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)

    def runs_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to

    # --- a link target (``orders.link_tags``) ------------------------------------------------------------------

    def share_url(self) -> str:
        """The campaign's link (and QR code target): the home page, tagging the visit."""
        return link_codes.share_url("/", self.code)

    def link_refusal(self, at: dt.datetime) -> str:
        if timezone.localtime(at).date() > self.valid_to:
            return gettext("推广活动「%(name)s」已于 %(day)s 结束，活动链接已失效。") % {
                "name": self.name,
                "day": self.valid_to.isoformat(),
            }
        return ""

    def claimable(self, products) -> set[int]:
        """Which of ``products`` the campaign's tag claims: those whose producer lies in its
        pairing's helped region; every product, for a campaign without a pairing. Two queries at most."""
        ids = [p.pk for p in products]
        if self.pairing_id is None:
            return set(ids)
        helped = Pairing.objects.filter(pk=self.pairing_id).values_list("helped_region__code", flat=True).first()
        return set(
            Product.objects.filter(pk__in=ids, producer__region__code__startswith=helped or "-").values_list(
                "pk", flat=True
            )
        )


LINK_KIND = "campaign"


# --- offline points (专柜 / 专馆 / 专区) and what they report ------------------------------------------------------

OFFLINE_CHANNELS = (Channel.CABINET, Channel.PAVILION, Channel.ZONE)


class OfflinePoint(models.Model):
    """A place that sells certified products off line — a smart vending cabinet (专柜), a
    pavilion (专馆) or a zone in a supermarket (专区) — registered by the platform with its
    place and region. Its operator's till reports its sales through the intake API with the
    point's token (``core.tokens``: only the hash is kept; a new token replaces the old);
    the sales become orders and ledger entries like online ones (``intake``), counted in
    the point's channel and, the point's county standing for the buyer's, its pairing."""

    code = models.CharField(
        _("网点编号"),
        max_length=32,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9-]{1,31}$", _("网点编号只能由字母、数字和连字符组成，2–32 位。"))
        ],
        help_text=_("字母、数字和连字符，如 JN-ZG-001；接口地址中使用。"),
    )
    name = models.CharField(_("网点名称"), max_length=120)
    kind = models.CharField(_("网点类型"), max_length=16, choices=[(c.value, c.label) for c in OFFLINE_CHANNELS])
    region = models.ForeignKey(
        "orders.AddressRegion", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区县")
    )
    address = models.CharField(_("详细地址"), max_length=200)
    contact_name = models.CharField(_("负责人姓名"), max_length=50)
    contact_mobile = models.CharField(
        _("负责人手机"), max_length=11, validators=[RegexValidator(r"^1[3-9][0-9]{9}$", MOBILE_REFUSED)]
    )
    is_active = models.BooleanField(_("启用"), default=True, help_text=_("停用后接口拒绝该网点的数据。"))
    token_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    token_prefix = models.CharField(_("令牌前缀"), max_length=12, blank=True, default="", editable=False)
    token_issued_at = models.DateTimeField(_("令牌签发时间"), null=True, blank=True, editable=False)
    token_last_used_at = models.DateTimeField(_("令牌最近使用"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("线下网点")
        verbose_name_plural = pgettext_lazy("plural", "线下网点")
        ordering = ["code"]
        indexes = [models.Index(fields=["token_hash"], name="offline_point_token")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class IntakeBatch(models.Model):
    """One report of a point's sales — an API request or an uploaded CSV file — accepted
    whole or refused whole. A refused batch is kept with its reasons, row by row, and
    wrote nothing else."""

    class Source(models.TextChoices):
        API = "api", _("接口")
        CSV = "csv", _("CSV 上传")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("已入账")
        REFUSED = "refused", _("已拒绝")

    point = models.ForeignKey(OfflinePoint, on_delete=models.PROTECT, related_name="batches", verbose_name=_("网点"))
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    status = models.CharField(_("结果"), max_length=12, choices=Status.choices)
    received_at = models.DateTimeField(_("接收时间"), db_index=True)
    rows = models.PositiveIntegerField(_("行数"))
    new_rows = models.PositiveIntegerField(_("新入账行数"), default=0)
    repeated_rows = models.PositiveIntegerField(_("重复行数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("线下销售批次")
        verbose_name_plural = pgettext_lazy("plural", "线下销售批次")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.point.code} {self.received_at:%Y-%m-%d %H:%M}"


class OfflineSale(models.Model):
    """One row a point reported: a sale (one product, one order line) or the refund of
    some of a sale's units. ``sale_id`` is the point's own id for the row, unique per
    point: the row sent again is recognised and books nothing new."""

    class Kind(models.TextChoices):
        SALE = "sale", _("销售")
        REFUND = "refund", _("退款")

    point = models.ForeignKey(OfflinePoint, on_delete=models.PROTECT, related_name="sales", verbose_name=_("网点"))
    batch = models.ForeignKey(IntakeBatch, on_delete=models.PROTECT, related_name="sales", verbose_name=_("批次"))
    sale_id = models.CharField(_("网点流水号"), max_length=64)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    sold_at = models.DateTimeField(_("发生时间"), db_index=True)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("产品"))
    product_ref = models.CharField(_("上报的产品编号"), max_length=64)
    quantity = models.PositiveIntegerField(_("数量"))
    unit_price_fen = models.PositiveIntegerField(_("单价（分）"))
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    refund_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds", verbose_name=_("原销售")
    )
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+", verbose_name=_("订单"))
    refund = models.ForeignKey(
        "payments.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("退款")
    )

    class Meta:
        verbose_name = _("线下销售")
        verbose_name_plural = pgettext_lazy("plural", "线下销售")
        ordering = ["-sold_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["point", "sale_id"], name="offline_sale_id_once_per_point"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="offline_sale_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id}:{self.sale_id}"
