"""Reads of buying: a buyer's orders, an operator's sub-orders, an order with all it shows,
the address regions and a buyer's address book."""

from django.db.models import Prefetch, QuerySet

from core.scoping import scope_queryset

from .models import Address, AddressRegion, Order, OrderEvent, OrderLine, SubOrder

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
        Prefetch("suborders__lines", queryset=OrderLine.objects.order_by("pk")),
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor", "suborder__shop")),
        "payments",
        "refunds",
    )


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
