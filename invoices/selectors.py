"""Reading invoice requests: whose they are, whether a parcel may ask, what it is owed, what
the request form starts with, the staff's list, and the summaries the buyer's order page
shows (registered in ``apps.py``)."""

from django.db.models import Case, DateTimeField, F, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import is_platform_admin, operated_shop_ids, scope_queryset
from orders import selectors as order_selectors
from orders.buying_for import invoice_details_of
from orders.invoices import ParcelInvoice
from orders.models import BuyerType, FulfilmentStatus, Order, OrderStatus, SubOrder

from .models import Invoice
from .states import ACTIVE, MISSING, Kind, TitleType
from .transitions import Actor

# Paid orders, and an organisation's order on terms: it pays after acceptance, against the
# invoice, so the invoice comes first.
PAID_ORDER = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.ON_TERMS)
INVOICEABLE = (
    FulfilmentStatus.ON_TERMS,
    FulfilmentStatus.PAID,
    FulfilmentStatus.SHIPPED,
    FulfilmentStatus.COMPLETED,
)


def actors_of(user, invoice: Invoice, *, token: str | None = None) -> set[Actor]:
    """The roles ``user`` (or the holder of the order's secret ``token``) plays towards a request."""
    actors: set[Actor] = set()
    if order_selectors.is_buyer(user, invoice.order, token):
        actors.add(Actor.BUYER)
    if getattr(user, "is_authenticated", False):
        if is_platform_admin(user):
            actors.add(Actor.PLATFORM)
        if invoice.suborder.shop_id in operated_shop_ids(user):
            actors.add(Actor.OPERATOR)
    return actors


def why_not(suborder: SubOrder, order: Order) -> str:
    """Why no invoice can be asked for or issued for this parcel now ("" when it can)."""
    if order.status not in PAID_ORDER:
        return (
            _("订单付款后才能申请开票。")
            if order.status == OrderStatus.AWAITING_PAYMENT
            else _("该订单已全额退款或已取消，不能开票。")
        )
    if suborder.status not in INVOICEABLE:
        return _("该包裹当前状态为「%(status)s」，不能开票。") % {"status": suborder.get_status_display()}
    return ""


def amount_due(suborder: SubOrder) -> int:
    """What the parcel's invoice is for, in fen: what was paid for its lines, less what was
    refunded (units sent back)."""
    return sum(line.unit_price_fen * (line.quantity - line.refunded_quantity) for line in suborder.lines.all())


def kinds_for(order: Order) -> list[str]:
    """Individuals may ask only for 普通发票; institutional buyers for either."""
    if order.buyer_type == BuyerType.INDIVIDUAL:
        return [Kind.NORMAL]
    return [Kind.NORMAL, Kind.SPECIAL]


def title_types_for(order: Order) -> list[str]:
    """An individual invoices to themselves or to a company; an institution to itself."""
    if order.buyer_type == BuyerType.INDIVIDUAL:
        return [TitleType.PERSONAL, TitleType.COMPANY]
    return [TitleType.COMPANY]


def prefill(order: Order) -> dict:
    """What the request form starts with: an organisation account's 开票信息 (title, tax id,
    address, phone, bank and account, as its details page keeps them); another
    institution's name and tax id as the order has them; an individual's name; the
    order's e-mail either way."""
    if order.buyer_type == BuyerType.INDIVIDUAL:
        return {
            "kind": Kind.NORMAL,
            "title_type": TitleType.PERSONAL,
            "title": order.contact_name,
            "email": order.email,
        }
    return {
        "kind": Kind.NORMAL,
        "title_type": TitleType.COMPANY,
        "title": order.organisation_name,
        "tax_id": order.tax_id,
        "email": order.email,
        **invoice_details_of(order),
    }


def for_staff(user):
    """The requests ``user`` handles in the admin, scoped by ``core.scoping`` (a platform
    administrator all, an operator their shops', an officer none: they see no buyer data).
    The missing ones (待开票, 被退回) first, oldest first; then the rest, newest first."""
    missing = Q(status__in=MISSING)
    qs = (
        Invoice.objects.select_related("order", "suborder__shop")
        .exclude(status="withdrawn")
        .annotate(
            missing_rank=Case(When(missing, then=Value(0)), default=Value(1), output_field=IntegerField()),
            missing_since=Case(When(missing, then=F("created_at")), default=None, output_field=DateTimeField()),
        )
        .order_by("missing_rank", F("missing_since").asc(nulls_last=True), "-created_at", "-pk")
    )
    return scope_queryset(qs, user)


def age_in_days(invoice: Invoice, today=None) -> int:
    """Whole days since the buyer asked (Beijing days)."""
    today = today or timezone.localdate()
    return (today - timezone.localtime(invoice.created_at).date()).days


def url_of(invoice: Invoice, token: str | None) -> str:
    if token:
        return reverse("invoices:detail_by_token", args=[token, invoice.pk])
    return reverse("invoices:detail", args=[invoice.pk])


def new_url(suborder: SubOrder, token: str | None) -> str:
    if token:
        return reverse("invoices:new_by_token", args=[token, suborder.pk])
    return reverse("invoices:new", args=[suborder.pk])


def active_for(suborder_id: int) -> Invoice | None:
    return Invoice.objects.filter(suborder_id=suborder_id, status__in=list(ACTIVE)).first()


def order_invoices(order: Order, token: str | None) -> dict[int, ParcelInvoice]:
    """What the buyer's order page shows per parcel (``orders/invoices.py``), in one query
    for the requests; the parcels are prefetched by the page."""
    if order.status in (OrderStatus.AWAITING_PAYMENT, OrderStatus.CANCELLED):
        return {}
    active = {i.suborder_id: i for i in Invoice.objects.filter(order=order, status__in=list(ACTIVE))}
    result = {}
    for suborder in order.suborders.all():
        invoice = active.get(suborder.pk)
        if invoice is not None:
            result[suborder.pk] = ParcelInvoice(
                status=invoice.get_status_display(),
                kind=invoice.get_kind_display(),
                amount_fen=invoice.amount_fen,
                url=url_of(invoice, token),
            )
        elif not why_not(suborder, order):
            result[suborder.pk] = ParcelInvoice(new_url=new_url(suborder, token))
    return result
