"""Report figures recomputed straight from ``LedgerEntry`` rows with plain Python, sharing
no code with ``reports``: what the tests compare the screen, the exports and
the JSON endpoint with, to the fen."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from attribution.models import LedgerEntry
from orders.models import OrderLine

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Fact:
    kind: str
    amount: int
    day: dt.date
    region: str
    shop: str
    product: str
    category_id: int
    category: str  # top-level category name
    category_slug: str
    top_slug: str
    producer_kind: str
    buyer_type: str
    certified: bool
    beneficiary: str
    household_id: int | None
    event_id: int | None
    attribution: str
    tax_id: str
    channel: str = ""  # the order's own (an offline point's), else empty


def facts() -> list[Fact]:
    out = []
    for e in LedgerEntry.objects.select_related(
        "producer_region", "shop", "product", "category__parent", "order"
    ).order_by("pk"):
        top = e.category.parent or e.category
        out.append(
            Fact(
                kind=e.kind,
                amount=e.amount_fen,
                day=e.booked_at.astimezone(SHANGHAI).date(),
                region=e.producer_region.code,
                shop=e.shop.name,
                product=e.product.title,
                category_id=e.category_id,
                category=top.name,
                category_slug=e.category.slug,
                top_slug=top.slug,
                producer_kind=e.producer_kind,
                buyer_type=e.buyer_type,
                certified=e.certified_at_payment,
                beneficiary=e.beneficiary_kind,
                household_id=e.household_id,
                event_id=e.live_event_id,
                attribution=e.live_attribution,
                tax_id=e.order.tax_id,
                channel=e.order.channel,
            )
        )
    return out


def select(all_facts, start, end, region="", category="", producer_kind="", buyer_type="") -> list[Fact]:
    return [
        f
        for f in all_facts
        if start <= f.day <= end
        and f.region.startswith(region)
        and (not category or category in (f.top_slug, f.category_slug))
        and (not producer_kind or f.producer_kind == producer_kind)
        and (not buyer_type or f.buyer_type == buyer_type)
    ]


def money(chosen) -> dict[str, int]:
    certified = [f for f in chosen if f.certified]
    uncertified = [f for f in chosen if not f.certified]
    out = {
        "sales": sum(f.amount for f in certified if f.kind == "sale"),
        "refunds": sum(f.amount for f in certified if f.kind == "refund"),
        "households": sum(f.amount for f in certified if f.beneficiary == "household"),
        "collectives": sum(f.amount for f in certified if f.beneficiary == "collective"),
        "producers": sum(f.amount for f in certified if f.beneficiary == "producer"),
        "u_sales": sum(f.amount for f in uncertified if f.kind == "sale"),
        "u_refunds": sum(f.amount for f in uncertified if f.kind == "refund"),
    }
    out["net"] = out["sales"] + out["refunds"]
    out["u_net"] = out["u_sales"] + out["u_refunds"]
    return out


def by(chosen, key) -> dict:
    groups = defaultdict(list)
    for f in chosen:
        groups[key(f)].append(f)
    return {k: money(v) for k, v in groups.items()}


def benefited(chosen) -> tuple[int, int]:
    income = defaultdict(int)
    for f in chosen:
        if f.certified and f.beneficiary == "household":
            income[f.household_id] += f.amount
    positive = [v for v in income.values() if v > 0]
    return len(positive), sum(positive)


def average(total: int, count: int) -> int | None:
    if not count:
        return None
    return int((Decimal(total) / Decimal(count)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def unit_spent_from_lines(credit_code: str, year: int) -> int:
    """What the budget unit with ``credit_code`` spent in ``year`` (Asia/Shanghai), from
    order lines and refund lines alone (no ledger, no summary, nothing of procurement's
    code): the lines of the orders recorded as the unit's that were certified at payment,
    paid in the year, minus the confirmed refunds of such lines confirmed in the year."""
    from payments.models import Refund, RefundLine
    from procurement.models import OrganisationOrder

    orders = set(
        OrganisationOrder.objects.filter(organisation__credit_code=credit_code).values_list("order_id", flat=True)
    )
    lines = {
        line.pk: line for line in OrderLine.objects.filter(suborder__order_id__in=orders, certified_at_payment=True)
    }
    sales = sum(
        line.unit_price_fen * line.quantity
        for line in lines.values()
        if line.paid_at and line.paid_at.astimezone(SHANGHAI).year == year
    )
    refunds = sum(
        rl.amount_fen
        for rl in RefundLine.objects.filter(
            line_id__in=list(lines), refund__status=Refund.Status.CONFIRMED
        ).select_related("refund")
        if rl.refund.confirmed_at.astimezone(SHANGHAI).year == year
    )
    return sales - refunds


def bp_text(part: int, whole: int) -> str:
    """``part`` of ``whole`` in percent with two decimals, rounded down (basis points)."""
    bp = part * 10_000 // whole
    return f"{bp // 100}.{bp % 100:02d}"
