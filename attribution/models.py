"""The attribution ledger (收益归属台账): where every paid fen of a sale went.

Each paid order line writes one ``LedgerEntry`` per beneficiary of the benefit-linkage
version in force at the moment of payment, plus one for the producer's unallocated
remainder; a refund writes reversing (negative) entries split by the same rule. The
entries of a line always add up to what was paid for it minus what was refunded, to the
fen. Entries are never changed or deleted: the model and its query set refuse, and on
PostgreSQL a trigger refuses too. Each entry carries everything reports group by, as it
was at payment time, so reports never need to join back to mutable rows.

``Payout`` and ``StatementAccess`` are the operators' own records around the ledger:
money handed to beneficiaries, and the codes households use to read their statement.
They never alter the ledger."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.errors import DomainError
from core.scoping import Scope
from live.models import LiveAttribution
from orders.models import BuyerType
from producers.models import BenefitMode, Household, Producer


class LedgerImmutable(DomainError):
    """Somebody tried to change or delete a ledger entry."""


class BeneficiaryKind(models.TextChoices):
    HOUSEHOLD = "household", _("帮扶户")
    COLLECTIVE = "collective", _("村集体")
    PRODUCER = "producer", _("生产主体留存")


class EntryKind(models.TextChoices):
    SALE = "sale", _("销售")
    REFUND = "refund", _("退款冲减")


# The mode of the producer's remainder entry (not a benefit mode of a linkage).
RETAINED_MODE = "retained"
MODE_CHOICES = [*BenefitMode.choices, (RETAINED_MODE, _("生产主体留存"))]


def beneficiary_key(kind: str, pk: int) -> str:
    """One string naming a beneficiary, for unique keys and grouping: "household:12"."""
    return f"{kind}:{pk}"


def kind_of(beneficiary) -> str:
    """The beneficiary kind of a ``Household`` or ``Collective`` row."""
    return BeneficiaryKind.HOUSEHOLD if isinstance(beneficiary, Household) else BeneficiaryKind.COLLECTIVE


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerImmutable("收益台账只能追加，不能修改。")

    def delete(self):
        raise LedgerImmutable("收益台账不能删除。")

    def households(self) -> "LedgerEntryQuerySet":
        return self.filter(beneficiary_kind=BeneficiaryKind.HOUSEHOLD)

    def collectives(self) -> "LedgerEntryQuerySet":
        return self.filter(beneficiary_kind=BeneficiaryKind.COLLECTIVE)

    def consumption_support(self) -> "LedgerEntryQuerySet":
        """Entries that count as consumption support: certified at the moment of payment."""
        return self.filter(certified_at_payment=True)


class LedgerEntry(models.Model):
    """One beneficiary's part of one paid order line (a sale), or of one refunded part of
    it (a reversal, negative). Append-only."""

    kind = models.CharField(_("类型"), max_length=10, choices=EntryKind.choices)
    amount_fen = models.BigIntegerField(_("金额（分）"), help_text=_("销售为正，退款冲减为负。"))
    booked_at = models.DateTimeField(_("记账时间"), db_index=True, help_text=_("销售：付款时间；冲减：退款确认时间。"))
    paid_at = models.DateTimeField(_("付款时间"))

    # What was sold, and the money events behind the entry.
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="ledger_entries")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="ledger_entries")
    refund = models.ForeignKey(
        "payments.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    refund_line = models.ForeignKey(
        "payments.RefundLine", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )

    # Who benefits.
    beneficiary_kind = models.CharField(_("受益方类型"), max_length=12, choices=BeneficiaryKind.choices)
    beneficiary_key = models.CharField(_("受益方"), max_length=40)
    household = models.ForeignKey(
        "producers.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    collective = models.ForeignKey(
        "producers.Collective", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    beneficiary_region = models.ForeignKey(
        "producers.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("受益方所在地"),
        help_text=_("帮扶户/村集体所在村；生产主体留存为生产主体所在地。"),
    )
    linkage = models.ForeignKey("producers.BenefitLinkage", on_delete=models.PROTECT, null=True, blank=True)
    share_bp = models.PositiveIntegerField(_("份额（基点）"))
    mode = models.CharField(_("联结方式"), max_length=20, choices=MODE_CHOICES)

    # What reports group by, as it was at payment.
    producer = models.ForeignKey("producers.Producer", on_delete=models.PROTECT, related_name="ledger_entries")
    producer_kind = models.CharField(_("生产主体类型"), max_length=20, choices=Producer.Kind.choices)
    producer_region = models.ForeignKey(
        "producers.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("生产主体所在地")
    )
    shop = models.ForeignKey("catalog.Shop", on_delete=models.PROTECT, related_name="ledger_entries")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="ledger_entries")
    category = models.ForeignKey("catalog.Category", on_delete=models.PROTECT, related_name="+")
    buyer_type = models.CharField(_("买家类型"), max_length=20, choices=BuyerType.choices)
    live_event = models.ForeignKey(
        "live.LiveEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    live_attribution = models.CharField(max_length=12, blank=True, choices=LiveAttribution.choices)
    certificate_number = models.CharField(_("证书编号"), max_length=32, blank=True)
    certified_at_payment = models.BooleanField(_("付款时有效认定"))
    # Where the sale came from, as at payment (sales_channels.selectors.source_of_sale); a
    # refund's entries repeat their sale's. Empty on entries booked before channels were
    # recorded (their channel follows from buyer_type and live_event: see that function).
    channel = models.CharField(_("销售渠道"), max_length=16, blank=True, default="")
    pairing = models.ForeignKey(
        "sales_channels.Pairing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("结对帮扶关系"),
    )

    created_at = models.DateTimeField(auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()
    append_only = True  # the database refuses changes too (core/append_only.py)
    # Officers read by the producer's region (where the product comes from); operators by shop.
    scope = Scope(shop="shop", region="producer_region")

    class Meta:
        verbose_name = _("收益台账")
        verbose_name_plural = pgettext_lazy("plural", "收益台账")
        ordering = ["pk"]
        constraints = [
            # Writing the entries of one payment or refund twice creates nothing new.
            models.UniqueConstraint(
                fields=["order_line", "beneficiary_key"], condition=Q(kind="sale"), name="ledger_sale_once"
            ),
            models.UniqueConstraint(
                fields=["refund_line", "beneficiary_key"], condition=Q(kind="refund"), name="ledger_refund_once"
            ),
            models.CheckConstraint(
                condition=(Q(kind="sale", amount_fen__gte=0, refund_line__isnull=True))
                | Q(kind="refund", amount_fen__lte=0, refund_line__isnull=False),
                name="ledger_sign_by_kind",
            ),
            models.CheckConstraint(
                condition=(
                    Q(beneficiary_kind="household", household__isnull=False, collective__isnull=True)
                    | Q(beneficiary_kind="collective", household__isnull=True, collective__isnull=False)
                    | Q(beneficiary_kind="producer", household__isnull=True, collective__isnull=True)
                ),
                name="ledger_beneficiary_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["household", "booked_at"]),
            models.Index(fields=["collective", "booked_at"]),
            models.Index(fields=["shop", "booked_at"]),
            models.Index(fields=["live_event", "booked_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.beneficiary_key} {self.amount_fen}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise LedgerImmutable("收益台账只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutable("收益台账不能删除。")


class Payout(models.Model):
    """Money a shop handed to a household or collective for its attributed income
    ("pay your households"). Its own record: it never alters the ledger. A correction is
    a further payout with a negative amount and a note, so the history stays."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.PROTECT, related_name="payouts")
    beneficiary_kind = models.CharField(max_length=12, choices=BeneficiaryKind.choices[:2])
    beneficiary_key = models.CharField(max_length=40)
    household = models.ForeignKey(
        "producers.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="payouts"
    )
    collective = models.ForeignKey(
        "producers.Collective", on_delete=models.PROTECT, null=True, blank=True, related_name="payouts"
    )
    amount_fen = models.BigIntegerField(_("金额（分）"))
    period_start = models.DateField(_("所属期间起"))
    period_end = models.DateField(_("所属期间止"))
    paid_on = models.DateField(_("发放日期"))
    reference = models.CharField(_("凭证号"), max_length=100)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope = Scope(shop="shop", region="shop__region")

    class Meta:
        verbose_name = _("收益发放")
        verbose_name_plural = pgettext_lazy("plural", "收益发放")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_fen=0), name="payout_amount_nonzero"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="payout_period_order"),
            models.CheckConstraint(
                condition=(
                    Q(beneficiary_kind="household", household__isnull=False, collective__isnull=True)
                    | Q(beneficiary_kind="collective", household__isnull=True, collective__isnull=False)
                ),
                name="payout_beneficiary_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_key} {self.amount_fen}"


class StatementAccess(models.Model):
    """The access code a household uses, with its registration number, to read its own
    statement. Only a hash is stored; issuing a new code replaces the old one."""

    household = models.OneToOneField("producers.Household", on_delete=models.CASCADE, related_name="statement_access")
    code_hash = models.CharField(max_length=128)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("对账查询码")
        verbose_name_plural = pgettext_lazy("plural", "对账查询码")

    def __str__(self) -> str:
        return f"{self.household_id}"


class StatementLookupCounter(models.Model):
    """How many access codes have been checked for one registration number in the current
    window: the household lookup's limit (``attribution/lookup.py``), taken one check at a
    time by a conditional UPDATE. Keyed by a keyed hash of the number, whether a household
    has it or not (an unknown number is counted like a known one), so the table holds no
    registration numbers; rows of windows long past are purged nightly."""

    number_digest = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField(db_index=True)
    checks = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("对账查询次数")
        verbose_name_plural = pgettext_lazy("plural", "对账查询次数")

    def __str__(self) -> str:
        return f"{self.number_digest[:8]} {self.checks}"
