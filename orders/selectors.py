"""Reads of buying: a buyer's orders, an operator's sub-orders, an order with all it shows,
the address regions, a buyer's address book and the reviews (a product's, the admin's)."""

import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet, Sum
from django.urls import reverse

from core.scoping import is_platform_admin, operated_shop_ids, scope_queryset
from traceability.selectors import open_batches

from .models import Address, AddressRegion, Order, OrderEvent, OrderLine, OrderStatus, Review, ReviewPhoto, SubOrder
from .states import SETTLED_PARCELS

Level = AddressRegion.Level


def buyer_orders(user) -> QuerySet[Order]:
    """The signed-in buyer's own orders, with their sub-orders, shops and lines."""
    return (
        Order.objects.filter(user=user)
        .prefetch_related(
            Prefetch("suborders", queryset=SubOrder.objects.select_related("shop").order_by("pk")),
            Prefetch("suborders__lines", queryset=OrderLine.objects.order_by("pk")),
        )
        .order_by("-created_at", "-pk")
    )


def order_for_display(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.prefetch_related(
        Prefetch("suborders", queryset=SubOrder.objects.select_related("shop").order_by("pk")),
        # Each line's review (if any) joined: the order page links 评价 or shows the stars.
        # And its batch (recorded at shipping): the page links the batch's trace page (溯源).
        Prefetch("suborders__lines", queryset=OrderLine.objects.select_related("review", "batch").order_by("pk")),
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor", "suborder__shop")),
        "payments",
        "refunds",
    )


def terms_due(order: Order):
    """When an order on terms must be paid: set once its every parcel is accepted (or
    received, or refunded) — None before (it falls due N days after the last acceptance),
    and for any other order. Reads the order's parcels (prefetched on the order page)."""
    if order.status != OrderStatus.ON_TERMS:
        return None
    if any(s.status not in SETTLED_PARCELS for s in order.suborders.all()):
        return None
    return order.payment_due_at


def suborders_for(user) -> QuerySet[SubOrder]:
    """The sub-orders ``user`` may see in the admin: their shops' (operators), all
    (platform admins), none (everyone else, bureau officers included) — via scoping."""
    return (
        scope_queryset(SubOrder.objects.all(), user)
        .select_related("order", "shop")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))
        .order_by("-order__created_at", "-pk")
    )


# --- address regions and the address book -----------------------------------------------------------------


def address_region_children(parent_code: str | None) -> list[tuple[str, str]]:
    """(code, name) of the provinces (no parent), of a province's cities or of a city's
    counties, in code order, in one query. Empty for an unknown code or a county."""
    if not parent_code:
        qs = AddressRegion.objects.filter(level=Level.PROVINCE)
    else:
        qs = AddressRegion.objects.filter(parent__code=parent_code, parent__level__in=(Level.PROVINCE, Level.CITY))
    return list(qs.order_by("code").values_list("code", "name"))


def address_county(province: str, city: str, county: str) -> AddressRegion | None:
    """The county ``county`` if it lies in ``city`` of ``province``, else None."""
    return (
        AddressRegion.objects.filter(
            level=Level.COUNTY,
            code=county,
            parent__level=Level.CITY,
            parent__code=city,
            parent__parent__code=province,
        )
        .select_related("parent__parent")
        .first()
    )


def address_book(user) -> QuerySet[Address]:
    """``user``'s saved addresses, the default first, with their regions."""
    return Address.objects.filter(user=user).select_related("region").order_by("-is_default", "-updated_at", "-pk")


# --- reviews ----------------------------------------------------------------------------------------------

REVIEWS_PER_PAGE = 10


@dataclass(frozen=True)
class ReviewSummary:
    """A product's shown reviews (hidden ones left out): how many, and their average rating
    to one decimal (half up), None when there are none."""

    count: int
    average: Decimal | None


def product_review_summary(product_id: int) -> ReviewSummary:
    """One query: the count and the sum of the ratings, averaged here exactly."""
    row = Review.objects.filter(product_id=product_id, hidden=False).aggregate(n=Count("pk"), total=Sum("rating"))
    return review_summary_of(row["n"], row["total"])


def review_summary_of(count: int | None, total: int | None) -> ReviewSummary:
    count = count or 0
    if not count:
        return ReviewSummary(0, None)
    average = (Decimal(total) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return ReviewSummary(count, average)


def product_reviews_page(product_id: int, summary: ReviewSummary, page_number: int) -> Page | None:
    """The newest shown reviews of a product, one page of ``REVIEWS_PER_PAGE`` with their
    photos: two queries (the count is the summary's), none when there are no reviews."""
    if not summary.count:
        return None
    qs = (
        Review.objects.filter(product_id=product_id, hidden=False)
        .prefetch_related(Prefetch("photos", queryset=ReviewPhoto.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )
    paginator = Paginator(qs, REVIEWS_PER_PAGE)
    paginator.count = summary.count  # already counted: no second COUNT query
    return paginator.get_page(page_number)


def review_of_line(line_pk: int) -> Review | None:
    return Review.objects.filter(line_id=line_pk).prefetch_related("photos").first()


def reviews_for(user) -> QuerySet[Review]:
    """The reviews ``user`` may see in the admin: their shops' (operators), all (platform
    admins), none (everyone else, bureau officers included) — via scoping."""
    return (
        scope_queryset(Review.objects.all(), user)
        .select_related("product__shop", "line__suborder__order")
        .prefetch_related(Prefetch("photos", queryset=ReviewPhoto.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )


def photo_shown_to(photo: ReviewPhoto, user, *, token: str | None = None) -> bool:
    """A shown review's photos are public; a hidden one's only for its buyer (signed in or
    through the order's secret link), the shop's operators and platform administrators."""
    review = photo.review
    if not review.hidden:
        return True
    order = review.line.suborder.order
    if token is not None:
        return secrets.compare_digest(token, order.token)
    if not getattr(user, "is_authenticated", False):
        return False
    return order.user_id == user.pk or review.product.shop_id in operated_shop_ids(user) or is_platform_admin(user)


# --- whose order -----------------------------------------------------------------------------------------------------


def is_buyer(user, order: Order, token: str | None = None) -> bool:
    """Whether ``user`` is the order's buyer: its signed-in owner, or the holder of its
    secret link ``token``. The one rule orders, after-sales and invoices ask."""
    return bool(token and secrets.compare_digest(token, order.token)) or (
        getattr(user, "is_authenticated", False) and order.user_id == user.pk
    )


def buyers_row(user, qs: QuerySet, token: str | None, **lookup):
    """The row of ``qs`` (a model with an ``order``) matching ``lookup`` whose order is the
    buyer's — through the secret ``token``, or the signed-in buyer's own — or None (the
    views answer 404: another buyer's row does not say it exists)."""
    if token:
        return qs.filter(order__token=token, **lookup).first() if len(token) >= 32 else None
    if getattr(user, "is_authenticated", False):
        return qs.filter(order__user=user, **lookup).first()
    return None


def order_page_url(order: Order, token: str | None) -> str:
    """The order's page as the buyer reached it: the secret link, or the signed-in page."""
    return reverse("orders:by_token", args=[token]) if token else reverse("orders:detail", args=[order.number])


# --- batches (traceability): what shipped from a batch, what shipping proposes, a recall ------------------


def shipped_units_by_batch(batch_ids) -> dict[int, int]:
    """Units shipped from each of these batches: the quantity of the order lines that
    record the batch, on parcels that shipped. A batch is recorded only at shipping and
    only on a line with units left to send (a line refunded in full before shipping gets
    none), so a refund before shipping never counts; a return after shipping still does
    (the units left the batch). One query."""
    rows = (
        OrderLine.objects.filter(batch_id__in=list(batch_ids), suborder__shipped_at__isnull=False)
        .values("batch_id")
        .annotate(units=Sum("quantity"))
    )
    return {r["batch_id"]: r["units"] or 0 for r in rows}


def shipped_units(batch_id: int) -> int:
    """Units shipped from one batch (registered with ``traceability.hooks.register_shipped_units``)."""
    return shipped_units_by_batch([batch_id]).get(batch_id, 0)


@dataclass
class BatchOption:
    batch: object  # traceability.models.Batch
    units_left: int


@dataclass
class LineBatches:
    """What the shipping form offers for one line: the product's open batches, oldest
    first, with the units each has left, and the proposed one (the oldest open batch with
    enough units left for the line; None when none has or the product has no open batch)."""

    line: OrderLine
    options: list[BatchOption]
    proposed_id: int | None


def batch_options(lines, *, today=None) -> list[LineBatches]:
    """For each line to ship, its product's open batches (``traceability.selectors.open_batches``)
    and the proposed one. Two queries for any number of lines."""
    lines = list(lines)
    batches = list(open_batches({line.product_id for line in lines}, today=today))
    shipped = shipped_units_by_batch([b.pk for b in batches])
    result = []
    for line in lines:
        mine = [b for b in batches if b.product_id == line.product_id]
        options = [BatchOption(b, b.quantity - shipped.get(b.pk, 0)) for b in mine]
        proposed = next((o.batch.pk for o in options if o.units_left >= line.quantity), None)
        result.append(LineBatches(line, options, proposed))
    return result


def proposed_batches(lines) -> dict[int, int]:
    """{line id: proposed batch id} for the lines that have one (``batch_options``): what
    shipping with the form's proposals sends to ``services.apply_transition``."""
    return {item.line.pk: item.proposed_id for item in batch_options(lines) if item.proposed_id is not None}


def orders_shipped_from(batch_id: int) -> QuerySet[Order]:
    """Every order with a line shipped from the batch (a recall's list), each once, newest
    first; ``batch_units``: how many of the batch's units it received. Orders with a line
    of the product shipped from another batch, or not shipped, are not in it."""
    return (
        Order.objects.filter(suborders__lines__batch_id=batch_id, suborders__shipped_at__isnull=False)
        .annotate(batch_units=Sum("suborders__lines__quantity"))
        .order_by("-created_at", "-pk")
    )


def recall_recipients(orders) -> tuple[list[Order], list[tuple[str, Order]]]:
    """Whom a recall writes to: (orders, one per buyer's e-mail address; (mobile, order),
    one per buyer's mobile number). A buyer with several orders from the batch gets one
    e-mail and one text message; an order without an address (an offline point's) none."""
    by_email: dict[str, Order] = {}
    by_mobile: dict[str, Order] = {}
    for order in orders:
        if order.email:
            by_email.setdefault(order.email.strip().lower(), order)
        if order.mobile:
            by_mobile.setdefault(order.mobile, order)
    return list(by_email.values()), list(by_mobile.items())
