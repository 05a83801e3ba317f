"""Writes of the reports app: keeping the summary tables in step with the ledger (and the
溯源 summary with shipped order lines), rebuilding them, and officers' API tokens.

**Keeping summaries in step.** ``apply_entries`` runs on ``attribution.events.entries_booked``
(``on_entries_booked``, connected in ``apps.py``) with the entries the ledger has just
written, inside the same transaction. It reads them back with the few
joined values it needs (one query), adds them up per summary row in Python and upserts
the sums (``INSERT … ON CONFLICT … DO UPDATE SET x = x + excluded.x``, PostgreSQL and
SQLite ≥ 3.24), tables in a fixed order and rows sorted by key. The summaries therefore
commit or roll back with the entries: each entry is counted exactly once, whatever order
transactions commit in, with nothing to catch up later.

**Why a lock as well as sorted keys.** One payment calls ``apply_entries`` once per order
line, and two lines of one order may touch summary rows that another payment's lines
touch in the opposite order (the same household from two products, the same day and
category from two shops). Sorting inside one call cannot prevent that deadlock, so on
PostgreSQL every call first takes one transaction-scoped advisory lock: from their first
ledger write to commit (milliseconds), transactions that write the ledger take turns on
the summaries. It is taken after the order and product row locks, and a holder never
waits for a lock a waiter holds, so it adds no deadlock of its own. SQLite has one
writer at a time anyway. The rebuild takes the same lock.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from django.db import connection, transaction
from django.db.models import BooleanField as BooleanOutput
from django.db.models import Count, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from attribution.models import BeneficiaryKind, EntryKind, LedgerEntry
from core.errors import DomainError
from core.tokens import NewToken, hash_token
from orders.models import OrderLine
from sales_channels.selectors import entry_channel, entry_channel_expression

from .access import report_jurisdiction
from .models import (
    DERIVED_MODELS,
    SUMMARY_MODELS,
    ChannelSummary,
    Grain,
    HouseholdIncome,
    ProductSalesSummary,
    ReportApiToken,
    SalesSummary,
    TracedSummary,
)

# What a product summary row is keyed by, as the rebuild reads it from the ledger.
PRODUCT_KEYS = (
    "d",
    "rc",
    "product_id",
    "shop_id",
    "category_id",
    "producer_kind",
    "buyer_type",
    "certified_at_payment",
    "ev",
    "live_attribution",
)

# pg_advisory_xact_lock key of the summary tables ("REPO" in ASCII).
SUMMARY_LOCK_KEY = 0x5245504F

_FACT_FIELDS = (
    "kind",
    "amount_fen",
    "booked_at",
    "beneficiary_kind",
    "household_id",
    "producer_region__code",
    "shop_id",
    "product_id",
    "category_id",
    "producer_kind",
    "buyer_type",
    "certified_at_payment",
    "live_event_id",
    "live_attribution",
    "channel",
    "pairing_id",
)
_BENEFICIARY_COLUMN = {
    BeneficiaryKind.HOUSEHOLD: 2,
    BeneficiaryKind.COLLECTIVE: 3,
    BeneficiaryKind.PRODUCER: 4,
}

Deltas = dict[type, dict[tuple, list[int]]]


def lock_summaries() -> None:
    """Take the summaries' transaction lock (PostgreSQL; a no-op on SQLite)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUMMARY_LOCK_KEY])


def _periods(day: dt.date) -> tuple[tuple[str, dt.date], ...]:
    """The day, month and year a day belongs to, as (grain, first day)."""
    return (
        (Grain.DAY.value, day),
        (Grain.MONTH.value, day.replace(day=1)),
        (Grain.YEAR.value, day.replace(month=1, day=1)),
    )


def accumulate(facts: Iterable[Sequence]) -> Deltas:
    """Sum ledger facts (tuples of ``_FACT_FIELDS``) into summary rows: {model: {key: sums}},
    each fact into its day's, month's and year's rows."""
    tz = timezone.get_default_timezone()
    out: Deltas = {model: defaultdict(lambda m=model: [0] * len(m.SUMS)) for model in SUMMARY_MODELS}
    sales, products, households, channels = (out[m] for m in SUMMARY_MODELS)
    for (
        kind,
        amount,
        booked_at,
        beneficiary_kind,
        household_id,
        region_code,
        shop_id,
        product_id,
        category_id,
        producer_kind,
        buyer_type,
        certified,
        live_event_id,
        live_attribution,
        channel,
        pairing_id,
    ) in facts:
        day = timezone.localtime(booked_at, tz).date()
        channel = entry_channel(channel, buyer_type, live_event_id)
        money = 0 if kind == EntryKind.SALE else 1
        household = certified and beneficiary_kind == BeneficiaryKind.HOUSEHOLD
        for grain, start in _periods(day):
            row = sales[(grain, start, region_code, shop_id, category_id, producer_kind, buyer_type, certified)]
            row[money] += amount
            row[_BENEFICIARY_COLUMN[beneficiary_kind]] += amount
            product_key = (
                grain,
                start,
                region_code,
                product_id,
                shop_id,
                category_id,
                producer_kind,
                buyer_type,
                certified,
                live_event_id or 0,
                live_attribution or "",
            )
            products[product_key][money] += amount
            if household:
                key = (grain, start, region_code, household_id, category_id, producer_kind, buyer_type)
                households[key][0] += amount
            key = (
                grain,
                start,
                region_code,
                category_id,
                producer_kind,
                buyer_type,
                channel,
                pairing_id or 0,
                certified,
            )
            channels[key][money] += amount
    return out


def apply_entries(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """Add just-written ledger entries to the summary tables, in the caller's transaction.
    Returns ``entries``."""
    ids = [entry.pk for entry in entries]
    if not ids:
        return entries
    if None in ids:
        raise DomainError(_("台账记录尚未保存，不能计入报表汇总。"))
    facts = LedgerEntry.objects.filter(pk__in=ids).values_list(*_FACT_FIELDS)
    deltas = accumulate(facts)
    # The ledger writers always run inside the paying transaction; no savepoint is needed
    # (a failure must roll the entries back with the summaries), but a transaction is
    # still opened when called in autocommit, so the advisory lock has one to live in.
    with transaction.atomic(savepoint=False):
        lock_summaries()
        for model in SUMMARY_MODELS:
            _upsert(model, deltas[model])
    return entries


def on_entries_booked(sender, *, entries: list[LedgerEntry], **kwargs) -> None:
    """Receiver of ``attribution.events.entries_booked``."""
    apply_entries(entries)


def _upsert(model, rows: dict[tuple, list[int]], chunk: int = 200) -> None:
    if not rows:
        return
    opts = model._meta
    qn = connection.ops.quote_name
    key_columns = [opts.get_field(name).column for name in model.KEY]
    sum_columns = [opts.get_field(name).column for name in model.SUMS]
    table = qn(opts.db_table)
    columns = ", ".join(qn(c) for c in key_columns + sum_columns)
    conflict = ", ".join(qn(c) for c in key_columns)
    updates = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in sum_columns)
    one = "(" + ", ".join(["%s"] * (len(key_columns) + len(sum_columns))) + ")"
    ordered = sorted(rows.items())  # a fixed order: concurrent writers meet rows in the same order
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), chunk):
            part = ordered[start : start + chunk]
            params = [_adapt(v) for key, sums in part for v in (*key, *sums)]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(part))} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                params,
            )


def _adapt(value):
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


# --- the 溯源 summary, kept from order lines ---------------------------------------------------------------------

# What a line contributes to ``TracedSummary``, read with its dimensions in one query.
_TRACED_FIELDS = (
    "paid_at",
    "batch_id",
    "unit_price_fen",
    "product__producer__region__code",
    "product__category_id",
    "product__producer__kind",
    "suborder__order__buyer_type",
)


def _traced_lines():
    """The lines the 溯源 summary counts: of products certified at payment, paid, shipped."""
    return OrderLine.objects.filter(
        certified_at_payment=True, paid_at__isnull=False, suborder__shipped_at__isnull=False
    ).order_by()


def _add_traced(line_filter: Q, *, lines: int, units) -> None:
    """Add to ``TracedSummary``, for each counted line matching ``line_filter``, ``lines``
    to its count and its unit price × ``units(line)`` to its net — in the caller's
    transaction, under the summaries' lock."""
    tz = timezone.get_default_timezone()
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    rows = _traced_lines().filter(line_filter).values_list("quantity", "refunded_quantity", *_TRACED_FIELDS)
    for quantity, refunded, paid_at, batch_id, price, region_code, category_id, kind, buyer_type in rows:
        day = timezone.localtime(paid_at, tz).date()
        for grain, start in _periods(day):
            row = deltas[(grain, start, region_code, category_id, kind, buyer_type, batch_id is not None)]
            row[0] += lines
            row[1] += price * units(quantity, refunded)
    if deltas:
        with transaction.atomic(savepoint=False):
            lock_summaries()
            _upsert(TracedSummary, deltas)


def count_traced_lines(line_filter: Q) -> None:
    """Lines that have just become both paid and shipped enter the 溯源 summary: one line
    each, net of the units refunded so far."""
    _add_traced(line_filter, lines=1, units=lambda quantity, refunded: quantity - refunded)


def on_parcel_shipped(sender, *, suborder, **kwargs) -> None:
    """Receiver of ``orders.events.parcel_shipped``: its paid lines are counted now."""
    count_traced_lines(Q(suborder_id=suborder.pk))


def on_line_paid(sender, *, line: OrderLine, **kwargs) -> None:
    """Receiver of ``orders.events.line_paid``: a line of a parcel that shipped before it was
    paid (an order on terms, an offline sale) is counted at payment. (The suborder is the
    one the payment path loaded with the line; an unshipped line costs no query.)"""
    if line.certified_at_payment and line.suborder.shipped_at is not None:
        count_traced_lines(Q(pk=line.pk))


def on_line_refunded(sender, *, line: OrderLine, refund_line, **kwargs) -> None:
    """Receiver of ``orders.events.line_refunded``: refunded units of a counted line (paid
    and shipped) take their value off its net; its line count stays."""
    if line.certified_at_payment and line.suborder.shipped_at is not None:
        _add_traced(Q(pk=line.pk), lines=0, units=lambda quantity, refunded: -refund_line.quantity)


# --- rebuilding from the ledger ---------------------------------------------------------------------------------------


def _ledger_day():
    return TruncDate("booked_at", tzinfo=timezone.get_default_timezone())


def _with_months_and_years(day_rows: Iterable[tuple], width: int) -> Iterator[tuple]:
    """Day rows ``(day, *key, *sums)`` (``width`` sums), each yielded as a day row, then
    the month and year rows they add up to."""
    rollup: dict[tuple, list[int]] = {}
    for day, *rest in day_rows:
        key, sums = tuple(rest[:-width]), rest[-width:]
        yield (Grain.DAY.value, day, *key, *sums)
        for grain, start in _periods(day)[1:]:
            total = rollup.setdefault((grain, start, *key), [0] * width)
            for i, value in enumerate(sums):
                total[i] += value
    for key, sums in rollup.items():
        yield (*key, *sums)


def expected_rows(model) -> Iterator[tuple]:
    """The rows ``model`` should hold, computed from the whole ledger (the 溯源 summary:
    from the order lines) by grouped queries, not by the Python path ``apply_entries`` and
    ``count_traced_lines`` take: tuples of ``model.KEY + model.SUMS``.
    Day rows come from the database; month and year rows are their sums."""
    ledger = LedgerEntry.objects.order_by()
    sale, refund = Q(kind=EntryKind.SALE), Q(kind=EntryKind.REFUND)
    if model is SalesSummary:
        qs = (
            ledger.annotate(d=_ledger_day(), rc=F("producer_region__code"))
            .values("d", "rc", "shop_id", "category_id", "producer_kind", "buyer_type", "certified_at_payment")
            .annotate(
                s=Sum("amount_fen", filter=sale, default=0),
                r=Sum("amount_fen", filter=refund, default=0),
                h=Sum("amount_fen", filter=Q(beneficiary_kind=BeneficiaryKind.HOUSEHOLD), default=0),
                c=Sum("amount_fen", filter=Q(beneficiary_kind=BeneficiaryKind.COLLECTIVE), default=0),
                p=Sum("amount_fen", filter=Q(beneficiary_kind=BeneficiaryKind.PRODUCER), default=0),
            )
            .values_list(
                "d",
                "rc",
                "shop_id",
                "category_id",
                "producer_kind",
                "buyer_type",
                "certified_at_payment",
                "s",
                "r",
                "h",
                "c",
                "p",
            )
        )
        yield from _with_months_and_years(qs.iterator(chunk_size=10_000), 5)
    elif model is ProductSalesSummary:
        qs = (
            ledger.annotate(d=_ledger_day(), rc=F("producer_region__code"), ev=Coalesce("live_event_id", Value(0)))
            .values(*PRODUCT_KEYS)
            .annotate(s=Sum("amount_fen", filter=sale, default=0), r=Sum("amount_fen", filter=refund, default=0))
            .values_list(*PRODUCT_KEYS, "s", "r")
        )
        yield from _with_months_and_years(qs.iterator(chunk_size=10_000), 2)
    elif model is HouseholdIncome:
        qs = (
            ledger.filter(certified_at_payment=True, beneficiary_kind=BeneficiaryKind.HOUSEHOLD)
            .annotate(d=_ledger_day(), rc=F("producer_region__code"))
            .values("d", "rc", "household_id", "category_id", "producer_kind", "buyer_type")
            .annotate(n=Sum("amount_fen"))
            .values_list("d", "rc", "household_id", "category_id", "producer_kind", "buyer_type", "n")
        )
        yield from _with_months_and_years(qs.iterator(chunk_size=10_000), 1)
    elif model is TracedSummary:
        keys = ("d", "product__producer__region__code", "product__category_id", "product__producer__kind")
        keys = (*keys, "suborder__order__buyer_type", "traced")
        qs = (
            _traced_lines()
            .annotate(
                d=TruncDate("paid_at", tzinfo=timezone.get_default_timezone()),
                traced=ExpressionWrapper(Q(batch__isnull=False), output_field=BooleanOutput()),
            )
            .values(*keys)
            .annotate(n=Count("pk"), net=Sum(F("unit_price_fen") * (F("quantity") - F("refunded_quantity"))))
            .values_list(*keys, "n", "net")
        )
        yield from _with_months_and_years(qs.iterator(chunk_size=10_000), 2)
    elif model is ChannelSummary:
        keys = ("d", "rc", "category_id", "producer_kind", "buyer_type", "ch", "pp", "certified_at_payment")
        qs = (
            ledger.annotate(
                d=_ledger_day(),
                rc=F("producer_region__code"),
                ch=entry_channel_expression(),
                pp=Coalesce("pairing_id", Value(0)),
            )
            .values(*keys)
            .annotate(s=Sum("amount_fen", filter=sale, default=0), r=Sum("amount_fen", filter=refund, default=0))
            .values_list(*keys, "s", "r")
        )
        yield from _with_months_and_years(qs.iterator(chunk_size=10_000), 2)
    else:
        raise ValueError(f"not a summary model: {model}")


def table_rows(model) -> Iterator[tuple]:
    """What ``model`` holds now, as tuples of ``model.KEY + model.SUMS``."""
    return model.objects.order_by().values_list(*model.KEY, *model.SUMS).iterator(chunk_size=10_000)


def rebuild_summaries(batch_size: int = 5000, progress=None) -> dict[str, int]:
    """Empty the summary tables and fill them again from the ledger (the 溯源 summary from
    the order lines), in one transaction
    holding the summaries' lock (payments that write the ledger meanwhile wait for it, then
    add their entries on top). Returns the rows written per table."""
    written = {}
    with transaction.atomic():
        lock_summaries()
        for model in DERIVED_MODELS:
            model.objects.all().delete()
            fields = [*model.KEY, *model.SUMS]
            batch, count = [], 0
            for values in expected_rows(model):
                batch.append(model(**dict(zip(fields, values, strict=True))))
                if len(batch) >= batch_size:
                    model.objects.bulk_create(batch)
                    count += len(batch)
                    batch = []
                    if progress:
                        progress(model, count)
            model.objects.bulk_create(batch)
            count += len(batch)
            if progress:
                progress(model, count)
            written[model._meta.model_name] = count
    return written


def summary_differences(limit: int = 50) -> list[str]:
    """Rows where a summary table and the ledger disagree (empty when all agree)."""
    found: list[str] = []
    for model in DERIVED_MODELS:
        width = len(model.KEY)
        expected = {values[:width]: values[width:] for values in expected_rows(model)}
        actual = {values[:width]: values[width:] for values in table_rows(model)}
        name = model._meta.model_name
        for key in sorted(set(expected) | set(actual), key=str):
            if expected.get(key) != actual.get(key):
                found.append(f"{name} {key}: ledger {expected.get(key)} ≠ summary {actual.get(key)}")
                if len(found) >= limit:
                    return found
    return found


# --- API tokens -------------------------------------------------------------------------------------------------------

TOKEN_PREFIX = "rpt_"


def create_api_token(user, name: str) -> tuple[ReportApiToken, str]:
    """Make a token for ``user`` (a bureau officer or platform administrator) and return
    it with its text, which is shown once and never stored."""
    report_jurisdiction(user)  # refuses anybody who may not read reports
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写令牌用途，例如“月报表格”。"))
    if len(name) > 60:
        raise DomainError(_("令牌用途最多 60 个字。"))
    new = NewToken.make(TOKEN_PREFIX)
    record = ReportApiToken.objects.create(user=user, name=name, prefix=new.shown, key_hash=new.hash)
    return record, new.text


def revoke_api_token(user, token_id: int) -> ReportApiToken:
    """Revoke one of ``user``'s own tokens (idempotent)."""
    record = ReportApiToken.objects.filter(pk=token_id, user=user).first()
    if record is None:
        raise DomainError(_("没有这个令牌。"))
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
    return record


def user_for_token(token: str):
    """The active user a token belongs to, or None for an unknown or revoked token."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    record = (
        ReportApiToken.objects.select_related("user__bureau__region")
        .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if record is None:
        return None
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > dt.timedelta(minutes=5):
        ReportApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user
