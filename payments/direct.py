"""Paying through a provider the platform contracts with directly (WeChat Pay, Alipay):
from the buyer's choice to the booked payment, refunds, notifications and upkeep. The
wire-level calls are each provider's ``DirectClient`` (``payments/providers/``); this
module turns their answers into bookings, with the guarantees of the Stripe path:

* **Only the provider's word books money.** A trade is booked paid only from a verified
  notification (``handle_notification``) or from a query answered and signed by the
  provider with the merchant's keys (``sync_order``, ``reconcile_direct_payments``) —
  never from the return page's query string.
* **Once.** The payment is idempotent on the provider's transaction id (``Payment``'s
  unique method + reference); a notification is stored once per provider and event id;
  repeated, late and concurrent notifications and queries book one payment.
* **Checked.** The amount and currency must equal what the order still owes; otherwise
  the payment is stored *flagged* for a person and never counted
  (``payments.services.confirm_payment``).
* **In order.** A paid state always wins over a pending or closed one; a closed report
  never reopens or unpays a trade. Locks: the order row (and its products) first
  (``orders.locking.lock_order``), then the trade or refund row.

``DirectProvider`` is the ``PaymentProvider`` (``providers/base.py``) of each direct
provider; the registry (``payments.providers``) hands it to the checkout, the order page,
after-sales and the admin."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.background import enqueue_after_commit
from core.days import day_bounds
from core.errors import DomainError
from orders.locking import lock_order
from orders.models import Order, OrderStatus

from . import services as payment_services
from .direct_models import BillCheck, BillDifference, DirectRefund, DirectTrade, Provider, ProviderNotification
from .models import Payment, Refund
from .providers.base import (
    Checkout,
    DirectClient,
    NotificationRefused,
    PaymentProvider,
    ProviderRefused,
    ProviderUnavailable,
    RefundState,
    RefundStatus,
    TradeState,
    TradeStatus,
)

logger = logging.getLogger(__name__)

# Where each provider's client lives; imported when first needed (its library with it).
CLIENTS = {
    Provider.WECHAT_PAY: "payments.providers.wechat.WeChatPayClient",
    Provider.ALIPAY: "payments.providers.alipay.AlipayClient",
}
# The settings each provider needs, all of them (README's configuration table): checked
# without importing the provider's library.
REQUIRED_SETTINGS = {
    Provider.WECHAT_PAY: (
        "WECHATPAY_MCHID",
        "WECHATPAY_APPID",
        "WECHATPAY_APIV3_KEY",
        "WECHATPAY_PRIVATE_KEY_PATH",
        "WECHATPAY_CERT_SERIAL_NO",
        "WECHATPAY_PUBLIC_KEY_PATH",
        "WECHATPAY_PUBLIC_KEY_ID",
    ),
    Provider.ALIPAY: ("ALIPAY_APP_ID", "ALIPAY_APP_PRIVATE_KEY_PATH", "ALIPAY_PUBLIC_KEY_PATH"),
}
# A letter per provider in our trade numbers: order number + letter + sequence.
_TRADE_LETTER = {Provider.WECHAT_PAY: "W", Provider.ALIPAY: "A"}

# How long a QR code shown once is shown again without asking the provider (WeChat's
# code_url stays valid two hours).
QR_REUSE = dt.timedelta(hours=1)

_PHONE = re.compile(r"Mobile|Android|iPhone|iPod|HarmonyOS|MicroMessenger", re.IGNORECASE)


def configured(code: str) -> bool:
    """Whether provider ``code`` has every setting it needs, its key files present (a
    missing file would otherwise fail every request, a notification's with a 500)."""
    names = REQUIRED_SETTINGS[Provider(code)]
    if not all(getattr(settings, name, "") for name in names):
        return False
    return all(os.path.isfile(getattr(settings, name)) for name in names if name.endswith("_PATH"))


def client_class(code: str) -> type[DirectClient]:
    module, _dot, name = CLIENTS[Provider(code)].rpartition(".")
    return getattr(import_module(module), name)


def client_for(code: str) -> DirectClient:
    if not configured(code):
        raise DomainError(_("未配置%(provider)s。") % {"provider": Provider(code).label})
    return client_class(code)()


def device_of(request: HttpRequest) -> str:
    """ "phone" or "desktop", from the browser's User-Agent: a phone pays on a page of the
    provider (H5, WAP), a desktop scans a QR code or opens the provider's cashier page."""
    return "phone" if _PHONE.search(request.headers.get("User-Agent", "")) else "desktop"


def notify_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("payments:direct_notify", args=[code])


def return_url(order: Order) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("payments:pay_return", args=[order.token])


def order_description(order: Order) -> str:
    """What the buyer's WeChat or Alipay shows for the trade (at most 127 bytes for WeChat)."""
    text = _("消费帮扶商城订单 %(number)s") % {"number": order.number}
    return text.encode()[:127].decode(errors="ignore")


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "127.0.0.1"


# --- trades -----------------------------------------------------------------------------------------------------------


@transaction.atomic
def open_trade(order_id: int, code: str, flavour: str) -> DirectTrade:
    """The order's open trade at provider ``code`` for ``flavour`` (reused while it is
    pending and for the amount still owed), or a new one. Refuses an order that is not
    awaiting payment by this provider's method."""
    order, _products = lock_order(order_id)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise DomainError(_("订单当前状态为「%(status)s」，无需付款。") % {"status": order.get_status_display()})
    if order.payment_method != code:
        raise DomainError(_("该订单的付款方式不是%(provider)s。") % {"provider": Provider(code).label})
    existing = order.direct_trades.filter(
        provider=code, flavour=flavour, status=DirectTrade.Status.PENDING, amount_fen=order.outstanding_fen
    ).first()
    if existing is not None:
        return existing
    sequence = order.direct_trades.count() + 1
    return DirectTrade.objects.create(
        provider=code,
        order=order,
        out_trade_no=f"{order.number}{_TRADE_LETTER[Provider(code)]}{sequence:02d}",
        flavour=flavour,
        amount_fen=order.outstanding_fen,
    )


def start_payment(order: Order, code: str, *, device: str, request: HttpRequest) -> Checkout:
    """Begin paying ``order`` with provider ``code`` on ``device``: the trade is created
    at the provider once (reopening the page shows the same QR code or page)."""
    client = client_for(code)
    flavour = client.flavours[device]
    trade = open_trade(order.pk, code, flavour)
    if trade.checkout_qr and trade.updated_at > timezone.now() - QR_REUSE:
        return Checkout(flavour, qr_text=trade.checkout_qr)
    # A page address is made anew each time, for the same trade: WeChat's h5_url lasts five
    # minutes, Alipay's signed address carries its timestamp. (Both providers answer a
    # repeated creation of a trade with the same parameters with the same trade.)
    try:
        checkout = client.create(
            trade, description=order_description(order), client_ip=client_ip(request), return_url=return_url(order)
        )
    except (ProviderUnavailable, ProviderRefused) as exc:
        DirectTrade.objects.filter(pk=trade.pk).update(last_error=str(exc)[:300])
        raise
    DirectTrade.objects.filter(pk=trade.pk).update(
        checkout_qr=checkout.qr_text[:500], checkout_url=checkout.redirect_url, last_error=""
    )
    return checkout


def _close_later(trades: list[int]) -> None:
    for pk in trades:
        enqueue_after_commit(close_direct_trade, (pk,), robust=True)


def apply_trade(code: str, state: TradeState) -> str:
    """A trade's state, as a verified notification or a signed query reports it, applied
    to our records. Returns what happened, for the notification's row and the logs."""
    with transaction.atomic():
        order_id = (
            DirectTrade.objects.filter(provider=code, out_trade_no=state.out_trade_no)
            .values_list("order_id", flat=True)
            .first()
        )
        if order_id is None:
            return "unknown trade"  # not ours: the bill check lists it if money moved
        order, _products = lock_order(order_id)
        trade = DirectTrade.objects.select_for_update().get(provider=code, out_trade_no=state.out_trade_no)
        if state.status == TradeStatus.PAID:
            if not state.transaction_id or state.amount_fen is None:
                return "paid without transaction id or amount: ignored"
            payment = payment_services.confirm_payment(
                order.pk,
                amount_fen=state.amount_fen,
                currency=state.currency,
                method=code,
                reference=state.transaction_id,
            )
            changed = trade.status != DirectTrade.Status.PAID
            trade.status, trade.transaction_id = DirectTrade.Status.PAID, state.transaction_id
            trade.paid_at = trade.paid_at or state.at or timezone.now()
            trade.save(update_fields=["status", "transaction_id", "paid_at", "updated_at"])
            if changed:  # the order's other open trades can no longer take money
                others = order.direct_trades.filter(status=DirectTrade.Status.PENDING).exclude(pk=trade.pk)
                _close_later(list(others.values_list("pk", flat=True)))
            return f"payment {payment.pk} {payment.status}"
        if state.status == TradeStatus.CLOSED and trade.status == DirectTrade.Status.PENDING:
            trade.status = DirectTrade.Status.CLOSED
            trade.save(update_fields=["status", "updated_at"])
            return "closed"
        return f"no change ({trade.status})"


def sync_order(order: Order, code: str) -> bool:
    """Ask the provider about the order's pending trades (the return page, the QR page's
    poll); book any that is paid. True when the order has no money left to take."""
    client = client_for(code)
    for trade in order.direct_trades.filter(provider=code, status=DirectTrade.Status.PENDING):
        try:
            apply_trade(code, client.query(trade.out_trade_no))
        except ProviderUnavailable:
            logger.warning("%s unavailable for trade %s", code, trade.out_trade_no)
    order.refresh_from_db(fields=["status", "paid_fen"])
    return order.is_paid_in_full


@shared_task(name="payments.close_direct_trade")
def close_direct_trade(trade_pk: int) -> str:
    """Close a pending trade at its provider (another trade of the order was paid, or the
    order was cancelled). A trade the provider reports paid meanwhile is booked instead
    (and, its order being paid or cancelled, stored flagged for a person)."""
    trade = DirectTrade.objects.get(pk=trade_pk)
    if trade.status != DirectTrade.Status.PENDING:
        return "not pending"
    client = client_for(trade.provider)
    state = client.query(trade.out_trade_no)
    if state.status == TradeStatus.PAID:
        return apply_trade(trade.provider, state)
    if state.status == TradeStatus.PENDING:
        client.close(trade.out_trade_no)
    DirectTrade.objects.filter(pk=trade.pk, status=DirectTrade.Status.PENDING).update(
        status=DirectTrade.Status.CLOSED, updated_at=timezone.now()
    )
    return "closed"


# --- refunds ----------------------------------------------------------------------------------------------------------


def refund_through_direct(
    code: str, order_id: int, *, lines: dict[int, int] | None = None, reason: str = "", by=None
) -> Refund:
    """Start a refund of an order paid through provider ``code``: a pending ``Refund``
    (``payments.services.record_refund`` checks who may and how much), sent to the
    provider once this transaction commits, confirmed when the provider says the money
    went back (notification or query)."""
    client_for(code)  # refuses when the provider is no longer configured
    payment = (
        Payment.objects.filter(order_id=order_id, status=Payment.Status.ACCEPTED, method=code).order_by("pk").first()
    )
    trade = payment and DirectTrade.objects.filter(provider=code, transaction_id=payment.reference).first()
    if trade is None:
        raise DomainError(_("该订单没有可原路退回的%(provider)s付款。") % {"provider": Provider(code).label})
    with transaction.atomic():
        refund = payment_services.record_refund(order_id, lines=lines, reason=reason, by=by, payment_id=payment.pk)
        direct = DirectRefund.objects.create(
            provider=code,
            refund=refund,
            trade=trade,
            out_refund_no=f"{trade.out_trade_no}R{refund.pk}",
            amount_fen=refund.amount_fen,
        )
        enqueue_after_commit(send_direct_refund, (direct.pk,), robust=True)
    return refund


def apply_refund_state(code: str, state: RefundState) -> str:
    """A refund's state as the provider reports it, applied: succeeded confirms the
    marketplace refund (the ledger reverses), failed releases it; pending only notes the
    provider's id. Idempotent and safe out of order (a settled refund stays settled)."""
    with transaction.atomic():
        found = (
            DirectRefund.objects.filter(provider=code, out_refund_no=state.out_refund_no)
            .values_list("pk", "refund__order_id")
            .first()
        )
        if found is None:
            return "unknown refund"
        lock_order(found[1])
        direct = DirectRefund.objects.select_for_update().get(pk=found[0])
        if state.provider_refund_id and not direct.provider_refund_id:
            direct.provider_refund_id = state.provider_refund_id
        if direct.status != DirectRefund.Status.PENDING or state.status == RefundStatus.PENDING:
            direct.save(update_fields=["provider_refund_id", "updated_at"])
            return f"no change ({direct.status})"
        if state.status == RefundStatus.SUCCEEDED and state.amount_fen not in (None, direct.amount_fen):
            # The provider says it sent back another amount than we asked: a person looks
            # (the refund stays pending; the day's bill check lists it too).
            direct.last_error = f"渠道退款金额 {state.amount_fen} 分与申请的 {direct.amount_fen} 分不符"
            direct.save(update_fields=["provider_refund_id", "last_error", "updated_at"])
            logger.error("%s refund %s: %s", code, direct.out_refund_no, direct.last_error)
            return "refund amount differs: left pending"
        if state.status == RefundStatus.SUCCEEDED:
            payment_services.confirm_refund(
                direct.refund_id, reference=direct.provider_refund_id or direct.out_refund_no
            )
            direct.status = DirectRefund.Status.SUCCEEDED
            direct.refunded_at = state.at or timezone.now()
        else:
            payment_services.fail_refund(direct.refund_id, reason=state.reason[:100])
            direct.status = DirectRefund.Status.FAILED
            direct.last_error = state.reason[:300]
        direct.save(update_fields=["provider_refund_id", "status", "refunded_at", "last_error", "updated_at"])
        return f"refund {direct.status}"


@shared_task(
    name="payments.send_direct_refund",
    autoretry_for=(ProviderUnavailable,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
)
def send_direct_refund(direct_refund_pk: int) -> str:
    """Send a pending refund to its provider (the same out_refund_no on every try, so the
    money goes back once). A refusal fails the marketplace refund with the provider's
    reason; an unreachable provider is tried again with back-off."""
    direct = DirectRefund.objects.select_related("trade").get(pk=direct_refund_pk)
    if direct.status != DirectRefund.Status.PENDING:
        return "settled"
    client = client_for(direct.provider)
    try:
        state = client.refund(direct)
    except ProviderRefused as exc:
        state = RefundState(direct.out_refund_no, RefundStatus.FAILED, reason=str(exc))
    DirectRefund.objects.filter(pk=direct.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return apply_refund_state(direct.provider, state)


# --- notifications ----------------------------------------------------------------------------------------------------


def handle_notification(code: str, request: HttpRequest) -> HttpResponse:
    """One notification request from provider ``code``. Verified by the provider's client
    first: a request that fails is answered with an error and stored nowhere. A verified
    one is stored once (provider, event id); a repeat of a processed one is answered as
    taken and books nothing. Processing errors leave it stored and unprocessed (the
    provider retries; so does ``reconcile_direct_payments``)."""
    if not configured(code):
        return HttpResponse(status=404)
    client = client_class(code)()
    try:
        notice = client.parse_notification(request)
    except NotificationRefused as exc:
        logger.warning("%s notification refused: %s", code, exc)
        return client.acknowledge(False, str(exc))
    try:
        with transaction.atomic():
            row, _created = ProviderNotification.objects.get_or_create(
                provider=code,
                event_id=notice.event_id[:100],
                defaults={
                    "payload": notice.payload,
                    "out_trade_no": notice.trade.out_trade_no[:32] if notice.trade else "",
                    "out_refund_no": notice.refund.out_refund_no[:64] if notice.refund else "",
                },
            )
    except IntegrityError:  # the same event, concurrently: the other request books it
        return client.acknowledge(True)
    if row.processed_at is not None:
        return client.acknowledge(True)
    try:
        result = process_notice(code, notice)
    except Exception:
        logger.exception("%s notification %s not processed", code, notice.event_id)
        return client.acknowledge(False, "processing failed")
    ProviderNotification.objects.filter(pk=row.pk).update(processed_at=timezone.now(), result=result[:300])
    return client.acknowledge(True)


def process_notice(code: str, notice) -> str:
    results = []
    if notice.trade is not None:
        results.append(apply_trade(code, notice.trade))
    if notice.refund is not None:
        results.append(apply_refund_state(code, notice.refund))
    return "; ".join(results) or "nothing to apply"


# --- the provider, as the rest of the marketplace sees it ------------------------------------------------------------


class DirectProvider(PaymentProvider):
    """``PaymentProvider`` of a directly contracted provider."""

    def __init__(self, code: str):
        self.code = Provider(code).value
        self.methods = (self.code,)

    @property
    def label(self) -> str:
        return str(Provider(self.code).label)

    def configured(self) -> bool:
        return configured(self.code)

    def start(self, order: Order, *, device: str, request: HttpRequest) -> Checkout:
        return start_payment(order, self.code, device=device, request=request)

    def sync(self, order: Order) -> bool:
        return sync_order(order, self.code)

    def cancel(self, order: Order) -> None:
        pending = order.direct_trades.filter(provider=self.code, status=DirectTrade.Status.PENDING)
        _close_later(list(pending.values_list("pk", flat=True)))

    def refund(self, order_id: int, *, lines: dict[int, int] | None, reason: str, by) -> Refund:
        return refund_through_direct(self.code, order_id, lines=lines, reason=reason, by=by)

    def handle_notification(self, request: HttpRequest) -> HttpResponse:
        return handle_notification(self.code, request)


# --- upkeep -----------------------------------------------------------------------------------------------------------


@shared_task(name="payments.reconcile_direct")
def reconcile_direct_payments(now: str | None = None) -> dict[str, int]:
    """Ask each configured direct provider about what its notifications should have told
    us but have not: notifications stored and not processed; trades pending longer than
    ``PAYMENT_RECONCILE_AFTER_MINUTES`` (created within ``PAYMENT_RECONCILE_WINDOW_HOURS``);
    pending trades of orders no longer awaiting payment (closed at the provider); refunds
    never sent, or sent and still pending. One failure is logged and the rest carry on."""
    counts = {"notifications": 0, "trades": 0, "paid": 0, "closed": 0, "refunds": 0, "errors": 0}
    at = dt.datetime.fromisoformat(now) if now else timezone.now()
    settled_before = at - dt.timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES)
    window_start = at - dt.timedelta(hours=settings.PAYMENT_RECONCILE_WINDOW_HOURS)
    for code in Provider.values:
        if not configured(code):
            continue
        client = client_class(code)()
        stuck = ProviderNotification.objects.filter(
            provider=code, processed_at__isnull=True, received_at__lt=settled_before
        )
        for row in stuck:
            counts["notifications"] += 1
            try:
                result = _reprocess(code, row)
                ProviderNotification.objects.filter(pk=row.pk).update(processed_at=timezone.now(), result=result[:300])
            except Exception:
                counts["errors"] += 1
                logger.exception("reconciliation: %s notification %s still failing", code, row.event_id)
        pending = DirectTrade.objects.filter(
            provider=code, status=DirectTrade.Status.PENDING, created_at__gte=window_start
        ).select_related("order")
        for trade in pending:
            open_order = trade.order.status == OrderStatus.AWAITING_PAYMENT
            if open_order and trade.created_at >= settled_before:
                continue
            counts["trades"] += 1
            try:
                if open_order:
                    result = apply_trade(code, client.query(trade.out_trade_no))
                else:
                    result = close_direct_trade(trade.pk)
                counts["paid"] += result.startswith("payment")
                counts["closed"] += result == "closed"
            except (ProviderUnavailable, ProviderRefused, DomainError):
                counts["errors"] += 1
                logger.exception("reconciliation: %s trade %s", code, trade.out_trade_no)
        refunds = DirectRefund.objects.filter(provider=code, status=DirectRefund.Status.PENDING)
        for direct in refunds.filter(created_at__lt=settled_before).select_related("trade"):
            counts["refunds"] += 1
            try:
                if direct.sent_at is None:
                    send_direct_refund(direct.pk)
                else:
                    apply_refund_state(code, client.query_refund(direct))
            except (ProviderUnavailable, ProviderRefused, DomainError):
                counts["errors"] += 1
                logger.exception("reconciliation: %s refund %s", code, direct.out_refund_no)
    return counts


def _reprocess(code: str, row: ProviderNotification) -> str:
    """A stored notification processed again: its trade or refund read back from the
    provider (the stored payload was verified when it came, but the provider's current
    word is what is booked)."""
    client = client_for(code)
    results = []
    if row.out_trade_no:
        results.append(apply_trade(code, client.query(row.out_trade_no)))
    if row.out_refund_no:
        direct = DirectRefund.objects.select_related("trade").filter(out_refund_no=row.out_refund_no).first()
        if direct is not None:
            results.append(apply_refund_state(code, client.query_refund(direct)))
    return "; ".join(results) or "nothing to apply"


# --- the daily bill (对账单) ------------------------------------------------------------------------------------------


def check_bill(code: str, day: dt.date) -> BillCheck:
    """Compare provider ``code``'s bill of ``day`` (Asia/Shanghai) with our records; store
    the result and every difference for a person (``BillDifference``), replacing an
    earlier check of the same day. Matching is by the provider's transaction id for
    payments (``Payment`` of this method, reference = transaction id) and by our refund
    number for refunds (``DirectRefund.out_refund_no``):

    * a bill line with no record of ours, or whose record is not booked (a flagged
      payment, a refund still pending): **unknown to us**;
    * a record of ours whose provider time falls on ``day`` (``DirectTrade.paid_at``,
      ``DirectRefund.refunded_at``) with no bill line: **missing at the provider**;
    * both, with different amounts: **amount**."""
    client = client_for(code)
    try:
        lines = client.bill(day)
    except (ProviderUnavailable, ProviderRefused) as exc:
        check, _created = BillCheck.objects.update_or_create(
            provider=code,
            day=day,
            defaults={"status": BillCheck.Status.FAILED, "error": str(exc)[:300], "provider_lines": 0, "matched": 0},
        )
        check.differences.all().delete()
        return check
    start, end = day_bounds(day, day)
    ours_paid = {
        t.transaction_id: t
        for t in DirectTrade.objects.filter(
            provider=code, status=DirectTrade.Status.PAID, paid_at__gte=start, paid_at__lt=end
        )
    }
    # Our payments of the bill's transactions and of our trades paid that day: one query.
    billed = {ln.transaction_id for ln in lines if ln.kind == "payment"}
    payments = {p.reference: p for p in Payment.objects.filter(method=code, reference__in=billed | set(ours_paid))}
    refunds = {
        r.out_refund_no: r
        for r in DirectRefund.objects.filter(
            provider=code, out_refund_no__in=[ln.out_refund_no for ln in lines if ln.kind == "refund"]
        ).select_related("refund")
    }
    ours_refunded = {
        r.out_refund_no: r
        for r in DirectRefund.objects.filter(
            provider=code, status=DirectRefund.Status.SUCCEEDED, refunded_at__gte=start, refunded_at__lt=end
        ).select_related("refund")
    }
    differences: list[BillDifference] = []
    matched = 0
    seen_payments, seen_refunds = set(), set()
    for line in lines:
        common = {
            "line_kind": line.kind,
            "transaction_id": line.transaction_id[:64],
            "out_trade_no": line.out_trade_no[:64],
            "out_refund_no": line.out_refund_no[:64],
            "provider_amount_fen": line.amount_fen,
        }
        if line.kind == "payment":
            seen_payments.add(line.transaction_id)
            payment = payments.get(line.transaction_id)
            if payment is None or payment.status != Payment.Status.ACCEPTED:
                kind = BillDifference.Kind.UNKNOWN_TO_US
                differences.append(BillDifference(kind=kind, payment=payment, **common))
            elif payment.amount_fen != line.amount_fen:
                differences.append(
                    BillDifference(
                        kind=BillDifference.Kind.AMOUNT, payment=payment, our_amount_fen=payment.amount_fen, **common
                    )
                )
            else:
                matched += 1
        else:
            seen_refunds.add(line.out_refund_no)
            direct = refunds.get(line.out_refund_no)
            refund = direct.refund if direct else None
            if refund is None or refund.status != Refund.Status.CONFIRMED:
                differences.append(BillDifference(kind=BillDifference.Kind.UNKNOWN_TO_US, refund=refund, **common))
            elif refund.amount_fen != line.amount_fen:
                differences.append(
                    BillDifference(
                        kind=BillDifference.Kind.AMOUNT, refund=refund, our_amount_fen=refund.amount_fen, **common
                    )
                )
            else:
                matched += 1
    for trade in (t for tid, t in ours_paid.items() if tid not in seen_payments):
        payment = payments.get(trade.transaction_id)
        differences.append(
            BillDifference(
                kind=BillDifference.Kind.MISSING_AT_PROVIDER,
                line_kind="payment",
                transaction_id=trade.transaction_id,
                out_trade_no=trade.out_trade_no,
                our_amount_fen=payment.amount_fen if payment else trade.amount_fen,
                payment=payment,
            )
        )
    for number, direct in ours_refunded.items():
        if number not in seen_refunds:
            differences.append(
                BillDifference(
                    kind=BillDifference.Kind.MISSING_AT_PROVIDER,
                    line_kind="refund",
                    transaction_id=direct.trade.transaction_id,
                    out_trade_no=direct.trade.out_trade_no,
                    out_refund_no=number,
                    our_amount_fen=direct.amount_fen,
                    refund=direct.refund,
                )
            )
    with transaction.atomic():
        check, _created = BillCheck.objects.update_or_create(
            provider=code,
            day=day,
            defaults={
                "status": BillCheck.Status.DIFFERENCES if differences else BillCheck.Status.MATCHED,
                "provider_lines": len(lines),
                "matched": matched,
                "error": "",
            },
        )
        check.differences.all().delete()
        for difference in differences:
            difference.check_run = check
        BillDifference.objects.bulk_create(differences)
    return check


@shared_task(name="payments.check_bills")
def check_bills(day: str | None = None) -> dict[str, str]:
    """Every configured direct provider's bill of ``day`` (default: yesterday, Asia/Shanghai)
    checked against our records."""
    when = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    return {code: check_bill(code, when).status for code in Provider.values if configured(code)}
