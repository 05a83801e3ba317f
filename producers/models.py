from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.scoping import Scope
from core.validators import validate_credit_code

from .masking import mask_name, mask_registration_number, show_household


class RegionQuerySet(models.QuerySet):
    def within(self, region: "Region") -> "RegionQuerySet":
        """The region and every region under it."""
        return self.filter(code__startswith=region.code)


class Region(models.Model):
    """A node of the administrative region tree, keyed by the official division code.

    Codes nest by prefix: province 2 digits, city 4, county 6, township 9, village 12."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省")
        CITY = 2, _("市")
        COUNTY = 3, _("县/区")
        TOWNSHIP = 4, _("乡/镇/街道")
        VILLAGE = 5, _("村/社区")

    CODE_LENGTHS = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级")
    )
    is_official = models.BooleanField(
        _("官方代码"),
        default=True,
        help_text=_("否：演示用的村级区划，挂在真实乡镇之下。"),
    )

    objects = RegionQuerySet.as_manager()
    scope = Scope(region="")

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = pgettext_lazy("plural", "行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="region_level_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors_codes(self) -> list[str]:
        return [self.code[:n] for n in (2, 4, 6, 9) if n < len(self.code)]

    def full_name(self) -> str:
        """Names from province down, e.g. 山东省 菏泽市 单县."""
        codes = self.ancestors_codes()
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        parts = [names[c] for c in codes if c in names and names[c] != "市辖区"]
        return " ".join(parts + [self.name])


class Producer(models.Model):
    """Who makes the product: a household, cooperative, village collective, workshop or
    leading enterprise. Registered by the shop that sells its products."""

    class Kind(models.TextChoices):
        HOUSEHOLD = "household", _("农户")
        COOPERATIVE = "cooperative", _("合作社")
        COLLECTIVE = "collective", _("村集体")
        WORKSHOP = "workshop", _("扶贫车间")
        ENTERPRISE = "enterprise", _("龙头企业")

    shop = models.ForeignKey("catalog.Shop", on_delete=models.PROTECT, related_name="producers", verbose_name=_("网店"))
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("法人主体必填；农户可空。"),
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="producers", verbose_name=_("所在地"))
    description = models.TextField(_("简介"), blank=True)

    scope = Scope(shop="shop", region="region")

    class Meta:
        verbose_name = _("生产主体")
        verbose_name_plural = pgettext_lazy("plural", "生产主体")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="producer_credit_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_legal_entity(self) -> bool:
        return self.kind != self.Kind.HOUSEHOLD and bool(self.credit_code)


class Household(models.Model):
    """A registered poor / lifted-out / monitored household (建档立卡户/脱贫户/监测户).

    Name and registration number are personal data: shown in full only to viewers entitled
    to them (``selectors.households_in_scope``), masked to everybody else (``masking.py``)."""

    class Status(models.TextChoices):
        REGISTERED_POOR = "registered", _("建档立卡贫困户")
        LIFTED_OUT = "lifted", _("脱贫户")
        MONITORED = "monitored", _("监测户")

    registration_number = models.CharField(_("建档立卡编号"), max_length=32, unique=True)
    head_name = models.CharField(_("户主姓名"), max_length=50)
    members = models.PositiveSmallIntegerField(_("家庭人口"), default=1)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="households", verbose_name=_("所在村"))

    scope = Scope(region="village")

    class Meta:
        verbose_name = _("帮扶户")
        verbose_name_plural = pgettext_lazy("plural", "帮扶户")
        ordering = ["registration_number"]

    def __str__(self) -> str:
        # Masked: wherever a household is printed without asking who looks (choosers, logs,
        # a linkage share's name). Pages ask ``selectors.household_shown_to``.
        return str(show_household(self, entitled=False))

    @property
    def masked_name(self) -> str:
        return mask_name(self.head_name)

    @property
    def masked_registration_number(self) -> str:
        return mask_registration_number(self.registration_number)


class Collective(models.Model):
    """A village collective economic organisation (村集体经济组织): keeps the retained share."""

    name = models.CharField(_("名称"), max_length=120)
    village = models.OneToOneField(
        Region, on_delete=models.PROTECT, related_name="collective", verbose_name=_("所在村")
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code])

    scope = Scope(region="village")

    class Meta:
        verbose_name = _("村集体")
        verbose_name_plural = pgettext_lazy("plural", "村集体")
        ordering = ["village__code"]

    def __str__(self) -> str:
        return self.name


class BenefitMode(models.TextChoices):
    GUARANTEED_PURCHASE = "purchase", _("保底收购")
    EMPLOYMENT = "employment", _("务工就业")
    DIVIDEND = "dividend", _("入股分红")
    LEASING = "leasing", _("土地林权流转")
    PROCESSING = "processing", _("代加工")
    SEEDLINGS = "seedlings", _("提供种苗")
    TECHNICAL = "technical", _("技术指导")
    OTHER = "other", _("其他")


class BenefitLinkageQuerySet(models.QuerySet):
    def in_force_at(self, when) -> "BenefitLinkageQuerySet":
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=when), valid_from__lte=when)


class BenefitLinkage(models.Model):
    """One version of a product's benefit linkage (利益联结机制): who gets which share of
    its sales. A change makes a new version (see ``services.revise_benefit_linkage``);
    superseded versions stay, closed by ``valid_to``, because past sales refer to them."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="linkages", verbose_name=_("产品")
    )
    version = models.PositiveIntegerField(_("版本"))
    valid_from = models.DateTimeField(_("生效时间"), default=timezone.now)
    valid_to = models.DateTimeField(_("失效时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BenefitLinkageQuerySet.as_manager()
    scope = Scope(shop="product__shop", region="product__producer__region")

    class Meta:
        verbose_name = _("利益联结")
        verbose_name_plural = pgettext_lazy("plural", "利益联结")
        ordering = ["product_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="linkage_version_unique"),
            models.UniqueConstraint(
                fields=["product"], condition=Q(valid_to__isnull=True), name="linkage_one_open_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} v{self.version}"

    @property
    def allocated_bp(self) -> int:
        return sum(share.share_bp for share in self.shares.all())

    @property
    def producer_retained_bp(self) -> int:
        return 10_000 - self.allocated_bp


class BenefitShare(models.Model):
    """One beneficiary's share of a linkage version, in basis points (1/10,000)."""

    linkage = models.ForeignKey(BenefitLinkage, on_delete=models.CASCADE, related_name="shares")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="shares", verbose_name=_("帮扶户")
    )
    collective = models.ForeignKey(
        Collective, on_delete=models.PROTECT, null=True, blank=True, related_name="shares", verbose_name=_("村集体")
    )
    share_bp = models.PositiveIntegerField(_("份额（基点）"))
    mode = models.CharField(_("联结方式"), max_length=20, choices=BenefitMode.choices)

    class Meta:
        verbose_name = _("受益份额")
        verbose_name_plural = pgettext_lazy("plural", "受益份额")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(household__isnull=False, collective__isnull=True)
                    | Q(household__isnull=True, collective__isnull=False)
                ),
                name="share_exactly_one_beneficiary",
            ),
            models.CheckConstraint(condition=Q(share_bp__gte=1, share_bp__lte=10_000), name="share_bp_range"),
            models.UniqueConstraint(
                fields=["linkage", "household"], condition=Q(household__isnull=False), name="share_household_once"
            ),
            models.UniqueConstraint(
                fields=["linkage", "collective"], condition=Q(collective__isnull=False), name="share_collective_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary}: {self.share_bp / 100:g}%"

    @property
    def beneficiary(self):
        return self.household or self.collective
