"""Per-event results of live-stream sales, for the admin, its exports, the public event page
and the bureaus' reports.

Every money figure of the results is a database aggregate over ``LedgerEntry`` rows
carrying the event (``live_event``) and the kind (``live_attribution``) copied from the
order line, so event results and household statements are sums over the same ledger."""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, Count, Max, Q, Sum, Value, When
from django.db.models.functions import Cast, Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from attribution.models import BeneficiaryKind, EntryKind, LedgerEntry
from live.models import FeaturedProduct, LiveAttribution, LiveEvent, ViewerSample
from orders.models import OrderLine

ATTRIBUTED = (LiveAttribution.IN_LIVE, LiveAttribution.POST_LIVE)
UPLIFT_DAYS = 7

# A buyer is their account when signed in, else the e-mail address they gave.
BUYER_KEY = Case(
    When(order__user__isnull=False, then=Concat(Value("u:"), Cast("order__user_id", CharField()))),
    default=Concat(Value("e:"), Lower("order__email")),
    output_field=CharField(),
)
LEDGER_SUMS = {
    "gmv": Sum("amount_fen", filter=Q(kind=EntryKind.SALE), default=0),
    "refunds": Sum("amount_fen", filter=Q(kind=EntryKind.REFUND), default=0),
    "net": Sum("amount_fen", default=0),
    "support": Sum("amount_fen", filter=Q(certified_at_payment=True), default=0),
    "household_income": Sum("amount_fen", filter=Q(beneficiary_kind=BeneficiaryKind.HOUSEHOLD), default=0),
    "collective_income": Sum("amount_fen", filter=Q(beneficiary_kind=BeneficiaryKind.COLLECTIVE), default=0),
    "orders": Count("order", distinct=True),
    "buyers": Count(BUYER_KEY, distinct=True),
}


def _round_div(numerator: int, denominator: int) -> int:
    """numerator / denominator in whole fen, halves rounded up (both non-negative)."""
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass
class Figures:
    """Sales of one kind (or of in-live and post-live together) for one event."""

    orders: int = 0  # orders with at least one paid line of this kind
    lines: int = 0
    units: int = 0  # units paid, net of units refunded
    units_refunded: int = 0
    gmv_fen: int = 0  # paid value: the ledger's sale entries
    refunds_fen: int = 0  # the ledger's refund reversals (zero or negative)
    net_fen: int = 0  # gmv + refunds: every entry
    support_fen: int = 0  # net of products certified at payment: consumption-support volume
    buyers: int = 0  # distinct accounts, or e-mail addresses of guests
    households: int = 0  # households whose attributed net income is above zero
    household_income_fen: int = 0
    collectives: int = 0
    collective_income_fen: int = 0

    @property
    def average_order_fen(self) -> int | None:
        """GMV ÷ orders, in whole fen (halves up); None without orders."""
        return _round_div(self.gmv_fen, self.orders) if self.orders else None


@dataclass
class Viewers:
    peak_concurrent: int | None = None
    total_views: int | None = None
    likes: int | None = None
    samples: int = 0
    entered_by_hand: bool = False  # at least one figure is the hand-entered total


@dataclass
class Uplift:
    """Net sales (all channels, refunds deducted) of the event's featured products in the
    ``UPLIFT_DAYS`` days from the window's start, against the same number of days before it."""

    before_from: dt.datetime
    start: dt.datetime
    during_until: dt.datetime
    before_fen: int = 0
    during_fen: int = 0
    complete: bool = False  # the "during" period is over

    @property
    def difference_fen(self) -> int:
        return self.during_fen - self.before_fen

    @property
    def percent(self) -> Decimal | None:
        """(during − before) ÷ before × 100, one decimal; None when nothing sold before."""
        if self.before_fen <= 0:
            return None
        value = Decimal(self.difference_fen) * 100 / Decimal(self.before_fen)
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class EventResults:
    event: LiveEvent
    in_live: Figures = field(default_factory=Figures)
    post_live: Figures = field(default_factory=Figures)
    attributed: Figures = field(default_factory=Figures)  # in-live and post-live together
    window: Figures = field(default_factory=Figures)  # never part of "attributed"
    viewers: Viewers = field(default_factory=Viewers)
    uplift: Uplift | None = None

    @property
    def conversion_percent(self) -> Decimal | None:
        """Attributed buyers ÷ total views × 100, four decimals; None without views."""
        views = self.viewers.total_views
        if not views:
            return None
        value = Decimal(self.attributed.buyers) * 100 / Decimal(views)
        return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    def kinds(self) -> list[tuple[str, str, Figures]]:
        """(key, label, figures) in the order reports show them."""
        return [
            ("in_live", _("直播中"), self.in_live),
            ("post_live", _("直播后7天"), self.post_live),
            ("attributed", _("直播带货合计"), self.attributed),
            ("window", _("直播时段自然成交"), self.window),
        ]


def _apply(figures: Figures, row: dict) -> None:
    figures.gmv_fen, figures.refunds_fen, figures.net_fen = row["gmv"], row["refunds"], row["net"]
    figures.support_fen = row["support"]
    figures.household_income_fen, figures.collective_income_fen = row["household_income"], row["collective_income"]
    figures.orders, figures.buyers = row["orders"], row["buyers"]


def events_results(
    events: Iterable[LiveEvent], *, now: dt.datetime | None = None, detail: bool = True
) -> dict[int, EventResults]:
    """Results of many events at once: ``{event id: EventResults}``.

    Eight queries whatever the number of events (fewer when there is nothing to ask):
    ledger sums per event and kind; the same for in-live and post-live together; the
    households and collectives with a positive net, per kind and together; units from
    the paid order lines; viewer samples; featured products; the uplift sums. For a page
    of a report, pass that page's events.

    ``detail=False`` answers only the in-live and post-live sums together
    (``attributed``), viewers and uplift — what the bureaus' reports show beside their own
    figures — in four queries: the per-kind sums, beneficiary counts and units stay empty.

    Definitions (README, "Live-stream sales"): GMV = sale entries, net = all entries
    (refund reversals deducted), orders and buyers counted distinct over the entries'
    orders, households/collectives counted when their net income from the event is above
    zero, conversion = attributed buyers ÷ total views, uplift as ``Uplift`` says.
    Participating shops' operators and officers all see the whole event's figures."""
    events = list(events)
    now = now or timezone.now()
    results = {e.pk: EventResults(event=e) for e in events}
    if not results:
        return results
    ids = list(results)
    entries = LedgerEntry.objects.filter(live_event_id__in=ids)
    attributed = entries.filter(live_attribution__in=ATTRIBUTED)
    for row in attributed.values("live_event_id").annotate(**LEDGER_SUMS).order_by():
        _apply(results[row["live_event_id"]].attributed, row)
    if detail:
        _add_kind_sums(results, entries)
        _add_beneficiary_counts(results, entries)
        _add_units(results, ids)
    _add_viewers(results, ids)
    _add_uplift(results, now)
    return results


def _add_kind_sums(results: dict[int, EventResults], entries) -> None:
    for row in entries.values("live_event_id", "live_attribution").annotate(**LEDGER_SUMS).order_by():
        figures = _kind(results[row["live_event_id"]], row["live_attribution"])
        if figures is not None:
            _apply(figures, row)


def _add_beneficiary_counts(results: dict[int, EventResults], entries) -> None:
    beneficiaries = entries.exclude(beneficiary_kind=BeneficiaryKind.PRODUCER)
    per_beneficiary = ("live_event_id", "live_attribution", "beneficiary_kind", "beneficiary_key")
    per_kind = Counter(
        (event_id, kind, bkind)
        for event_id, kind, bkind, _key in beneficiaries.values(*per_beneficiary)
        .annotate(s=Sum("amount_fen"))
        .filter(s__gt=0)
        .order_by()
        .values_list(*per_beneficiary)
    )
    together = Counter(
        (event_id, bkind)
        for event_id, bkind, _key in beneficiaries.filter(live_attribution__in=ATTRIBUTED)
        .values("live_event_id", "beneficiary_kind", "beneficiary_key")
        .annotate(s=Sum("amount_fen"))
        .filter(s__gt=0)
        .order_by()
        .values_list("live_event_id", "beneficiary_kind", "beneficiary_key")
    )
    for result in results.values():
        for key, _label, figures in result.kinds():
            if key == "attributed":
                figures.households = together[(result.event.pk, BeneficiaryKind.HOUSEHOLD)]
                figures.collectives = together[(result.event.pk, BeneficiaryKind.COLLECTIVE)]
            else:
                figures.households = per_kind[(result.event.pk, key, BeneficiaryKind.HOUSEHOLD)]
                figures.collectives = per_kind[(result.event.pk, key, BeneficiaryKind.COLLECTIVE)]


def _add_units(results: dict[int, EventResults], ids: list[int]) -> None:
    lines = (
        OrderLine.objects.filter(live_event_id__in=ids, paid_at__isnull=False)
        .values("live_event_id", "live_attribution")
        .annotate(units=Sum("quantity"), refunded=Sum("refunded_quantity"), n=Count("pk"))
        .order_by()
    )
    for row in lines:
        result = results[row["live_event_id"]]
        also = result.attributed if row["live_attribution"] in ATTRIBUTED else None
        for figures in (_kind(result, row["live_attribution"]), also):
            if figures is not None:
                figures.lines += row["n"]
                figures.units += row["units"] - row["refunded"]
                figures.units_refunded += row["refunded"]


def _add_viewers(results: dict[int, EventResults], ids: list[int]) -> None:
    samples = (
        ViewerSample.objects.filter(event_id__in=ids)
        .values("event_id")
        .annotate(peak=Max("concurrent_viewers"), views=Max("cumulative_views"), likes=Max("likes"), n=Count("pk"))
        .order_by()
    )
    sampled = {row["event_id"]: row for row in samples}
    for result in results.values():
        event, row = result.event, sampled.get(result.event.pk, {})
        viewers = result.viewers
        viewers.samples = row.get("n", 0)
        viewers.peak_concurrent = _either(event.manual_peak_viewers, row.get("peak"))
        viewers.total_views = _either(event.manual_total_views, row.get("views"))
        viewers.likes = _either(event.manual_likes, row.get("likes"))
        viewers.entered_by_hand = any(
            v is not None for v in (event.manual_peak_viewers, event.manual_total_views, event.manual_likes)
        )


def _kind(result: EventResults, kind: str) -> Figures | None:
    return {
        LiveAttribution.IN_LIVE: result.in_live,
        LiveAttribution.POST_LIVE: result.post_live,
        LiveAttribution.WINDOW: result.window,
    }.get(kind)


def _either(by_hand, from_samples):
    return by_hand if by_hand is not None else from_samples


def _add_uplift(results: dict[int, EventResults], now: dt.datetime) -> None:
    featured: dict[int, list[int]] = {}
    for event_id, product_id in FeaturedProduct.objects.filter(event_id__in=list(results)).values_list(
        "event_id", "product_id"
    ):
        featured.setdefault(event_id, []).append(product_id)
    span = dt.timedelta(days=UPLIFT_DAYS)
    sums = {}
    for event_id, result in results.items():
        start = result.event.window_start
        result.uplift = Uplift(before_from=start - span, start=start, during_until=start + span)
        result.uplift.complete = now >= result.uplift.during_until
        products = featured.get(event_id)
        if products:
            placed = "order__created_at"
            sums[f"before_{event_id}"] = Sum(
                "amount_fen",
                filter=Q(product_id__in=products, **{f"{placed}__gte": start - span, f"{placed}__lt": start}),
                default=0,
            )
            sums[f"during_{event_id}"] = Sum(
                "amount_fen",
                filter=Q(product_id__in=products, **{f"{placed}__gte": start, f"{placed}__lt": start + span}),
                default=0,
            )
    if not sums:
        return
    all_products = {pid for ids in featured.values() for pid in ids}
    starts = [r.event.window_start for r in results.values()]
    totals = LedgerEntry.objects.filter(
        product_id__in=all_products,
        order__created_at__gte=min(starts) - span,
        order__created_at__lt=max(starts) + span,
    ).aggregate(**sums)
    for event_id, result in results.items():
        if f"before_{event_id}" in totals:
            result.uplift.before_fen = totals[f"before_{event_id}"]
            result.uplift.during_fen = totals[f"during_{event_id}"]


def event_results(event: LiveEvent, *, now: dt.datetime | None = None) -> EventResults:
    """One event's results (``events_results`` for one)."""
    return events_results([event], now=now)[event.pk]
