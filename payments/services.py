"""Money in and out, for every payment method: the entry points the Stripe integration
(``payments.stripe*``) calls, and bank-transfer receipts and hand refunds.

Every function here locks through ``orders.locking.lock_order`` (the order
row, then its products by pk), the same order checkout uses, so payment handling and
checkouts never deadlock; concurrent redeliveries of one event queue on the order row
and the second finds the first's Payment (idempotent)."""

import datetime as dt
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import format_fen, yuan
from orders import services as orders_services
from orders.locking import lock_order
from orders.models import Order, OrderLine, OrderStatus, PaymentMethod
from orders.services import OfflineSaleDetails, book_refund, can_handle_money, record_money_received

from .events import refund_confirmed, refund_failed
from .models import Payment, Refund, RefundLine, TransferPayee
from .transitions import REFUND_TRANSITIONS

CURRENCY = "CNY"


# Orders that take money: awaiting payment, and an organisation's order on terms (shipped
# first, paid by transfer after acceptance: it may also pay early).
PAYABLE = (OrderStatus.AWAITING_PAYMENT, OrderStatus.ON_TERMS)


def _existing(method: str, reference: str, provider_event_id: str | None) -> Payment | None:
    if provider_event_id:
        found = Payment.objects.filter(provider_event_id=provider_event_id).first()
        if found:
            return found
    return Payment.objects.filter(method=method, reference=reference).first()


@transaction.atomic
def confirm_payment(
    order_id: int,
    *,
    amount_fen: int,
    currency: str,
    method: str,
    reference: str,
    by=None,
    provider_event_id: str | None = None,
) -> Payment:
    """Record money received for an order, and mark the order paid when the total is in.

    * ``amount_fen`` is integer fen; ``currency`` must be "CNY"; ``method`` one of
      ``PaymentMethod`` (card, alipay, wechat_pay, transfer); ``reference`` the provider's
      id (PaymentIntent id, bank reference); ``provider_event_id`` the webhook event id.
    * Idempotent: a second call with the same ``provider_event_id``, or the same
      (``method``, ``reference``), returns the first Payment and changes nothing.
    * Card / Alipay / WeChat Pay must bring exactly the outstanding amount; a transfer
      may bring part of it (partial receipts). Any other amount, another currency, or an
      order no longer awaiting payment gives a **flagged** Payment: stored for a person to
      check, never counted, never marks the order paid. (The bank-transfer admin form
      refuses an over-payment before it gets here: ``record_transfer_receipt``.)
    * The money goes to ``orders.services.record_money_received``: when the received total
      equals the order total, the order and its sub-orders move to paid and each line goes
      through ``orders.services.mark_line_paid`` (the path to the ledger: ``orders/events.py``).

    Locks via ``lock_order``. Raises ``DomainError`` for an unknown order or method, a
    non-positive amount, or a reference already used for another order.
    """
    if method not in PaymentMethod.values:
        raise DomainError(_("未知的付款方式：%(method)s。") % {"method": method})
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise DomainError(_("收款金额须大于 ¥0.00。"))
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("请填写流水号/银行回单号。"))
    try:
        order, products = lock_order(order_id)
    except Order.DoesNotExist as exc:
        raise DomainError(_("订单不存在。")) from exc
    existing = _existing(method, reference, provider_event_id)
    if existing is not None:
        if existing.order_id != order.pk:
            raise DomainError(_("该流水号已用于另一订单。"))
        return existing

    flag = ""
    if (currency or "").upper() != CURRENCY:
        flag = f"币种 {currency} 与订单币种 CNY 不符"
    elif order.status not in PAYABLE:
        flag = f"订单当前状态为「{order.get_status_display()}」，不应再收款"
    elif method == PaymentMethod.TRANSFER:
        if amount_fen > order.outstanding_fen:
            flag = f"金额 {yuan(amount_fen)} 超过待收 {yuan(order.outstanding_fen)}"
    elif amount_fen != order.outstanding_fen:
        flag = f"金额 {yuan(amount_fen)} 与应收 {yuan(order.outstanding_fen)} 不符"

    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                order=order,
                method=method,
                amount_fen=amount_fen,
                currency=(currency or "").upper()[:3],
                reference=reference,
                provider_event_id=provider_event_id or None,
                status=Payment.Status.FLAGGED if flag else Payment.Status.ACCEPTED,
                flag_reason=flag,
                recorded_by=by if getattr(by, "is_authenticated", False) else None,
            )
    except IntegrityError:
        # Only reachable without the order lock (another order's event id): answer as above.
        existing = _existing(method, reference, provider_event_id)
        if existing is None or existing.order_id != order.pk:
            raise DomainError(_("该流水号或事件已用于另一订单。")) from None
        return existing
    if flag:
        return payment

    record_money_received(order, products, amount_fen, by=by)
    return payment


# Same thing under the name the issue uses for "create/record a Payment".
record_payment = confirm_payment


def record_transfer_receipt(order_id: int, *, amount_fen: int, reference: str, by) -> Payment:
    """A bank transfer received, recorded in the admin by a platform administrator or by
    the operator of a shop that owns the whole order. Partial receipts are allowed; an
    amount above what is still owed is refused with a message (not stored)."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or not can_handle_money(by, order):
        raise DomainError(_("只有平台管理员或整单所属网店的运营人员可以登记收款。"))
    if order.payment_method != PaymentMethod.TRANSFER:
        raise DomainError(_("该订单不是对公转账订单。"))
    if order.status not in PAYABLE:
        raise DomainError(_("订单当前状态为「%(status)s」，不需要登记收款。") % {"status": order.get_status_display()})
    if amount_fen > order.outstanding_fen:
        raise DomainError(
            _("登记金额超过待收金额：待收 ¥%(owed)s，不能多收。") % {"owed": format_fen(order.outstanding_fen)}
        )
    return confirm_payment(
        order_id, amount_fen=amount_fen, currency=CURRENCY, method=PaymentMethod.TRANSFER, reference=reference, by=by
    )


def _refund_reserved(order: Order) -> tuple[int, dict[int, int]]:
    """Money and quantities already promised back (pending or confirmed refunds)."""
    live = RefundLine.objects.filter(
        refund__order=order, refund__status__in=(Refund.Status.PENDING, Refund.Status.CONFIRMED)
    )
    per_line: dict[int, int] = {}
    for line_id, qty in live.values_list("line_id", "quantity"):
        per_line[line_id] = per_line.get(line_id, 0) + qty
    money = (
        Refund.objects.filter(order=order, status__in=(Refund.Status.PENDING, Refund.Status.CONFIRMED)).aggregate(
            s=Sum("amount_fen")
        )["s"]
        or 0
    )
    return money, per_line


@transaction.atomic
def record_refund(
    order_id: int,
    *,
    lines: Mapping[int, int] | None = None,
    reason: str = "",
    by=None,
    payment_id: int | None = None,
) -> Refund:
    """Start a refund: ``lines`` maps order-line id → quantity (None: everything not yet
    refunded). Amount = unit price × quantity, in fen. Creates a *pending* Refund; the
    money is counted back only by ``confirm_refund`` (Stripe: on its webhook; bank
    transfer: at once, see ``refund_by_hand``). Refuses a refund above what was paid or
    above a line's remaining quantity (pending refunds count). ``by`` None is the system
    (Stripe handling); a user must be allowed to handle the order's money."""
    try:
        order, _products = lock_order(order_id)
    except Order.DoesNotExist as exc:
        raise DomainError(_("订单不存在。")) from exc
    if by is not None and not can_handle_money(by, order):
        raise DomainError(_("只有平台管理员或整单所属网店的运营人员可以办理退款。"))
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        raise DomainError(_("订单当前状态为「%(status)s」，不能退款。") % {"status": order.get_status_display()})
    order_lines = {ln.pk: ln for ln in OrderLine.objects.filter(suborder__order=order)}
    reserved_money, reserved_qty = _refund_reserved(order)
    if lines is None:
        lines = {pk: ln.quantity - reserved_qty.get(pk, 0) for pk, ln in order_lines.items()}
        lines = {pk: q for pk, q in lines.items() if q > 0}
    if not lines or not any(q > 0 for q in lines.values()):
        raise DomainError(_("请选择要退款的商品和数量。"))
    amount = 0
    for line_id, qty in lines.items():
        line = order_lines.get(line_id)
        if line is None:
            raise DomainError(_("退款明细不属于该订单。"))
        if qty < 0:
            raise DomainError(_("退款数量不能为负。"))
        left = line.quantity - reserved_qty.get(line_id, 0)
        if qty > left:
            raise DomainError(_("「%(title)s」最多还可退 %(left)s 件。") % {"title": line.title, "left": left})
        amount += line.unit_price_fen * qty
    if reserved_money + amount > order.paid_fen:
        raise DomainError(
            _("退款总额不能超过已付金额（已付 %(paid)s，已退/退款中 %(reserved)s）。")
            % {"paid": yuan(order.paid_fen), "reserved": yuan(reserved_money)}
        )
    refund = Refund.objects.create(
        order=order,
        payment_id=payment_id,
        amount_fen=amount,
        reason=reason.strip()[:200],
        requested_by=by if getattr(by, "is_authenticated", False) else None,
    )
    RefundLine.objects.bulk_create(
        [
            RefundLine(refund=refund, line=order_lines[lid], quantity=q, amount_fen=order_lines[lid].unit_price_fen * q)
            for lid, q in lines.items()
            if q > 0
        ]
    )
    return refund


def _move_refund(refund: Refund, action: str, **changes) -> bool:
    """Apply one row of ``transitions.REFUND_TRANSITIONS`` to a locked refund: set its
    status and ``changes`` (the other fields the step fills in) and save just those. The
    single place ``Refund.status`` changes.

    Returns False and changes nothing when the refund is already where the step leads, or
    has moved on the other way and the step has no ``refused`` message; raises
    ``DomainError`` with that message otherwise."""
    transition = REFUND_TRANSITIONS[action]
    if refund.status not in transition.sources:
        if transition.refused and refund.status != transition.target:
            raise DomainError(transition.refused)
        return False
    refund.status = transition.target
    for field, value in changes.items():
        setattr(refund, field, value)
    refund.save(update_fields=["status", *changes])
    return True


@transaction.atomic
def confirm_refund(
    refund_id: int,
    *,
    reference: str = "",
    provider_event_id: str | None = None,
    by=None,
    at: dt.datetime | None = None,
) -> Refund:
    """The money of a pending refund has gone back (step ``confirm`` of
    ``transitions.REFUND_TRANSITIONS``). Idempotent (a confirmed refund, or a known
    ``provider_event_id``, is returned unchanged); a failed refund is refused with a
    ``DomainError``. The refunded lines go to ``orders.services.book_refund`` (units sold
    down; stock back if its shop had not shipped; the order partially refunded or
    refunded, a sub-order whose lines are all refunded refunded; the ledger reverses).
    ``at`` is when the money went back, when that was before now (an offline point's
    refund reported later): the ledger reverses at that moment."""
    order_id = Refund.objects.filter(pk=refund_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise DomainError(_("退款记录不存在。"))
    order, products = lock_order(order_id)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if provider_event_id and Refund.objects.filter(provider_event_id=provider_event_id).exists():
        return refund  # this provider event was booked already
    confirmed = _move_refund(
        refund,
        "confirm",
        confirmed_at=at or timezone.now(),
        reference=(reference or refund.reference).strip()[:100],
        provider_event_id=provider_event_id or None,
    )
    if not confirmed:
        return refund
    book_refund(
        order,
        products,
        refund.lines.select_related("line"),
        amount_fen=refund.amount_fen,
        reason=refund.reason,
        at=refund.confirmed_at,
        by=by,
        refund_id=refund.pk,
    )
    refund_confirmed.send(sender=Refund, refund=refund)
    return refund


@transaction.atomic
def fail_refund(refund_id: int, *, reason: str = "") -> Refund:
    """A pending refund did not go through (the provider refused it): it stops counting
    against what may still be refunded (step ``fail``; a refund no longer pending is
    returned unchanged)."""
    order_id = Refund.objects.filter(pk=refund_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise DomainError(_("退款记录不存在。"))
    lock_order(order_id)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if _move_refund(refund, "fail", reason=(refund.reason + " / " + reason).strip(" /")[:200]):
        refund_failed.send(sender=Refund, refund=refund)
    return refund


# Orders whose money is paid back outside the platform and recorded here.
REFUNDED_BY_HAND = (PaymentMethod.TRANSFER, PaymentMethod.OFFLINE)


@transaction.atomic
def refund_by_hand(
    order_id: int,
    *,
    lines: Mapping[int, int] | None,
    reference: str,
    reason: str,
    by,
    at: dt.datetime | None = None,
) -> Refund:
    """A refund paid back outside the platform and recorded here — a bank transfer, or the
    cash an offline point gave back at ``at`` — recorded and confirmed in one step."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise DomainError(_("订单不存在。"))
    if order.payment_method not in REFUNDED_BY_HAND:
        raise DomainError(_("在线支付的订单须通过支付渠道原路退款。"))
    if not (reference or "").strip():
        raise DomainError(_("请填写退款流水号。"))
    refund = record_refund(order_id, lines=lines, reason=reason, by=by)
    return confirm_refund(refund.pk, reference=reference, by=by, at=at)


@transaction.atomic
def record_offline_sale(details: OfflineSaleDetails, *, by=None) -> tuple[Order, OrderLine]:
    """An offline point's sale (``orders.services.record_offline_sale``) and the money its
    counter took: an accepted payment of the whole amount, referenced by the point's code
    and sale id (unique, as every payment reference is)."""
    order, line = orders_services.record_offline_sale(details, by=by)
    Payment.objects.create(
        order=order,
        method=PaymentMethod.OFFLINE,
        amount_fen=order.total_fen,
        currency=CURRENCY,
        reference=details.reference[:100],
        status=Payment.Status.ACCEPTED,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    return order, line


def set_platform_payee(
    site, *, account_name: str, bank_name: str, account_number: str, overwrite: bool = True
) -> TransferPayee:
    """Fill in the platform's transfer payee of ``site`` (validated as the admin's form
    does). With ``overwrite=False`` an account already filled in is left as it is."""
    payee = TransferPayee.objects.filter(site=site).first() or TransferPayee(site=site)
    if payee.is_complete and not overwrite:
        return payee
    payee.account_name, payee.bank_name, payee.account_number = account_name, bank_name, account_number
    payee.full_clean()
    payee.save()
    return payee
