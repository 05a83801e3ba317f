"""Reading after-sales requests: whose they are, what a parcel may still ask for, and the
summaries the buyer's order page shows (registered in ``apps.py``)."""

import datetime as dt

from django.conf import settings
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import is_platform_admin, operated_shop_ids
from orders import selectors as order_selectors
from orders.after_sales import ParcelAfterSales, RequestSummary
from orders.models import FulfilmentStatus, Order, OrderLine, OrderStatus, SubOrder

from .models import AfterSale, AfterSaleLine
from .states import OPEN, Kind
from .transitions import Actor

# A parcel whose money came in: after-sales may be asked while it waits to ship, on its way,
# and for ``AFTER_SALES_WINDOW_DAYS`` after the buyer received it.
# An organisation's order on terms too: its purchaser may find a problem at acceptance,
# before the money goes (a refund agreed then is paid back once the unit has paid).
PAID_ORDER = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.ON_TERMS)
ASKABLE = (FulfilmentStatus.PAID, FulfilmentStatus.SHIPPED, FulfilmentStatus.COMPLETED)


def actors_of(user, after_sale: AfterSale, *, token: str | None = None) -> set[Actor]:
    """The roles ``user`` (or the holder of the order's secret ``token``) plays towards a request."""
    actors: set[Actor] = set()
    if order_selectors.is_buyer(user, after_sale.order, token):
        actors.add(Actor.BUYER)
    if getattr(user, "is_authenticated", False):
        if is_platform_admin(user):
            actors.add(Actor.PLATFORM)
        if after_sale.suborder.shop_id in operated_shop_ids(user):
            actors.add(Actor.OPERATOR)
    return actors


def for_staff(user):
    """The requests ``user`` handles in the admin: a platform administrator all, an operator
    their shops' (none for anyone else)."""
    qs = AfterSale.objects.select_related("order", "suborder__shop")
    if is_platform_admin(user):
        return qs
    return qs.filter(suborder__shop_id__in=operated_shop_ids(user))


def for_buyer(user):
    return AfterSale.objects.filter(order__user=user).select_related("order", "suborder__shop")


def window_closes_at(suborder: SubOrder) -> dt.datetime | None:
    if suborder.status != FulfilmentStatus.COMPLETED or suborder.completed_at is None:
        return None
    return suborder.completed_at + dt.timedelta(days=settings.AFTER_SALES_WINDOW_DAYS)


def why_not(suborder: SubOrder, order: Order, *, now: dt.datetime | None = None) -> str:
    """Why no request can be made for this parcel now ("" when one can)."""
    if order.status not in PAID_ORDER:
        return (
            _("订单付款后才能申请售后。")
            if order.status == OrderStatus.AWAITING_PAYMENT
            else _("该订单已全额退款或已取消。")
        )
    if suborder.status not in ASKABLE:
        return _("该包裹当前状态为「%(status)s」，不能申请售后。") % {"status": suborder.get_status_display()}
    closes = window_closes_at(suborder)
    if closes is not None and (now or timezone.now()) > closes:
        return _("确认收货已超过 %(days)s 天，售后期已过。") % {"days": settings.AFTER_SALES_WINDOW_DAYS}
    return ""


def kinds_for(suborder: SubOrder) -> list[str]:
    """仅退款 always; 退货退款 once something was sent (nothing to send back before)."""
    if suborder.status == FulfilmentStatus.PAID:
        return [Kind.REFUND_ONLY]
    return [Kind.REFUND_ONLY, Kind.RETURN]


def quantities_left(suborder: SubOrder) -> dict[int, int]:
    """{line id: units a new request may still cover}: bought, less refunded, less what open
    requests already hold."""
    held = dict(
        AfterSaleLine.objects.filter(line__suborder=suborder, after_sale__status__in=OPEN)
        .values("line_id")
        .annotate(n=Sum("quantity"))
        .values_list("line_id", "n")
    )
    return {
        line.pk: max(0, line.quantity - line.refunded_quantity - held.get(line.pk, 0))
        for line in OrderLine.objects.filter(suborder=suborder)
    }


def url_of(after_sale: AfterSale, token: str | None) -> str:
    if token:
        return reverse("aftersales:detail_by_token", args=[token, after_sale.number])
    return reverse("aftersales:detail", args=[after_sale.number])


def new_url(suborder: SubOrder, token: str | None) -> str:
    if token:
        return reverse("aftersales:new_by_token", args=[token, suborder.pk])
    return reverse("aftersales:new", args=[suborder.pk])


def order_after_sales(order: Order, token: str | None) -> dict[int, ParcelAfterSales]:
    """What the buyer's order page shows per parcel (``orders/after_sales.py``): one query
    for the requests, one more for the units they hold when some are open; the parcels and
    their lines are prefetched by the page."""
    if order.status == OrderStatus.AWAITING_PAYMENT or order.status == OrderStatus.CANCELLED:
        return {}
    requests = list(AfterSale.objects.filter(order=order))
    held: dict[int, int] = {}
    open_ids = [r.pk for r in requests if r.status in OPEN]
    if open_ids:  # the units open requests hold (a second query, only when there are some)
        for line_id, quantity in AfterSaleLine.objects.filter(after_sale_id__in=open_ids).values_list(
            "line_id", "quantity"
        ):
            held[line_id] = held.get(line_id, 0) + quantity
    now = timezone.now()
    result = {}
    for suborder in order.suborders.all():
        mine = [r for r in requests if r.suborder_id == suborder.pk]
        left = any(line.quantity - line.refunded_quantity - held.get(line.pk, 0) > 0 for line in suborder.lines.all())
        can_ask = left and not why_not(suborder, order, now=now)
        result[suborder.pk] = ParcelAfterSales(
            new_url=new_url(suborder, token) if can_ask else "",
            requests=[
                RequestSummary(
                    number=r.number,
                    kind=r.get_kind_display(),
                    status=r.get_status_display(),
                    amount_fen=r.amount_fen,
                    url=url_of(r, token),
                )
                for r in mine
            ],
        )
    return result
