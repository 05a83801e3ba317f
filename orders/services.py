"""Writes of buying: placing an order, moving orders and sub-orders through the
transition table, cancelling and expiring unpaid orders, and the two line-level hooks
every paid sale and every refund goes through (``mark_line_paid`` / ``mark_line_refunded``).

Money arrives and leaves through ``payments.services`` (``confirm_payment``,
``record_refund``, ``confirm_refund``), which hand it to this module's
``record_money_received`` and ``book_refund``: orders alone changes an order's money and
state. Stock and units sold are catalog's (``catalog.services``); the ledger hears of paid
and refunded lines through ``events.py``."""

import datetime as dt
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import services as catalog_services
from catalog.models import Product
from certification.selectors import certificate_at, current_certificate
from core.days import day_start
from core.errors import DomainError
from core.money import yuan
from core.scoping import is_platform_admin, operated_shop_ids
from core.uploads import IMAGE_REFUSED, IMAGE_TYPES, check_upload
from live.attribution import LineFacts, LiveTag, attribute_lines
from live.pricing import describe_change, quotes_at
from producers.selectors import linkage_in_force
from traceability.models import Batch

from . import selectors
from .buying_for import needs_approval, order_placed_for, payment_terms
from .emails import email_after_commit
from .events import line_paid, line_refunded, parcel_shipped
from .locking import lock_order, lock_products
from .models import (
    AFTER_SALE_ACTION,
    MAX_ADDRESSES,
    MAX_REVIEW_PHOTOS,
    OFFLINE_SALE_ACTION,
    REVIEW_HIDDEN_REASON_MAX,
    REVIEW_REPLY_MAX,
    REVIEW_TEXT_MAX,
    Address,
    AddressRegion,
    BuyerType,
    FulfilmentStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    RecallNotice,
    Review,
    ReviewPhoto,
    SubOrder,
)
from .recalls import notify_after_commit as recall_after_commit
from .states import SETTLED_PARCELS
from .transfer_details import transfer_details
from .transitions import TRANSITIONS, Actor, Target


def _in_chinese(label) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(label() if callable(label) else label)


class SoldOut(DomainError):
    """Some products of a checkout are sold out or short; ``problems`` names them."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(_("已售罄/库存不足：") + "；".join(problems))


class PriceChanged(DomainError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(_("价格已变动，请返回购物车核对：") + "".join(problems))


@dataclass(frozen=True)
class BuyerDetails:
    buyer_type: str
    contact_name: str
    email: str
    mobile: str
    ship_region: AddressRegion  # a county (level 3)
    ship_detail: str
    recipient_name: str
    recipient_mobile: str
    organisation_name: str = ""
    tax_id: str = ""
    buying_for: str = ""  # an organisation the signed-in buyer buys for (buying_for.py)


@dataclass(frozen=True)
class CheckoutLine:
    product_id: int
    quantity: int
    expected_price_fen: int  # the price the buyer saw; a different price refuses the checkout
    live_tag: LiveTag | None = None  # the live event the cart item came through (live)
    link_code: str = ""  # or the code of the campaign it came through (link_tags)


def payment_window(method: str) -> dt.timedelta:
    """How long stock stays reserved for an unpaid order of ``method``."""
    if method == PaymentMethod.TRANSFER:
        return dt.timedelta(minutes=settings.ORDER_TRANSFER_PAYMENT_WINDOW_MINUTES)
    return dt.timedelta(minutes=settings.ORDER_PAYMENT_WINDOW_MINUTES)


def terms_due_at(accepted_at: dt.datetime, days: int) -> dt.datetime:
    """An order on terms accepted at ``accepted_at`` is due by the end of the ``days``-th
    Asia/Shanghai day after (accepted on 3 March with 30 days: due by 24:00 on 2 April)."""
    return day_start(timezone.localtime(accepted_at).date() + dt.timedelta(days=days + 1))


def _new_order_number() -> str:
    # Date (Asia/Shanghai) + 8 random digits: no shared counter row for concurrent
    # checkouts to queue on; the unique index catches the (1 in 10^8 a day) clash.
    return timezone.localdate().strftime("%Y%m%d") + f"{secrets.randbelow(10**8):08d}"


def _keep_payee(order: Order) -> None:
    """A bank-transfer order keeps the payee it is placed with (the answer of the payments
    app through ``transfer_details``), so the page, the e-mail and the notice keep naming it."""
    details = transfer_details(order)
    if details is None or details.payee is None:
        return
    payee = details.payee
    order.payee_name, order.payee_bank = payee.account_name, payee.bank
    order.payee_account, order.payee_shop_name = payee.account_number, payee.shop_name
    order.save(update_fields=["payee_name", "payee_bank", "payee_account", "payee_shop_name"])


@transaction.atomic
def place_order(*, lines: list[CheckoutLine], buyer: BuyerDetails, payment_method: str, user=None) -> Order:
    """Reserve stock and create one order split into per-shop sub-orders.

    Products are locked in primary-key order (``locking.lock_products``), then checked
    against ``Product.objects.purchasable()`` (certified now, active shop, listed). Raises
    ``SoldOut`` naming every product that is no longer available or short, and
    ``PriceChanged`` when a price differs from what the buyer saw; nothing is reserved then.

    The moment of the order prices it (a live event's price while its window is open,
    ``live.pricing``) and decides which event each line counts for (``live.attribution``);
    both are stored on the lines, and the ledger copies the event from there.
    """
    if not lines:
        raise DomainError(_("购物车是空的。"))
    if payment_method not in PaymentMethod.values or payment_method == PaymentMethod.OFFLINE:
        raise DomainError(_("请选择付款方式。"))
    if buyer.buyer_type not in BuyerType.values:
        raise DomainError(_("请选择买家类型。"))
    if buyer.buyer_type in BuyerType.institutional() and not (buyer.organisation_name and buyer.tax_id):
        raise DomainError(_("单位采购须填写单位名称和纳税人识别号。"))
    wanted: dict[int, CheckoutLine] = {}
    for line in lines:
        if line.quantity < 1:
            raise DomainError(_("数量至少为 1。"))
        if line.product_id in wanted:
            raise DomainError(_("同一商品只能出现一次。"))
        wanted[line.product_id] = line

    products = lock_products(wanted)
    purchasable = set(Product.objects.purchasable().filter(pk__in=list(products)).values_list("pk", flat=True))
    now = timezone.now()
    quotes = quotes_at(products.values(), now)
    sold_out, price_changes = [], []
    for pid, line in wanted.items():
        product = products.get(pid)
        if product is None or pid not in purchasable:
            title = product.title if product else f"#{pid}"
            sold_out.append(_("「%(title)s」已售罄或已下架") % {"title": title})
        elif product.stock < line.quantity:
            sold_out.append(
                _("「%(title)s」库存不足，仅剩 %(stock)s 件") % {"title": product.title, "stock": product.stock}
            )
        elif quotes[pid].price_fen != line.expected_price_fen:
            price_changes.append(describe_change(product.title, line.expected_price_fen, quotes[pid], now))
    if sold_out:
        raise SoldOut(sold_out)
    if price_changes:
        raise PriceChanged(price_changes)
    price = {pid: quotes[pid].price_fen for pid in wanted}
    live = attribute_lines({pid: LineFacts(products[pid].shop_id, line.live_tag) for pid, line in wanted.items()}, now)

    by_shop: dict[int, list[Product]] = defaultdict(list)
    for pid in sorted(wanted):
        by_shop[products[pid].shop_id].append(products[pid])
    total = sum(price[pid] * line.quantity for pid, line in wanted.items())
    held = bool(buyer.buying_for) and needs_approval(buyer.buying_for, total)
    terms = payment_terms(buyer.buying_for, payment_method) if buyer.buying_for else None
    if held:
        order_status, parcel_status = OrderStatus.AWAITING_APPROVAL, FulfilmentStatus.AWAITING_APPROVAL
    elif terms:
        order_status, parcel_status = OrderStatus.ON_TERMS, FulfilmentStatus.ON_TERMS
    else:
        order_status, parcel_status = OrderStatus.AWAITING_PAYMENT, FulfilmentStatus.AWAITING_PAYMENT
    order = Order.objects.create(
        number=_new_order_number(),
        user=user if getattr(user, "is_authenticated", False) else None,
        buyer_type=buyer.buyer_type,
        contact_name=buyer.contact_name,
        email=buyer.email,
        mobile=buyer.mobile,
        organisation_name=buyer.organisation_name if buyer.buyer_type in BuyerType.institutional() else "",
        tax_id=buyer.tax_id.upper() if buyer.buyer_type in BuyerType.institutional() else "",
        ship_region_code=buyer.ship_region.code,
        ship_region_name=buyer.ship_region.full_name,
        ship_detail=buyer.ship_detail,
        recipient_name=buyer.recipient_name,
        recipient_mobile=buyer.recipient_mobile,
        payment_method=payment_method,
        total_fen=total,
        # Held for approval: the payment window opens when it is approved (approve_order).
        # On terms: the earliest it can fall due; set when the last parcel is accepted.
        payment_due_at=terms_due_at(now, terms) if terms else now + payment_window(payment_method),
        payment_terms_days=terms,
        status=order_status,
    )
    for shop_id, shop_products in sorted(by_shop.items()):
        suborder = SubOrder.objects.create(
            order=order,
            shop_id=shop_id,
            subtotal_fen=sum(price[p.pk] * wanted[p.pk].quantity for p in shop_products),
            status=parcel_status,
        )
        for product in shop_products:
            certificate = current_certificate(product)
            linkage = linkage_in_force(product, now)
            attribution = live.get(product.pk)
            OrderLine.objects.create(
                suborder=suborder,
                product=product,
                title=product.title,
                unit=product.unit,
                unit_price_fen=price[product.pk],
                quantity=wanted[product.pk].quantity,
                certificate_number=certificate.number if certificate else "",
                linkage=linkage,
                live_event_id=attribution.event_id if attribution else None,
                live_attribution=attribution.kind if attribution else "",
                link_code=wanted[product.pk].link_code,
            )
            if not held:
                catalog_services.reserve_stock(product, wanted[product.pk].quantity)
    _keep_payee(order)
    if buyer.buying_for:
        # The organisation's app checks the buyer may buy for it and records the order as
        # its own; a refusal undoes the whole order (this transaction).
        order_placed_for(order, buyer.buying_for, user)
    OrderEvent.objects.create(
        order=order,
        action="place",
        from_status="",
        to_status=order.status,
        actor=order.user,
        at=now,
        # The history keeps its notes in the source language, whoever placed the order.
        note=f"{_in_chinese(order.get_payment_method_display)}，应付 {yuan(total)}"
        + ("，待单位审批" if held else "")
        + (f"，验收后 {terms} 天内付款" if terms else ""),
    )
    if not held:  # a held order's buyer hears when it is approved (approve_order)
        email_after_commit("received", order.pk)
    return order


@dataclass(frozen=True)
class OfflineSaleDetails:
    """An offline point's sale of one product (``record_offline_sale``)."""

    point_name: str
    point_address: str
    region: AddressRegion  # the point's county: it stands for the buyer's (pairings)
    channel: str  # the point's channel (专柜 / 专馆 / 专区)
    reference: str  # the point's code and its own sale id
    product_id: int
    quantity: int
    unit_price_fen: int
    sold_at: dt.datetime


def record_offline_sale(details: OfflineSaleDetails, *, by=None) -> tuple[Order, OrderLine]:
    """An offline point sold ``quantity`` units over its counter at ``sold_at``: an order
    made at once paid and handed over (order paid, its parcel completed, one history line),
    whose line goes through ``mark_line_paid`` at ``sold_at`` — the certificate and
    benefit-linkage version of that moment, the units counted sold, the ledger written in
    the point's channel. The point sells from its own stock, so the shop's online stock is
    not touched. The buyer is the point's anonymous customer: the order keeps the point's
    name, address and county, no person. The money's record is ``payments``' (the caller,
    ``payments.services.record_offline_sale``). Locks the product row."""
    product = Product.objects.select_for_update().select_related("shop").get(pk=details.product_id)
    total = details.unit_price_fen * details.quantity
    at = details.sold_at
    order = Order.objects.create(
        number=_new_order_number(),
        buyer_type=BuyerType.INDIVIDUAL,
        contact_name=details.point_name[:50],
        email="",
        mobile="",
        ship_region_code=details.region.code,
        ship_region_name=details.region.full_name,
        ship_detail=details.point_address[:200],
        recipient_name=details.point_name[:50],
        recipient_mobile="",
        payment_method=PaymentMethod.OFFLINE,
        total_fen=total,
        paid_fen=total,
        payment_due_at=at,
        paid_at=at,
        status=OrderStatus.PAID,
        channel=details.channel,
    )
    Order.objects.filter(pk=order.pk).update(created_at=at)  # sold then, whenever reported
    order.created_at = at
    suborder = SubOrder.objects.create(
        order=order,
        shop_id=product.shop_id,
        subtotal_fen=total,
        status=FulfilmentStatus.COMPLETED,
        shipped_at=at,
        completed_at=at,
    )
    line = OrderLine.objects.create(
        suborder=suborder,
        product=product,
        title=product.title,
        unit=product.unit,
        unit_price_fen=details.unit_price_fen,
        quantity=details.quantity,
    )
    OrderEvent.objects.create(
        order=order,
        action=OFFLINE_SALE_ACTION,
        from_status="",
        to_status=order.status,
        actor=by if getattr(by, "is_authenticated", False) else None,
        at=at,
        note=f"{details.point_name} {details.reference}，实收 {yuan(total)}",
    )
    mark_line_paid(line, product, at, order)
    return order, line


@transaction.atomic
def approve_order(order_id: int, *, by, note: str = "") -> Order:
    """An organisation's approver approved the held order (procurement checked who): its
    stock is reserved now — refused, the order still waiting, when a product is no longer
    for sale or short — and its payment window opens. Prices stay those of the order."""
    order, products = lock_order(order_id)
    if order.status != OrderStatus.AWAITING_APPROVAL:
        raise DomainError(
            _("当前状态为「%(status)s」，不能审批。可能已被他人处理，请刷新后查看。")
            % {"status": order.get_status_display()}
        )
    lines = list(OrderLine.objects.filter(suborder__order=order).order_by("product_id"))
    purchasable = set(Product.objects.purchasable().filter(pk__in=list(products)).values_list("pk", flat=True))
    problems = []
    for line in lines:
        product = products[line.product_id]
        if product.pk not in purchasable:
            problems.append(_("「%(title)s」已售罄或已下架") % {"title": line.title})
        elif product.stock < line.quantity:
            problems.append(
                _("「%(title)s」库存不足，仅剩 %(stock)s 件") % {"title": line.title, "stock": product.stock}
            )
    if problems:
        raise SoldOut(problems)
    for line in lines:
        catalog_services.reserve_stock(products[line.product_id], line.quantity)
    action = "approve_on_terms" if order.payment_terms_days else "approve"
    _move(order, None, action, by=by, note=note)
    for suborder in order.suborders.all():
        _move(order, suborder, action, by=by)
    now = timezone.now()
    if order.payment_terms_days:
        order.payment_due_at = terms_due_at(now, order.payment_terms_days)
    else:
        order.payment_due_at = now + payment_window(order.payment_method)
    order.save(update_fields=["payment_due_at"])
    email_after_commit("received", order.pk)
    return order


@transaction.atomic
def return_order(order_id: int, *, by, reason: str) -> Order:
    """An organisation's approver returned the held order with ``reason``: it ends there
    (已退回; no stock was held). The purchaser may place it again, changed."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("退回订单须填写原因。"))
    order, _products = lock_order(order_id)
    _move(order, None, "return", by=by, note=reason[:300])
    for suborder in order.suborders.all():
        _move(order, suborder, "cancel", by=by, note=reason[:300])
    return order


@transaction.atomic
def accept_suborder(suborder_id: int, *, by, note: str = "") -> SubOrder:
    """An organisation's purchaser accepted a delivered parcel (验收; procurement checked
    who and keeps what was found): it is complete, as a received parcel is, and when it is
    the order's last parcel on terms, the order's payment clock starts."""
    order_id = SubOrder.objects.filter(pk=suborder_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise DomainError(_("包裹不存在。"))
    order, _products = lock_order(order_id)
    suborder = SubOrder.objects.get(pk=suborder_id)
    suborder.completed_at = timezone.now()
    _move(order, suborder, "accept", by=by, note=note[:300])
    _start_terms_clock(order)
    return suborder


def _start_terms_clock(order: Order) -> None:
    """An order on terms whose every parcel is accepted (or received, or refunded) falls due
    ``payment_terms_days`` days later (``terms_due_at``). Caller holds ``lock_order``."""
    if order.status != OrderStatus.ON_TERMS or not order.payment_terms_days:
        return
    if order.suborders.exclude(status__in=SETTLED_PARCELS).exists():
        return
    order.payment_due_at = terms_due_at(timezone.now(), order.payment_terms_days)
    order.save(update_fields=["payment_due_at"])


# --- the transition table, applied -----------------------------------------------------------------------------------


# The secret links (tokens) of the orders placed in this browser, newest first (at most 10).
RECENT_ORDERS_SESSION_KEY = "recent_orders"


def claim_orders(user, tokens) -> int:
    """The orders placed without an account in this browser (``tokens``: their secret
    links' tokens, kept in the session at checkout) become ``user``'s on sign-in: they
    appear under 我的订单, and their secret links keep working. An order that already
    belongs to an account is left where it is. How many were claimed."""
    tokens = [t for t in (tokens or [])[:10] if isinstance(t, str) and len(t) >= 32]
    if not tokens or not getattr(user, "pk", None):
        return 0
    return Order.objects.filter(token__in=tokens, user__isnull=True).update(user=user)


def actors_of(user, order: Order, suborder: SubOrder | None = None, *, token: str | None = None) -> set[Actor]:
    """The roles ``user`` (or the holder of ``token``) plays towards this order."""
    actors: set[Actor] = set()
    if selectors.is_buyer(user, order, token):
        actors.add(Actor.BUYER)
    if getattr(user, "is_authenticated", False):
        if is_platform_admin(user):
            actors.add(Actor.ADMIN)
        if suborder is not None and suborder.shop_id in operated_shop_ids(user):
            actors.add(Actor.OPERATOR)
    return actors


def _move(order: Order, suborder: SubOrder | None, action: str, *, by, note: str = "") -> None:
    """Apply one row of the table to a locked order (or one of its sub-orders) and write
    the history. The single place a status field changes."""
    target = Target.SUBORDER if suborder is not None else Target.ORDER
    transition = TRANSITIONS[(target, action)]
    row = suborder if suborder is not None else order
    if row.status not in transition.sources:
        raise DomainError(
            _("当前状态为「%(status)s」，不能执行「%(action)s」。可能已被他人处理，请刷新后查看。")
            % {"status": row.get_status_display(), "action": transition.label}
        )
    from_status = row.status
    row.status = transition.to
    row.save()
    OrderEvent.objects.create(
        order=order,
        suborder=suborder,
        action=action,
        from_status=from_status,
        to_status=transition.to,
        actor=by if getattr(by, "is_authenticated", False) else None,
        at=timezone.now(),
        note=note,
    )


def log_after_sale(order_id: int, suborder_id: int, *, from_status: str, to_status: str, by, note: str) -> None:
    """A step of an after-sales request (``aftersales``) as a line of the order's history:
    action ``after_sale`` (shown as 售后), the request's own states, and what happened in
    ``note`` (its number and the step). Money and fulfilment states are not touched here:
    an accepted request changes them through the refund path like any refund."""
    OrderEvent.objects.create(
        order_id=order_id,
        suborder_id=suborder_id,
        action=AFTER_SALE_ACTION,
        from_status=from_status,
        to_status=to_status,
        actor=by if getattr(by, "is_authenticated", False) else None,
        at=timezone.now(),
        note=note[:300],
    )


@transaction.atomic
def apply_transition(
    target: Target,
    pk: int,
    action: str,
    *,
    by,
    actor: Actor,
    note: str = "",
    token: str | None = None,
    carrier: str = "",
    tracking_number: str = "",
    batches: dict[int, int] | None = None,
) -> Order | SubOrder:
    """Apply transition ``action`` of ``TRANSITIONS`` to the order or sub-order ``pk``,
    as ``actor`` — verified against ``by`` (a user, or None for the system) and ``token``
    (the buyer's secret link). Locks the order first (``locking.lock_order``), so it
    serialises with payment handling. Shipping needs ``carrier`` and ``tracking_number``,
    and records the production batch each line was packed from (``batches``: line id →
    batch id; see ``_record_batches``) in the same transaction."""
    transition = TRANSITIONS.get((Target(target), action))
    if transition is None:
        raise DomainError(_("未知的操作：%(action)s。") % {"action": action})
    if actor not in transition.actors:
        raise DomainError(_("「%(action)s」不能由该身份办理。") % {"action": transition.label})
    if target == Target.SUBORDER:
        order_id = SubOrder.objects.filter(pk=pk).values_list("order_id", flat=True).first()
    else:
        order_id = pk
    if order_id is None:
        raise DomainError(_("订单不存在。"))
    order, products = lock_order(order_id)
    suborder = SubOrder.objects.get(pk=pk) if target == Target.SUBORDER else None
    if actor == Actor.SYSTEM:
        if by is not None:
            raise DomainError(_("此操作只能由系统执行。"))
    elif actor not in actors_of(by, order, suborder, token=token):
        raise DomainError(_("无权办理该订单。"))

    if action == "ship":
        carrier, tracking_number = carrier.strip(), tracking_number.strip()
        if not carrier or not tracking_number:
            raise DomainError(_("发货须填写快递公司和运单号。"))
        suborder.carrier, suborder.tracking_number = carrier, tracking_number
        suborder.shipped_at = timezone.now()
        _record_batches(suborder, batches or {})
        note = note or f"{carrier} {tracking_number}"
    elif action == "complete":
        suborder.completed_at = timezone.now()

    if target == Target.ORDER and action == "cancel":
        _cancel(order, products, by=by, note=note)
    else:
        _move(order, suborder, action, by=by, note=note)
    if action == "complete":
        _start_terms_clock(order)
    if action == "ship":
        parcel_shipped.send(sender=SubOrder, suborder=suborder, order=order)
        email_after_commit("shipped", order.pk, suborder_id=suborder.pk)
    return suborder if suborder is not None else order


def _record_batches(suborder: SubOrder, batches: dict[int, int]) -> None:
    """Record on each line of the parcel being shipped the batch it was packed from
    (traceability). Each batch named must be of the line's product, open (not closed,
    produced on or before today) and have units left for the line — its quantity less the
    units already shipped from it, less what earlier lines of this parcel take — or the
    whole shipment is refused (``DomainError``, nothing saved). The batches are locked
    first (in id order, after the order), so two parcels cannot both take a batch's last
    units.

    Decided: a line not named ships untraced (its ``batch`` stays empty) — a product with
    no batch recorded can still ship; the shipping form names a batch for every line whose
    product has an open batch. A line refunded in full before shipping gets no batch."""
    if not batches:
        return
    lines = {line.pk: line for line in suborder.lines.all()}
    unknown = [line_id for line_id in batches if line_id not in lines]
    if unknown:
        raise DomainError(_("发货批次对应的商品不在本包裹中。"))
    wanted = sorted({batch_id for batch_id in batches.values() if batch_id})
    found = {b.pk: b for b in Batch.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
    today = timezone.localdate()
    shipped = selectors.shipped_units_by_batch(found)
    left = {pk: b.quantity - shipped.get(pk, 0) for pk, b in found.items()}
    to_save = []
    for line_id, batch_id in sorted(batches.items()):
        line = lines[line_id]
        if not batch_id or line.refundable_quantity == 0:
            continue
        batch = found.get(batch_id)
        if batch is None or batch.product_id != line.product_id:
            raise DomainError(_("「%(title)s」：所选批次不属于该商品。") % {"title": line.title})
        if batch.closed_at is not None or batch.produced_on > today:
            raise DomainError(
                _("「%(title)s」：批次 %(code)s 已关闭或尚未生产，不能发货。")
                % {"title": line.title, "code": batch.code}
            )
        if left[batch_id] < line.quantity:
            raise DomainError(
                _("「%(title)s」：批次 %(code)s 仅剩 %(left)s 件，不足本行的 %(quantity)s 件。")
                % {"title": line.title, "code": batch.code, "left": max(left[batch_id], 0), "quantity": line.quantity}
            )
        left[batch_id] -= line.quantity
        line.batch = batch
        to_save.append(line)
    OrderLine.objects.bulk_update(to_save, ["batch"])


def _cancel(order: Order, products: dict[int, Product], *, by, note: str) -> None:
    """Cancel an unpaid order and return its reserved stock (caller holds ``lock_order``);
    an order still waiting for approval held none."""
    if order.paid_fen:
        raise DomainError(_("该订单已收到部分款项，不能直接取消；请先退回已收款项。"))
    if order.status == OrderStatus.ON_TERMS and order.suborders.exclude(status=FulfilmentStatus.ON_TERMS).exists():
        raise DomainError(_("该订单已有包裹发货，不能取消；收到货后可申请售后。"))
    held = order.status == OrderStatus.AWAITING_APPROVAL
    _move(order, None, "cancel", by=by, note=note)
    for suborder in order.suborders.prefetch_related("lines"):
        _move(order, suborder, "cancel", by=by, note=note)
        if not held:
            for line in suborder.lines.all():
                catalog_services.return_stock(products[line.product_id], line.quantity)


def expire_unpaid_orders(now: dt.datetime | None = None) -> int:
    """Cancel orders whose payment window has passed and return their stock. Orders with
    part of the money received (a partial transfer) are left for an administrator."""
    now = now or timezone.now()
    due = Order.objects.filter(status=OrderStatus.AWAITING_PAYMENT, payment_due_at__lt=now, paid_fen=0)
    count = 0
    for order_id in list(due.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                order, products = lock_order(order_id)
                # Re-read under the lock: a payment may have landed since the query.
                if order.status != OrderStatus.AWAITING_PAYMENT or order.paid_fen or order.payment_due_at >= now:
                    continue
                _cancel(order, products, by=None, note="超过付款期限，自动取消并释放库存")
            count += 1
        except DomainError:
            continue
    return count


AUTO_CONFIRM_NOTE = "系统自动确认收货"
AUTO_CONFIRM_BATCH = 200


def auto_confirm_cutoff(now: dt.datetime, days: int) -> dt.datetime:
    """Sub-orders shipped before this moment have waited ``days`` Asia/Shanghai days: one
    shipped on day D confirms itself from 00:00 of day D + ``days``."""
    today = timezone.localtime(now).date()
    return day_start(today - dt.timedelta(days=days - 1))


def auto_confirm_receipts(now: dt.datetime | None = None, *, batch: int = AUTO_CONFIRM_BATCH) -> int:
    """Complete the sub-orders shipped ``AUTO_CONFIRM_DAYS`` days ago or more that their
    buyer has not confirmed: the table's ``complete`` transition, as the system, with the
    note 系统自动确认收货 in the order's history. Read ``batch`` ids at a time; each
    sub-order in its own transaction under ``lock_order`` (as every transition), so a
    buyer confirming, a refund or a second run at the same moment either goes first — and
    this one skips the sub-order — or waits. Returns how many were completed."""
    cutoff = auto_confirm_cutoff(now or timezone.now(), settings.AUTO_CONFIRM_DAYS)
    due = SubOrder.objects.filter(status=FulfilmentStatus.SHIPPED, shipped_at__lt=cutoff).order_by("pk")
    count, after = 0, 0
    while True:
        ids = list(due.filter(pk__gt=after).values_list("pk", flat=True)[:batch])
        if not ids:
            return count
        for pk in ids:
            try:
                apply_transition(Target.SUBORDER, pk, "complete", by=None, actor=Actor.SYSTEM, note=AUTO_CONFIRM_NOTE)
            except DomainError:
                continue  # completed, refunded or gone since the read: nothing to do
            count += 1
        after = ids[-1]


# --- the two hooks of every sale and every refund ---------------------------------------------------------------------


def mark_line_paid(line: OrderLine, product: Product, at: dt.datetime, order: Order) -> None:
    """An order line becomes paid: THE one place. Snapshots what the sale was at this
    moment — the benefit-linkage version in force and the certificate valid now (only a
    product certified at payment counts as consumption support) — counts the units sold,
    and announces ``line_paid``, on which the ledger writes the line's entries
    (``events.py``). Caller holds ``lock_order``."""
    certificate = certificate_at(product, at)
    line.paid_at = at
    line.certified_at_payment = certificate is not None
    if certificate is not None:
        line.certificate_number = certificate.number
    line.linkage = linkage_in_force(product, at)
    line.save(update_fields=["paid_at", "certified_at_payment", "certificate_number", "linkage"])
    catalog_services.count_sold(product, line.quantity)
    line_paid.send(sender=OrderLine, line=line, order=order, product=product)


def mark_line_refunded(
    line: OrderLine, refund_line, product: Product, order: Order, *, restock: bool, at: dt.datetime
) -> None:
    """``refund_line.quantity`` units of an order line are refunded: THE one place. Counts
    the units back (and returns the stock when the goods did not ship) and announces
    ``line_refunded``, on which the ledger writes its reversing entries (``events.py``)."""
    quantity = refund_line.quantity
    line.refunded_quantity += quantity
    line.save(update_fields=["refunded_quantity"])
    catalog_services.count_refunded(product, quantity, restock=restock)
    line_refunded.send(sender=OrderLine, line=line, refund_line=refund_line, order=order, product=product, at=at)


def mark_order_paid(order: Order, products: dict[int, Product], *, by) -> None:
    """The whole order total has been received: move the order and its sub-orders to paid
    and mark every line paid. Caller holds ``lock_order``."""
    now = timezone.now()
    order.paid_at = now
    _move(order, None, "pay", by=by, note=f"已收 {yuan(order.paid_fen)}")
    to_ship = TRANSITIONS[(Target.SUBORDER, "pay")].sources
    for suborder in order.suborders.prefetch_related("lines"):
        if suborder.status in to_ship:  # an order on terms: parcels shipped or accepted stay so
            _move(order, suborder, "pay", by=by)
        for line in suborder.lines.all():
            mark_line_paid(line, products[line.product_id], now, order)
    email_after_commit("paid", order.pk)


def record_money_received(order: Order, products: dict[int, Product], amount_fen: int, *, by) -> None:
    """``amount_fen`` more has been received for the order (payments checked and booked
    it); when the whole total is in, the order is paid. Caller holds ``lock_order``."""
    order.paid_fen += amount_fen
    order.save(update_fields=["paid_fen"])
    if order.paid_fen == order.total_fen:
        mark_order_paid(order, products, by=by)


def book_refund(
    order: Order,
    products: dict[int, Product],
    refund_lines,
    *,
    amount_fen: int,
    reason: str,
    at: dt.datetime,
    by,
    refund_id: int,
) -> None:
    """The money of a refund has gone back (payments confirmed it): each of
    ``refund_lines`` (payments' rows, each with ``.line`` and ``.quantity``) goes through
    ``mark_line_refunded`` — the stock comes back where its shop had not shipped — the
    order's refunded total grows, a sub-order whose lines are all refunded becomes
    refunded, the order partially or fully refunded, and the buyer is told. Caller holds
    ``lock_order``."""
    suborders = {s.pk: s for s in order.suborders.all()}
    touched = set()
    for refund_line in refund_lines:
        line = refund_line.line
        suborder = suborders[line.suborder_id]
        mark_line_refunded(
            line,
            refund_line,
            products[line.product_id],
            order,
            restock=suborder.status == FulfilmentStatus.PAID,
            at=at,
        )
        touched.add(suborder.pk)
    order.refunded_fen += amount_fen
    order.save(update_fields=["refunded_fen"])
    for pk in touched:
        left = OrderLine.objects.filter(suborder_id=pk).exclude(refunded_quantity=F("quantity")).exists()
        if not left:
            _move(order, suborders[pk], "refund", by=by, note=reason)
    fully = not OrderLine.objects.filter(suborder__order=order).exclude(refunded_quantity=F("quantity")).exists()
    _move(order, None, "refund_full" if fully else "refund_part", by=by, note=f"退款 {yuan(amount_fen)}")
    email_after_commit("refunded", order.pk, refund_id=refund_id)


def can_handle_money(user, order: Order) -> bool:
    """Who records bank receipts and hand refunds: platform administrators, and a shop
    operator when the WHOLE order is of shops they operate (otherwise the money is for
    several shops and the platform handles it)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_platform_admin(user):
        return True
    shop_ids = set(order.suborders.values_list("shop_id", flat=True))
    return bool(shop_ids) and shop_ids <= set(operated_shop_ids(user))


def fulfilment_of(order: Order) -> list[SubOrder]:
    return list(order.suborders.select_related("shop").prefetch_related("lines"))


# --- the address book ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressDetails:
    recipient_name: str
    mobile: str
    region: AddressRegion  # a county (level 3)
    detail: str


def _lock_book(user) -> None:
    """Serialise changes to one buyer's address book (the count and the default) on their user row."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _check_county(region: AddressRegion) -> None:
    if region.level != AddressRegion.Level.COUNTY:
        raise DomainError(_("请选择省、市、县/区。"))


@transaction.atomic
def add_address(user, details: AddressDetails, *, make_default: bool = False) -> Address:
    """Save an address to ``user``'s book: at most ``MAX_ADDRESSES``; the first one, or
    one asked for, becomes the default."""
    _check_county(details.region)
    _lock_book(user)
    count = Address.objects.filter(user=user).count()
    if count >= MAX_ADDRESSES:
        raise DomainError(_("地址簿最多保存 %(max)s 个地址，请先删除不用的地址。") % {"max": MAX_ADDRESSES})
    if make_default:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
    return Address.objects.create(
        user=user,
        recipient_name=details.recipient_name,
        mobile=details.mobile,
        region=details.region,
        detail=details.detail,
        is_default=make_default or count == 0,
    )


def save_checkout_address(user, details: AddressDetails) -> Address | None:
    """The address typed at checkout, kept in the book unless the same one is there already."""
    same = Address.objects.filter(
        user=user,
        recipient_name=details.recipient_name,
        mobile=details.mobile,
        region=details.region,
        detail=details.detail,
    ).first()
    return same or add_address(user, details)


@transaction.atomic
def update_address(user, address_id: int, details: AddressDetails, *, make_default: bool = False) -> Address:
    """Change one of ``user``'s addresses (``Address.DoesNotExist`` for anybody else's).
    The default is changed only by choosing another one: unticking it keeps exactly one."""
    _check_county(details.region)
    _lock_book(user)
    address = Address.objects.get(user=user, pk=address_id)
    address.recipient_name = details.recipient_name
    address.mobile = details.mobile
    address.region = details.region
    address.detail = details.detail
    if make_default and not address.is_default:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
        address.is_default = True
    address.save()
    return address


@transaction.atomic
def set_default_address(user, address_id: int) -> Address:
    _lock_book(user)
    address = Address.objects.get(user=user, pk=address_id)
    if not address.is_default:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
        address.is_default = True
        address.save(update_fields=["is_default", "updated_at"])
    return address


@transaction.atomic
def delete_address(user, address_id: int) -> None:
    """Delete one of ``user``'s addresses; when it was the default, the most recently
    changed of the others becomes the default."""
    _lock_book(user)
    address = Address.objects.get(user=user, pk=address_id)
    address.delete()
    if address.is_default:
        successor = Address.objects.filter(user=user).order_by("-updated_at", "-pk").first()
        if successor is not None:
            Address.objects.filter(pk=successor.pk).update(is_default=True)


__all__ = [
    "AddressDetails",
    "BuyerDetails",
    "CheckoutLine",
    "FulfilmentStatus",
    "PriceChanged",
    "SoldOut",
    "add_address",
    "apply_transition",
    "auto_confirm_receipts",
    "delete_address",
    "expire_unpaid_orders",
    "mark_line_paid",
    "mark_line_refunded",
    "mark_order_paid",
    "place_order",
    "record_money_received",
    "book_refund",
    "save_checkout_address",
    "set_default_address",
    "update_address",
]


# --- reviews (评价) ----------------------------------------------------------------------------------------

ALREADY_REVIEWED = gettext_lazy("这件商品已经评价过了：每个订单的每件商品只能评价一次。")
ALREADY_REPLIED = gettext_lazy("这条评价已经回复过了：每条评价只能回复一次。")


class PhotoRefused(DomainError):
    """One of a review's photos is not an image we take, or too large; nothing was saved."""


def submit_review(
    line_id: int, *, by, token: str | None = None, rating: int, text: str, photos: list[UploadedFile] = ()
) -> Review:
    """The buyer (signed in, or holding the order's secret ``token``) reviews one line of a
    completed sub-order: ``rating`` 1–5, ``text`` up to 500 characters, up to three photos,
    each checked by content before anything is written. Once per line: a second review is
    refused (and the database refuses one that races past this check)."""
    line = OrderLine.objects.select_related("suborder__order__user").get(pk=line_id)
    order = line.suborder.order
    if Actor.BUYER not in actors_of(by, order, token=token):
        raise DomainError(_("只有下单的买家可以评价。"))
    if line.suborder.status != FulfilmentStatus.COMPLETED:
        raise DomainError(_("确认收货后才能评价。"))
    if Review.objects.filter(line=line).exists():
        raise DomainError(ALREADY_REVIEWED)
    if not 1 <= rating <= 5:
        raise DomainError(_("评分须为 1 到 5 星。"))
    text = text.strip()
    if len(text) > REVIEW_TEXT_MAX:
        raise DomainError(_("评价内容最多 %(max)s 个字。") % {"max": REVIEW_TEXT_MAX})
    if len(photos) > MAX_REVIEW_PHOTOS:
        raise PhotoRefused(_("最多上传 %(max)s 张照片。") % {"max": MAX_REVIEW_PHOTOS})
    checked = []
    for n, photo in enumerate(photos, start=1):
        try:
            checked.append(check_upload(photo, allowed=IMAGE_TYPES, refused=IMAGE_REFUSED))
        except DomainError as exc:
            raise PhotoRefused(_("第 %(n)s 张照片未通过：%(error)s") % {"n": n, "error": exc}) from exc
    buyer = order.user
    author = (buyer.get_full_name() if buyer is not None else "") or order.contact_name
    try:
        with transaction.atomic():
            review = Review.objects.create(
                line=line, product_id=line.product_id, user=buyer, author_name=author[:50], rating=rating, text=text
            )
            for upload in checked:
                ReviewPhoto.objects.create(
                    review=review,
                    file=upload.file,
                    original_name=upload.original_name,
                    content_type=upload.content_type,
                    size=upload.size,
                )
    except IntegrityError as exc:  # the same line reviewed twice at once (two tabs)
        raise DomainError(ALREADY_REVIEWED) from exc
    return review


def reply_to_review(review_id: int, *, by, text: str) -> Review:
    """The shop's operator replies to a review of one of their products, once."""
    review = Review.objects.select_related("product").get(pk=review_id)
    if review.product.shop_id not in operated_shop_ids(by):
        raise DomainError(_("只有本店的运营人员可以回复评价。"))
    text = text.strip()
    if not text:
        raise DomainError(_("请填写回复内容。"))
    if len(text) > REVIEW_REPLY_MAX:
        raise DomainError(_("回复最多 %(max)s 个字。") % {"max": REVIEW_REPLY_MAX})
    # Conditional update: of two replies sent at once, one wins and the other is refused.
    if not Review.objects.filter(pk=review.pk, reply="").update(reply=text, replied_at=timezone.now(), replied_by=by):
        raise DomainError(ALREADY_REPLIED)
    review.refresh_from_db()
    return review


def hide_review(review_id: int, *, by, reason: str) -> Review:
    """A platform administrator takes a review off the product page, saying why (the buyer
    still sees it, marked hidden, with the reason)."""
    if not is_platform_admin(by):
        raise DomainError(_("只有平台管理员可以隐藏评价。"))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("隐藏评价须填写原因。"))
    if len(reason) > REVIEW_HIDDEN_REASON_MAX:
        raise DomainError(_("原因最多 %(max)s 个字。") % {"max": REVIEW_HIDDEN_REASON_MAX})
    changed = Review.objects.filter(pk=review_id, hidden=False).update(
        hidden=True, hidden_reason=reason, hidden_at=timezone.now(), hidden_by=by
    )
    if not changed:
        raise DomainError(_("这条评价已经隐藏了。"))
    return Review.objects.get(pk=review_id)


def show_review(review_id: int, *, by) -> Review:
    """A platform administrator puts a hidden review back on the product page."""
    if not is_platform_admin(by):
        raise DomainError(_("只有平台管理员可以恢复评价。"))
    changed = Review.objects.filter(pk=review_id, hidden=True).update(
        hidden=False, hidden_reason="", hidden_at=None, hidden_by=None
    )
    if not changed:
        raise DomainError(_("这条评价没有隐藏。"))
    return Review.objects.get(pk=review_id)


# --- recalls (召回): the buyers of every order shipped from a batch ------------------------------------------

RECALL_MESSAGE_MAX = 300


def send_recall(batch_id: int, *, by, message: str) -> RecallNotice:
    """A platform administrator recalls a batch: the buyers of every order shipped from it
    (``selectors.orders_shipped_from``) get one e-mail and one text message each, sent after
    commit (``recalls``). Once per batch per Asia/Shanghai day: a second attempt the same
    day is refused with who sent the first and when (the database's unique constraint
    settles two at once). Refused too for anyone else, an empty message, or a batch with
    no shipped order."""
    if not is_platform_admin(by):
        raise DomainError(_("只有平台管理员可以发送召回通知。"))
    message = (message or "").strip()
    if not message or len(message) > RECALL_MESSAGE_MAX:
        raise DomainError(_("请填写召回说明（不超过 %(max)s 字）。") % {"max": RECALL_MESSAGE_MAX})
    batch = Batch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise DomainError(_("批次不存在。"))
    today = timezone.localdate()
    sent = RecallNotice.objects.filter(batch=batch, day=today).select_related("sent_by").first()
    if sent is not None:
        raise DomainError(_already_sent(sent))
    orders = list(selectors.orders_shipped_from(batch.pk))
    if not orders:
        raise DomainError(_("该批次没有已发货的订单，无需通知。"))
    emails, mobiles = selectors.recall_recipients(orders)
    try:
        with transaction.atomic():
            notice = RecallNotice.objects.create(
                batch=batch,
                day=today,
                message=message,
                sent_by=by,
                sent_at=timezone.now(),
                orders_count=len(orders),
                emails_count=len(emails),
                sms_count=len(mobiles),
            )
    except IntegrityError:
        raise DomainError(_already_sent(RecallNotice.objects.get(batch=batch, day=today))) from None
    recall_after_commit(notice.pk)
    return notice


def _already_sent(notice: RecallNotice) -> str:
    return _("今天已于 %(at)s 由 %(who)s 发送过该批次的召回通知，每批次每天只发送一次。") % {
        "at": timezone.localtime(notice.sent_at).strftime("%H:%M"),
        "who": notice.sent_by or _("系统"),
    }
