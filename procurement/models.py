"""Institutional buyers (单位采购): organisation accounts, their members and roles, the
invitations that make members, each budget unit's reserved share of the year (预留份额),
and which orders were placed for an organisation.

An organisation is a budget unit (预算单位), a trade union (工会) or an enterprise (企业),
known by its unified social credit code. People act for it through a ``Member`` row that
says what they may do: administer it (invite, set roles, edit its details and its quota),
purchase (build carts and place orders for it), approve orders above its threshold, and
read its finances (statements, invoices). One person may hold several roles and belong to
several organisations; every row here is the organisation's and is reached through it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.scoping import Scope
from core.validators import validate_account_number, validate_credit_code

FULL_BP = 10_000
# The longest payment term after acceptance (Chinese rules for paying small and medium
# suppliers: 30 days for government bodies, 60 for large enterprises; 90 is a ceiling).
MAX_TERMS_DAYS = 90


class Kind(models.TextChoices):
    # The values are the order's buyer types (orders.models.BuyerType): an order placed for
    # an organisation carries its kind as the buyer type, as the reports count it.
    BUDGET_UNIT = "budget_unit", _("预算单位")
    UNION = "union", _("工会")
    ENTERPRISE = "enterprise", _("企业")


class RoleName(models.TextChoices):
    ADMIN = "admin", _("管理员")
    PURCHASER = "purchaser", _("采购员")
    APPROVER = "approver", _("审批人")
    FINANCE = "finance", _("财务")


ROLE_FIELDS = {
    RoleName.ADMIN: "is_admin",
    RoleName.PURCHASER: "is_purchaser",
    RoleName.APPROVER: "is_approver",
    RoleName.FINANCE: "is_finance",
}


class RoleFlags(models.Model):
    """The four roles, as flags (a person may hold several)."""

    is_admin = models.BooleanField(
        _("管理员"), default=False, help_text=_("邀请成员、分配角色、维护单位信息和预留份额。")
    )
    is_purchaser = models.BooleanField(_("采购员"), default=False, help_text=_("为单位选购商品、提交订单。"))
    is_approver = models.BooleanField(_("审批人"), default=False, help_text=_("审批超过单位审批额度的订单。"))
    is_finance = models.BooleanField(_("财务"), default=False, help_text=_("查看对账单和发票。"))

    class Meta:
        abstract = True

    @property
    def roles(self) -> list[str]:
        return [role for role, field in ROLE_FIELDS.items() if getattr(self, field)]

    def role_labels(self) -> list[str]:
        return [str(RoleName(role).label) for role in self.roles]


def _any_role() -> Q:
    return Q(is_admin=True) | Q(is_purchaser=True) | Q(is_approver=True) | Q(is_finance=True)


class Organisation(models.Model):
    kind = models.CharField(_("单位类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("单位名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    # A county of all China (the buyers' address regions: the producer regions hold only the
    # provinces a deployment serves). Its code places the unit under the bureaus whose
    # region covers it and decides the minimum reserved share (rules.py).
    region = models.ForeignKey(
        "orders.AddressRegion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在地区"),
        help_text=_("单位所在的县（区）：所在地主管部门据此查看本单位的预留份额完成情况。"),
    )
    # 开票信息: what a 增值税专用发票 needs, given to the shops with each invoice request.
    invoice_title = models.CharField(_("发票抬头"), max_length=120)
    invoice_address = models.CharField(_("注册地址"), max_length=200, blank=True)
    invoice_phone = models.CharField(_("注册电话"), max_length=20, blank=True)
    invoice_bank = models.CharField(_("开户银行"), max_length=100, blank=True)
    invoice_account = models.CharField(_("银行账号"), max_length=40, blank=True, validators=[validate_account_number])
    approval_threshold_fen = models.PositiveBigIntegerField(
        _("审批额度（分）"),
        null=True,
        blank=True,
        help_text=_("订单金额超过此额度须经审批人审批；不填则无须审批。"),
    )
    # 验收后付款: the unit's bank-transfer orders ship first and are paid within this many
    # days of their acceptance (the order keeps the figure it was placed with).
    payment_terms_days = models.PositiveSmallIntegerField(
        _("验收后付款天数"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TERMS_DAYS)],
        help_text=_("填写后，本单位对公转账的订单先发货，验收后在此天数内付款；不填则先付款后发货。"),
    )
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    # Bureau officers read the organisations of their region (the quota ranking); buyers
    # reach an organisation only through their Member row (selectors.membership).
    scope = Scope(region="region")

    class Meta:
        verbose_name = _("采购单位")
        verbose_name_plural = pgettext_lazy("plural", "采购单位")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_budget_unit(self) -> bool:
        return self.kind == Kind.BUDGET_UNIT


class Member(RoleFlags):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="members", verbose_name=_("单位")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("成员")
    )
    added_at = models.DateTimeField(_("加入时间"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = pgettext_lazy("plural", "单位成员")
        ordering = ["organisation", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="procurement_member_once"),
            models.CheckConstraint(condition=_any_role(), name="procurement_member_has_a_role"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.user}"


INVITATION_DAYS = 7


class Invitation(RoleFlags):
    """An administrator's invitation to a mobile number, told by a text message: accepted
    by whoever signs in with that number (an account's number is proved by an SMS code when
    it registers), on their 我的单位 page. No secret link: the number is the key."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("单位")
    )
    mobile = models.CharField(_("手机号"), max_length=11)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("邀请人")
    )
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("成员邀请")
        verbose_name_plural = pgettext_lazy("plural", "成员邀请")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=_any_role(), name="procurement_invitation_has_a_role")]
        indexes = [models.Index(fields=["mobile"], name="procurement_invitation_mobile")]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.mobile}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class Quota(models.Model):
    """A budget unit's reserved share for one calendar year: its planned canteen food
    spending and the share reserved for products from poverty-alleviation areas, as a
    percentage (in basis points) or as an amount."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    planned_food_fen = models.PositiveBigIntegerField(_("年度食堂食材采购计划（分）"))
    share_bp = models.PositiveIntegerField(
        _("预留比例（基点）"), null=True, blank=True, validators=[MaxValueValidator(FULL_BP)]
    )
    amount_fen = models.PositiveBigIntegerField(_("预留金额（分）"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope = Scope(region="organisation__region")

    class Meta:
        verbose_name = _("预留份额")
        verbose_name_plural = pgettext_lazy("plural", "预留份额")
        ordering = ["-year", "organisation"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="procurement_quota_once_a_year"),
            models.CheckConstraint(
                condition=(Q(share_bp__isnull=False) & Q(amount_fen__isnull=True))
                | (Q(share_bp__isnull=True) & Q(amount_fen__isnull=False)),
                name="procurement_quota_share_or_amount",
            ),
            models.CheckConstraint(condition=Q(planned_food_fen__gt=0), name="procurement_quota_plan_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.organisation}"

    @property
    def reserved_fen(self) -> int:
        """The reserved amount in fen: the amount given, or the plan × the share, rounded
        half up to the fen."""
        if self.amount_fen is not None:
            return self.amount_fen
        return (self.planned_food_fen * (self.share_bp or 0) + FULL_BP // 2) // FULL_BP

    @property
    def reserved_bp(self) -> int:
        """The reserved share of the plan in basis points (rounded down when an amount was given)."""
        if self.share_bp is not None:
            return self.share_bp
        return (self.amount_fen or 0) * FULL_BP // self.planned_food_fen


class OrganisationOrder(models.Model):
    """An order placed for an organisation by one of its purchasers (checkout's 采购单位)."""

    order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, primary_key=True, related_name="organisation_link"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="orders", verbose_name=_("单位")
    )
    purchaser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("采购员")
    )
    placed_at = models.DateTimeField(_("下单时间"), default=timezone.now)
    # The Shanghai day the unit's finance was last reminded of this order's payment.
    reminded_on = models.DateField(_("最近催付日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("单位订单")
        verbose_name_plural = pgettext_lazy("plural", "单位订单")
        ordering = ["-placed_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "placed_at"], name="procurement_orders_by_org")]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.order_id}"


class AcceptanceResult(models.TextChoices):
    ACCEPTED = "accepted", _("验收合格")
    QUANTITY = "quantity", _("数量不符")
    QUALITY = "quality", _("质量问题")


class Acceptance(models.Model):
    """An organisation's purchaser checked one delivered parcel (验收): accepted as it came,
    or with a quantity or quality problem, which opened an after-sales request for the
    units concerned (the rest of the parcel is accepted; the request settles the problem
    units). One per parcel; written through ``services.accept`` only."""

    suborder = models.OneToOneField(
        "orders.SubOrder", on_delete=models.PROTECT, primary_key=True, related_name="acceptance"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="acceptances", verbose_name=_("单位")
    )
    result = models.CharField(_("验收结果"), max_length=12, choices=AcceptanceResult.choices)
    note = models.CharField(_("验收说明"), max_length=200, blank=True)
    after_sale = models.ForeignKey(
        "aftersales.AfterSale",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("售后单"),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("验收人")
    )
    accepted_at = models.DateTimeField(_("验收时间"), default=timezone.now)

    class Meta:
        verbose_name = _("验收记录")
        verbose_name_plural = pgettext_lazy("plural", "验收记录")
        ordering = ["-accepted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result="accepted", after_sale__isnull=True) | ~Q(result="accepted"),
                name="acceptance_problem_has_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.suborder_id}: {self.result}"
