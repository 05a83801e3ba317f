"""Consumption-support reports (消费帮扶报表): summary tables kept from the ledger and
officers' API tokens. (The budget units' reserved shares are the procurement app's
``Quota`` rows; the report reads them through ``procurement.selectors``.)

The summary tables are *derived* data: every row is a sum of ``LedgerEntry`` amounts
grouped by the row's key, kept up to date by ``services.apply_entries`` in the same
transaction that writes the entries, and rebuilt from scratch by
``manage.py rebuild_report_summaries``. A sale is placed at the **producer's region**
(``LedgerEntry.producer_region``, where the product comes from), as the ledger's own
scope is; ``region_code`` is that region's division code, copied so that "in or under a
region" is a prefix match without a join. Days are Asia/Shanghai calendar days of
``booked_at`` (payment time for sales, refund confirmation time for reversals).

Rows point at shops, products, categories and households with ``CASCADE``: the ledger
PROTECTs all of them, so a summary row can only lose its referent after the ledger
entries it sums were purged (``load_demo --reset``), and then it must go too.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from live.models import LiveAttribution
from orders.models import BuyerType
from producers.models import Producer

# Index options: region codes are matched by prefix (LIKE '3717%'), which a PostgreSQL
# b-tree only serves with the pattern operator class (the database's collation is not C).
_PATTERN = "varchar_pattern_ops"


class Grain(models.TextChoices):
    """How long a summary row's period is. Every sum is kept per day, per calendar month
    and per calendar year (``day`` is the first day of the period), and a report period is
    read as whole years, then whole months, then the days left at either end
    (``periods.split``): a yearly report reads year rows, not 365 days of them, and
    distinct households (not additive over days) are counted over the same rows."""

    DAY = "day", _("日")
    MONTH = "month", _("月")
    YEAR = "year", _("年")


def _period_index(name: str, **kwargs) -> models.Index:
    return models.Index(
        fields=["grain", "region_code", "day"], opclasses=["varchar_ops", _PATTERN, "date_ops"], name=name, **kwargs
    )


# A summary's KEY names foreign keys by attribute (the upsert writes ids); constraints
# name them by field.
_FOREIGN_KEYS = {"shop_id": "shop", "category_id": "category", "product_id": "product", "household_id": "household"}


def _key_constraint(key: tuple[str, ...], name: str) -> models.UniqueConstraint:
    """The unique constraint behind a summary's ``KEY`` — the upsert's ``ON CONFLICT``
    columns — built from the same tuple, so the two cannot drift apart."""
    return models.UniqueConstraint(fields=[_FOREIGN_KEYS.get(k, k) for k in key], name=name)


_SALES_KEY = ("grain", "day", "region_code", "shop_id", "category_id", "producer_kind", "buyer_type", "certified")
_PRODUCT_KEY = (
    "grain",
    "day",
    "region_code",
    "product_id",
    "shop_id",
    "category_id",
    "producer_kind",
    "buyer_type",
    "certified",
    "live_event_pk",
    "live_attribution",
)
_HOUSEHOLD_KEY = ("grain", "day", "region_code", "household_id", "category_id", "producer_kind", "buyer_type")
_CHANNEL_KEY = (
    "grain",
    "day",
    "region_code",
    "category_id",
    "producer_kind",
    "buyer_type",
    "channel",
    "pairing_pk",
    "certified",
)
_TRACED_KEY = ("grain", "day", "region_code", "category_id", "producer_kind", "buyer_type", "traced")


class SalesSummary(models.Model):
    """The paid value, in one period (a day, month or year), of one shop's products of one
    category, producer kind and buyer type, in one producer region, certified at payment
    or not; with how the net went to households, village collectives and producers (the
    three add up to the net)."""

    grain = models.CharField(max_length=5, choices=Grain.choices)
    day = models.DateField(_("期间起始日"))
    region_code = models.CharField(_("生产主体所在地代码"), max_length=12)
    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+", db_index=False)
    producer_kind = models.CharField(max_length=20, choices=Producer.Kind.choices)
    buyer_type = models.CharField(max_length=20, choices=BuyerType.choices)
    certified = models.BooleanField(_("付款时有效认定"))
    sales_fen = models.BigIntegerField(default=0)  # sale entries (≥ 0)
    refunds_fen = models.BigIntegerField(default=0)  # reversal entries (≤ 0)
    household_fen = models.BigIntegerField(default=0)  # net to households
    collective_fen = models.BigIntegerField(default=0)  # net to village collectives
    producer_fen = models.BigIntegerField(default=0)  # net retained by producers

    KEY = _SALES_KEY
    SUMS = ("sales_fen", "refunds_fen", "household_fen", "collective_fen", "producer_fen")

    class Meta:
        verbose_name = _("销售汇总")
        verbose_name_plural = pgettext_lazy("plural", "销售汇总")
        constraints = [_key_constraint(_SALES_KEY, "reports_sales_key")]
        indexes = [_period_index("reports_sales_region"), models.Index(fields=["shop"], name="reports_sales_shop")]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.region_code} {self.shop_id}: {self.sales_fen + self.refunds_fen}"


class ProductSalesSummary(models.Model):
    """The paid value, in one period, of one product, by buyer type, certified or not, and
    by the live event its lines were tagged with (``live_event_pk`` 0 and
    ``live_attribution`` "" when none). Top products, sales of uncertified products and
    event results read it."""

    grain = models.CharField(max_length=5, choices=Grain.choices)
    day = models.DateField()
    region_code = models.CharField(max_length=12)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+", db_index=False)
    shop = models.ForeignKey("catalog.Shop", on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+", db_index=False)
    producer_kind = models.CharField(max_length=20, choices=Producer.Kind.choices)
    buyer_type = models.CharField(max_length=20, choices=BuyerType.choices)
    certified = models.BooleanField()
    # A plain id, not a foreign key: 0 stands for "no event" so that the unique key
    # (and the upsert on it) has no NULL in it.
    live_event_pk = models.PositiveBigIntegerField(default=0)
    live_attribution = models.CharField(max_length=12, blank=True, choices=LiveAttribution.choices)
    sales_fen = models.BigIntegerField(default=0)
    refunds_fen = models.BigIntegerField(default=0)

    KEY = _PRODUCT_KEY
    SUMS = ("sales_fen", "refunds_fen")

    class Meta:
        verbose_name = _("商品销售汇总")
        verbose_name_plural = pgettext_lazy("plural", "商品销售汇总")
        constraints = [_key_constraint(_PRODUCT_KEY, "reports_product_key")]
        indexes = [
            _period_index("reports_product_region"),
            # Sales of uncertified products are a small share: read them without the rest.
            _period_index("reports_product_uncertified", condition=Q(certified=False)),
            models.Index(
                fields=["live_event_pk", "grain", "day"], name="reports_product_event", condition=~Q(live_event_pk=0)
            ),
            models.Index(fields=["product"], name="reports_product_product"),
            models.Index(fields=["shop"], name="reports_product_shop"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.product_id}: {self.sales_fen + self.refunds_fen}"


class HouseholdIncome(models.Model):
    """A household's net consumption-support income (certified sales only) per day, month
    and year, from one producer region, category, producer kind and buyer type.
    "Households benefited" counts distinct households with positive net income over a
    period, which is not additive: it groups these rows by household over the period's
    whole years, whole months and remaining days."""

    grain = models.CharField(max_length=5, choices=Grain.choices)
    day = models.DateField(help_text=_("期间起始日"))
    region_code = models.CharField(max_length=12)
    household = models.ForeignKey("producers.Household", on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+", db_index=False)
    producer_kind = models.CharField(max_length=20, choices=Producer.Kind.choices)
    buyer_type = models.CharField(max_length=20, choices=BuyerType.choices)
    net_fen = models.BigIntegerField(default=0)

    KEY = _HOUSEHOLD_KEY
    SUMS = ("net_fen",)

    class Meta:
        verbose_name = _("帮扶户收入汇总")
        verbose_name_plural = pgettext_lazy("plural", "帮扶户收入汇总")
        constraints = [_key_constraint(_HOUSEHOLD_KEY, "reports_household_key")]
        indexes = [
            _period_index("reports_household_region"),
            models.Index(fields=["household"], name="reports_household_household"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} household {self.household_id}: {self.net_fen}"


class ChannelSummary(models.Model):
    """The paid value, in one period, by the channel a sale came from and the pairing it
    counts under (``pairing_pk`` 0 when none), with the report's other dimensions (producer
    region, category, producer kind, buyer type, certified at payment) so that every filter
    of the report applies to it. An entry booked before channels were recorded counts in the
    channel its buyer type and live event give (``sales_channels.selectors.entry_channel``)."""

    grain = models.CharField(max_length=5, choices=Grain.choices)
    day = models.DateField()
    region_code = models.CharField(max_length=12)
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+", db_index=False)
    producer_kind = models.CharField(max_length=20, choices=Producer.Kind.choices)
    buyer_type = models.CharField(max_length=20, choices=BuyerType.choices)
    channel = models.CharField(max_length=16)
    pairing_pk = models.PositiveBigIntegerField(default=0)
    certified = models.BooleanField()
    sales_fen = models.BigIntegerField(default=0)
    refunds_fen = models.BigIntegerField(default=0)

    KEY = _CHANNEL_KEY
    SUMS = ("sales_fen", "refunds_fen")

    class Meta:
        verbose_name = _("渠道汇总")
        verbose_name_plural = pgettext_lazy("plural", "渠道汇总")
        constraints = [_key_constraint(_CHANNEL_KEY, "reports_channel_key")]
        indexes = [_period_index("reports_channel_region")]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.channel} {self.pairing_pk}: {self.sales_fen + self.refunds_fen}"


class TracedSummary(models.Model):
    """The shipped lines of products certified at payment, by the period of their payment,
    the report's dimensions (producer region, category, producer kind, buyer type) and
    whether the line records the production batch it was packed from (``traced``): how many
    lines and their net (price × units not refunded). Derived from order lines, not from
    the ledger (the ledger does not know batches). A line enters it once it is both paid
    and shipped — at shipping, or at payment for a parcel shipped first (an order on terms,
    an offline sale) — and its refunds take their units' value off it
    (``services.traced_line_*``). The 溯源 table reads it."""

    grain = models.CharField(max_length=5, choices=Grain.choices)
    day = models.DateField()
    region_code = models.CharField(max_length=12)
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+", db_index=False)
    producer_kind = models.CharField(max_length=20, choices=Producer.Kind.choices)
    buyer_type = models.CharField(max_length=20, choices=BuyerType.choices)
    traced = models.BooleanField()
    lines = models.BigIntegerField(default=0)
    net_fen = models.BigIntegerField(default=0)

    KEY = _TRACED_KEY
    SUMS = ("lines", "net_fen")

    class Meta:
        verbose_name = _("溯源汇总")
        verbose_name_plural = pgettext_lazy("plural", "溯源汇总")
        constraints = [_key_constraint(_TRACED_KEY, "reports_traced_key")]
        indexes = [_period_index("reports_traced_region")]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} traced={self.traced}: {self.lines} lines, {self.net_fen}"


# The summaries the ledger's entries are added to (``services.accumulate``).
SUMMARY_MODELS = (SalesSummary, ProductSalesSummary, HouseholdIncome, ChannelSummary)
# Every derived table: those, and the one kept from order lines. The rebuild and the
# comparison with a recomputation cover them all.
DERIVED_MODELS = (*SUMMARY_MODELS, TracedSummary)


class ReportApiToken(models.Model):
    """A personal token an officer uses to read the reports' JSON endpoint from their own
    tools. Only a SHA-256 hash of the token is kept (it is 256 random bits, so a slow
    password hash adds nothing); the token is shown once, when made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_tokens")
    name = models.CharField(_("用途"), max_length=60)
    prefix = models.CharField(_("前缀"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报表接口令牌")
        verbose_name_plural = pgettext_lazy("plural", "报表接口令牌")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
