"""Reads of buying: a buyer's orders, an operator's sub-orders, an order with all it shows."""

from django.db.models import Prefetch, QuerySet

from core.scoping import scope_queryset

from .models import Order, OrderEvent, OrderLine, SubOrder


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
    return qs.select_related("ship_region").prefetch_related(
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
