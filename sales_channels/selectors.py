"""Reading pairings: which a person may see, and which channel and pairing a paid line
counts in (snapshotted by the ledger at payment)."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.utils import timezone

from core.days import day_start
from core.roles import Role, roles_of
from core.scoping import is_platform_admin, jurisdiction_code
from orders.models import BuyerType

from .models import Campaign, Channel, OfflinePoint, OfflineSale, Pairing


def _on_one_line(path: str, code: str) -> Q:
    """Rows whose region at ``path`` lies in or under ``code``, or contains it (codes nest
    by prefix: 37 > 3717 > 371722)."""
    q = Q(**{f"{path}__code__startswith": code})
    for n in range(2, len(code), 2):  # the province, the city … above it
        q |= Q(**{f"{path}__code": code[:n]})
    return q | Q(**{f"{path}__code": code})


def visibility_q(user) -> Q | None:
    """The pairings ``user`` reads (None: all). A bureau officer reads those whose helping or
    helped side is its region, above it or under it — the bureaus of both sides, and the
    counties inside a city's pairing; a helping organisation counts where it is. Anybody
    else (operators, buyers) reads none; platform administrators read all."""
    return _sides_q(user, "")


def campaign_visibility_q(user) -> Q | None:
    """The campaigns ``user`` reads (None: all): a bureau officer those run under a pairing
    it reads (``visibility_q``); platform administrators all; nobody else any."""
    return _sides_q(user, "pairing__")


def _sides_q(user, path: str) -> Q | None:
    if is_platform_admin(user):
        return None
    code = jurisdiction_code(user) if Role.BUREAU_OFFICER in roles_of(user) else None
    if not code:
        return Q(pk__in=[])
    return (
        _on_one_line(f"{path}helped_region", code)
        | _on_one_line(f"{path}helping_region", code)
        | _on_one_line(f"{path}helping_organisation__region", code)
    )


def pairings_for(user):
    q = visibility_q(user)
    qs = Pairing.objects.select_related("helping_region", "helping_organisation__region", "helped_region")
    return qs if q is None else qs.filter(q)


# --- where a paid line came from --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleSource:
    channel: str
    pairing_id: int | None


def channel_of(order, line) -> str:
    """The channel a paid online line counts in (decided): an institution's purchase is
    单位采购 — placed for an organisation account or with a unit's name and tax ID typed —
    even through a live event's link (the line keeps its live event for the live results);
    else a line a live event drove is 直播带货; else 线上商城. An offline point's order
    carries its point's channel (``Order.channel``)."""
    return order.channel or derived_channel(order.buyer_type, line.live_event_id)


def derived_channel(buyer_type: str, live_event_id) -> str:
    """``channel_of``'s rule on a ledger entry's own columns: the channel of an entry booked
    before channels were recorded (its ``channel`` is empty), as the reports count it."""
    if buyer_type in BuyerType.institutional():
        return Channel.INSTITUTIONAL
    if live_event_id:
        return Channel.LIVE
    return Channel.ONLINE


def entry_channel(channel: str, buyer_type: str, live_event_id) -> str:
    """A ledger entry's channel: as recorded, else derived (``derived_channel``)."""
    return channel or derived_channel(buyer_type, live_event_id)


def entry_channel_expression() -> Case:
    """``entry_channel`` as a database expression over ``LedgerEntry`` (for the grouped
    queries that rebuild and check the report summaries)."""
    return Case(
        When(~Q(channel=""), then=F("channel")),
        When(buyer_type__in=list(BuyerType.institutional()), then=Value(Channel.INSTITUTIONAL.value)),
        When(live_event_id__isnull=False, then=Value(Channel.LIVE.value)),
        default=Value(Channel.ONLINE.value),
        output_field=CharField(),
    )


def _organisation_id(order) -> int | None:
    try:
        return order.organisation_link.organisation_id
    except ObjectDoesNotExist:
        return None


def pairing_of(order, product, day: dt.date, link_code: str = "") -> Pairing | None:
    """The pairing a sale of ``product`` to ``order``'s buyer counts under, on ``day``
    (Asia/Shanghai). Among the pairings in force that day whose helped region holds the
    product's producer, the first rule that finds one decides:

    1. **the link**: the line came through a campaign's link or code (``link_code``), the
       campaign runs that day and its pairing is among them — that pairing;
    2. **the organisation**: one whose helping organisation placed the order;
    3. **the region**: one whose helping region holds the order's delivery county (the
       buyer's side).

    Within rules 2 and 3 the most specific wins (the longest helped code, then the longest
    helping code), then the oldest. None when no rule applies. The pairings in force that
    day are read once per order, a campaign once per order and code."""
    cache = order.__dict__.setdefault("_pairings_in_force", {})
    if day not in cache:
        cache[day] = list(
            Pairing.objects.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .select_related("helping_region", "helping_organisation__region", "helped_region")
            .order_by("pk")
        )
    producer_code = product.producer.region.code
    candidates = [p for p in cache[day] if producer_code.startswith(p.helped_region.code)]
    if not candidates:
        return None
    campaign = _campaign(order, link_code)
    if campaign is not None and campaign.pairing_id and campaign.runs_on(day):
        by_link = [p for p in candidates if p.pk == campaign.pairing_id]
        if by_link:
            return by_link[0]
    organisation_id = _organisation_id(order)
    by_unit = [p for p in candidates if organisation_id and p.helping_organisation_id == organisation_id]
    by_region = [
        p for p in candidates if p.helping_region_id and order.ship_region_code.startswith(p.helping_region.code)
    ]
    for group in (by_unit, by_region):
        if group:
            return min(group, key=lambda p: (-len(p.helped_region.code), -len(p.helping_code), p.pk))
    return None


def _campaign(order, code: str) -> Campaign | None:
    if not code:
        return None
    cache = order.__dict__.setdefault("_link_campaigns", {})
    if code not in cache:
        cache[code] = Campaign.objects.filter(code=code).first()
    return cache[code]


def source_of_sale(order, line, product) -> SaleSource:
    """What the ledger records of a line at its payment (``attribution.services``)."""
    day = timezone.localtime(line.paid_at).date()
    pairing = pairing_of(order, product, day, line.link_code)
    return SaleSource(channel_of(order, line), pairing.pk if pairing else None)


# --- offline points' sales, for the bureaus -----------------------------------------------------------------------


def _officer_code(user) -> str | None:
    return jurisdiction_code(user) if Role.BUREAU_OFFICER in roles_of(user) else None


def offline_visibility_q(user) -> Q | None:
    """The offline sales ``user`` reads (None: all; platform administrators). A bureau
    officer reads the sales of its region's products wherever the point stands, and every
    sale of a point standing in its region; anybody else none."""
    if is_platform_admin(user):
        return None
    code = _officer_code(user)
    if not code:
        return Q(pk__in=[])
    return Q(product__producer__region__code__startswith=code) | Q(point__region__code__startswith=code)


def may_read_offline_sales(user) -> bool:
    """Platform administrators and bureau officers (each reads its own share of them)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return is_platform_admin(user) or bool(_officer_code(user))


@dataclass(frozen=True)
class OfflineFilters:
    start: dt.date
    end: dt.date  # inclusive, Shanghai days
    channel: str = ""
    point_id: int | None = None


def offline_sales_for(user, f: OfflineFilters):
    """The offline rows ``user`` reads within the filters, newest first."""
    q = offline_visibility_q(user)
    qs = OfflineSale.objects.filter(
        sold_at__gte=day_start(f.start), sold_at__lt=day_start(f.end + dt.timedelta(days=1))
    )
    if q is not None:
        qs = qs.filter(q)
    if f.channel:
        qs = qs.filter(point__kind=f.channel)
    if f.point_id:
        qs = qs.filter(point_id=f.point_id)
    return qs.select_related("point", "product", "refund_of").order_by("-sold_at", "-pk")


def offline_totals_by_point(sales) -> list[dict]:
    """Per point: sales, refunds (negative), net in fen, units sold net of refunds, rows —
    one grouped query, largest net first."""
    rows = (
        sales.order_by()
        .values("point_id", "point__code", "point__name", "point__kind", "point__region__name")
        .annotate(
            sales_fen=Sum("amount_fen", filter=Q(kind=OfflineSale.Kind.SALE), default=0),
            refunds_fen=Sum("amount_fen", filter=Q(kind=OfflineSale.Kind.REFUND), default=0),
            sold_units=Sum("quantity", filter=Q(kind=OfflineSale.Kind.SALE), default=0),
            refunded_units=Sum("quantity", filter=Q(kind=OfflineSale.Kind.REFUND), default=0),
            rows=Count("pk"),
        )
    )
    out = []
    for row in rows:
        row["refunds_fen"] = -row["refunds_fen"]
        row["net_fen"] = row["sales_fen"] + row["refunds_fen"]
        row["units"] = row["sold_units"] - row["refunded_units"]
        row["kind_label"] = Channel(row["point__kind"]).label
        out.append(row)
    return sorted(out, key=lambda r: (-r["net_fen"], r["point__code"]))


def points_for(user):
    """The points ``user`` reads: all for platform administrators; for an officer, those
    standing in its region and those that sold its region's products."""
    q = offline_visibility_q(user)
    qs = OfflinePoint.objects.select_related("region")
    if q is None:
        return qs
    code = jurisdiction_code(user)
    sold_here = OfflineSale.objects.filter(product__producer__region__code__startswith=code).values("point_id")
    return qs.filter(Q(region__code__startswith=code) | Q(pk__in=sold_here))
