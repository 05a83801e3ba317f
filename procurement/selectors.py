"""Reads of the procurement app: a person's organisations and roles, and the reserved
share's progress (预留份额完成情况) for a unit and for a bureau's region.

**Spent** is what a budget unit bought in the calendar year (Asia/Shanghai) that counts as
consumption support, from the attribution ledger: the entries of the orders placed for the
unit (``OrganisationOrder``), sales booked at payment minus reversals booked at refund,
only those certified at the moment of payment (``consumption_support()``). A line's
entries add up to its amount to the fen (``attribution/allocation.py``), so the sum is the
money paid for certified products, net of refunds, in the month it moved."""

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils import timezone

from attribution.models import LedgerEntry
from core.days import day_start
from orders.buying_for import BuyingFor, ParcelAcceptance
from orders.models import SubOrder
from orders.states import SETTLED_PARCELS, FulfilmentStatus, OrderStatus

from .models import Acceptance, Invitation, Kind, Member, Organisation, OrganisationOrder, Quota
from .rules import minimum_share_bp


def memberships(user):
    """``user``'s memberships of active organisations, with the organisation."""
    if not getattr(user, "is_authenticated", False):
        return Member.objects.none()
    return Member.objects.filter(user=user, organisation__is_active=True).select_related("organisation__region")


def membership(user, organisation_id: int) -> Member | None:
    """``user``'s membership of that organisation, or None (the views answer 404 then:
    another organisation's pages do not say they exist)."""
    return memberships(user).filter(organisation_id=organisation_id).first()


def organisations_to_buy_for(user) -> list[BuyingFor]:
    """The organisations ``user`` purchases for (checkout's 采购单位): one query."""
    return [
        BuyingFor(
            ref=str(m.organisation_id),
            name=m.organisation.name,
            buyer_type=m.organisation.kind,
            tax_id=m.organisation.credit_code,
        )
        for m in memberships(user).filter(is_purchaser=True).order_by("organisation__name", "organisation_id")
    ]


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return day_start(dt.date(year, 1, 1)), day_start(dt.date(year + 1, 1, 1))


def _spent_entries(year: int):
    start, end = year_bounds(year)
    return LedgerEntry.objects.consumption_support().filter(booked_at__gte=start, booked_at__lt=end)


@dataclass
class MonthSpent:
    month: int
    spent_fen: int
    cumulative_fen: int


@dataclass
class QuotaProgress:
    organisation: Organisation
    year: int
    quota: Quota | None
    minimum_bp: int
    spent_fen: int
    months: list[MonthSpent] = field(default_factory=list)
    days_left: int = 0

    @property
    def reserved_fen(self) -> int:
        return self.quota.reserved_fen if self.quota else 0

    @property
    def left_fen(self) -> int:
        return max(0, self.reserved_fen - self.spent_fen)

    @property
    def done_bp(self) -> int | None:
        """Spent ÷ reserved in basis points (None without a quota), rounded down."""
        if not self.reserved_fen:
            return None
        return self.spent_fen * 10_000 // self.reserved_fen

    @property
    def below_minimum(self) -> bool:
        return self.quota is not None and self.quota.reserved_bp < self.minimum_bp


def days_left_in(year: int, today: dt.date) -> int:
    """Days left in ``year`` counting today (0 once it is over, all of them before it starts)."""
    if today.year > year:
        return 0
    if today.year < year:
        return 366 if calendar.isleap(year) else 365
    return (dt.date(year, 12, 31) - today).days + 1


def quota_progress(organisation: Organisation, year: int) -> QuotaProgress:
    """The unit's reserved share of ``year`` against what it spent, month by month: two queries."""
    quota = Quota.objects.filter(organisation=organisation, year=year).first()
    by_month = dict(
        _spent_entries(year)
        .filter(order__organisation_link__organisation=organisation)
        .annotate(m=ExtractMonth("booked_at", tzinfo=timezone.get_default_timezone()))
        .values("m")
        .annotate(fen=Sum("amount_fen"))
        .values_list("m", "fen")
    )
    today = timezone.localdate()
    last_month = 12 if today.year > year else (today.month if today.year == year else 0)
    months, running = [], 0
    for month in range(1, last_month + 1):
        running += by_month.get(month, 0)
        months.append(MonthSpent(month, by_month.get(month, 0), running))
    return QuotaProgress(
        organisation=organisation,
        year=year,
        quota=quota,
        minimum_bp=minimum_share_bp(organisation.region.code),
        spent_fen=sum(by_month.values()),
        months=months,
        days_left=days_left_in(year, today),
    )


@dataclass
class UnitRow:
    organisation: Organisation
    region_name: str
    reserved_fen: int
    spent_fen: int
    done_bp: int | None  # None: no quota recorded for the year
    minimum_bp: int
    members: int

    @property
    def left_fen(self) -> int:
        return max(0, self.reserved_fen - self.spent_fen)


def units_ranked(region_code: str, year: int) -> list[UnitRow]:
    """Every active budget unit in or under ``region_code`` ("" for all) with its reserved
    share and what it spent in ``year``, the most complete first (units without a quota
    last, by name): three queries, whatever the number of units."""
    units = list(
        Organisation.objects.filter(kind=Kind.BUDGET_UNIT, is_active=True, region__code__startswith=region_code)
        .select_related("region")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("name", "pk")
    )
    ids = [u.pk for u in units]
    quotas = {q.organisation_id: q for q in Quota.objects.filter(organisation_id__in=ids, year=year)}
    spent = dict(
        _spent_entries(year)
        .filter(order__organisation_link__organisation_id__in=ids)
        .values("order__organisation_link__organisation_id")
        .annotate(fen=Sum("amount_fen"))
        .values_list("order__organisation_link__organisation_id", "fen")
    )
    rows = []
    for unit in units:
        quota = quotas.get(unit.pk)
        reserved = quota.reserved_fen if quota else 0
        got = spent.get(unit.pk, 0)
        rows.append(
            UnitRow(
                organisation=unit,
                region_name=unit.region.full_name,
                reserved_fen=reserved,
                spent_fen=got,
                done_bp=got * 10_000 // reserved if reserved else None,
                minimum_bp=minimum_share_bp(unit.region.code),
                members=unit.member_count,
            )
        )
    rows.sort(key=lambda r: (r.done_bp is None, -(r.done_bp or 0), r.organisation.name, r.organisation.pk))
    return rows


def open_invitations_for(user):
    """Invitations waiting for ``user``'s mobile number."""
    mobile = getattr(user, "mobile", "") if getattr(user, "is_authenticated", False) else ""
    if not mobile:
        return []
    return list(
        Invitation.objects.filter(
            mobile=mobile, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).select_related("organisation")
    )


# --- acceptance (验收) ----------------------------------------------------------------------------------------------


def _unit_parcels(organisation: Organisation):
    return SubOrder.objects.filter(order__organisation_link__organisation=organisation)


def _waiting(organisation: Organisation):
    return _unit_parcels(organisation).filter(status=FulfilmentStatus.SHIPPED, acceptance__isnull=True)


def parcels_to_accept_count(organisation: Organisation) -> int:
    return _waiting(organisation).count()


def parcels_to_accept(organisation: Organisation) -> list[SubOrder]:
    """The unit's parcels shipped and not yet accepted, oldest shipment first, with lines."""
    return list(
        _waiting(organisation).select_related("order", "shop").prefetch_related("lines").order_by("shipped_at", "pk")
    )


def recent_acceptances(organisation: Organisation, limit: int = 20) -> list[Acceptance]:
    return list(
        Acceptance.objects.filter(organisation=organisation)
        .select_related("suborder__order", "suborder__shop", "accepted_by", "after_sale")
        .order_by("-accepted_at", "-pk")[:limit]
    )


def parcel_of(organisation: Organisation, suborder_id: int) -> SubOrder | None:
    """One parcel of the unit's orders waiting for acceptance (None otherwise: a 404)."""
    return (
        _waiting(organisation).filter(pk=suborder_id).select_related("order", "shop").prefetch_related("lines").first()
    )


def order_acceptance(order, user) -> dict[int, ParcelAcceptance]:
    """What the buyer's order page shows per parcel of an organisation's order
    (``orders/buying_for.py``): the acceptance recorded, or — for the unit's purchasers —
    where to record it once shipped. Empty for an order not placed for an organisation.
    One query for the link, one for the acceptances, one for the membership."""
    link = OrganisationOrder.objects.filter(order=order).values_list("organisation_id", flat=True).first()
    if link is None:
        return {}
    done = {a.suborder_id: a for a in Acceptance.objects.filter(suborder__order=order)}
    purchaser = memberships(user).filter(organisation_id=link, is_purchaser=True).exists()
    result = {}
    for suborder in order.suborders.all():
        accepted = done.get(suborder.pk)
        url = ""
        if accepted is None and purchaser and suborder.status == FulfilmentStatus.SHIPPED:
            url = reverse("procurement:acceptance", args=[link, suborder.pk])
        result[suborder.pk] = ParcelAcceptance(
            result=accepted.get_result_display() if accepted else "",
            accepted_at=accepted.accepted_at if accepted else None,
            url=url,
        )
    return result


# --- orders on terms (验收后付款) -------------------------------------------------------------------------------------


def terms_falling_due():
    """Orders on terms whose every parcel is accepted (or received, or refunded): their
    payment clock runs (``orders.services.terms_due_at``), soonest due first."""
    open_parcel = SubOrder.objects.filter(order_id=OuterRef("order_id")).exclude(status__in=SETTLED_PARCELS)
    return (
        OrganisationOrder.objects.filter(order__status=OrderStatus.ON_TERMS)
        .exclude(Exists(open_parcel))
        .select_related("order", "organisation")
        .order_by("order__payment_due_at", "pk")
    )


def payments_due(organisation: Organisation) -> list[OrganisationOrder]:
    """The unit's orders on terms to pay now (all parcels accepted), soonest due first."""
    return list(terms_falling_due().filter(organisation=organisation))


def invoice_details(order) -> dict[str, str]:
    """The 开票信息 the unit keeps (its details page), for its orders' invoice requests; {}
    for an order not placed for an organisation."""
    link = OrganisationOrder.objects.filter(order=order).select_related("organisation").first()
    if link is None:
        return {}
    o = link.organisation
    return {
        "title": o.invoice_title or o.name,
        "tax_id": o.credit_code,
        "address": o.invoice_address,
        "phone": o.invoice_phone,
        "bank": o.invoice_bank,
        "account": o.invoice_account,
    }
