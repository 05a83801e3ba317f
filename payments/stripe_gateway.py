"""Every call the marketplace makes to Stripe's API, through the official ``stripe``
library (``StripeClient``), and the one path by which a PaymentIntent's state reaches the
order.

- ``stripe_enabled()``: card, Alipay and WeChat Pay are offered only when the secret key,
  the publishable key and the webhook secret are all set.
- ``ensure_payment_intent(order)``: the order's PaymentIntent in CNY fen, created once,
  server-side, with an idempotency key derived from the order.
- ``send_refund(refund_id)``: a marketplace ``Refund`` sent through Stripe's Refund API with
  an idempotency key derived from the refund; it is *confirmed* later, by webhook.
- ``apply_intent(intent, ...)``: a PaymentIntent as Stripe reports it (from a verified
  webhook event or read back from the API by the reconciliation task) applied to our
  records; a succeeded one goes to ``payments.services.confirm_payment``, which is
  idempotent on the intent id and flags an amount or currency that differs from the order.

Nothing here trusts the browser: the return page after paying only reads our records."""

from __future__ import annotations

import logging
import time
from typing import Any

import stripe
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core import parsing
from core.background import enqueue_after_commit
from core.errors import DomainError
from orders.models import Order, OrderStatus, PaymentMethod

from . import services as payment_services
from . import transitions
from .models import Payment, Refund
from .stripe_models import StripePaymentIntent, StripeRefund

logger = logging.getLogger(__name__)

# Worth another try later; anything else (a bad request) will not get better by waiting.
TRANSIENT = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)

CURRENCY = "CNY"
# The Payment Element offers these; each maps onto the order's PaymentMethod of the same name.
PAYMENT_METHOD_TYPES = ("card", "alipay", "wechat_pay")
# Bump the suffix only if the intent parameters ever change shape: a key reused with
# different parameters is refused by Stripe (idempotency_error).
INTENT_KEY_VERSION = "v1"
REFUND_KEY_VERSION = "v1"


def stripe_enabled() -> bool:
    """True when card / Alipay / WeChat Pay can be offered: all three keys are set."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY and settings.STRIPE_WEBHOOK_SECRET)


def stripe_client() -> stripe.StripeClient:
    """A client for the configured account. ``STRIPE_API_BASE`` points it elsewhere (the
    tests' local endpoint); the library then builds exactly the requests it would send to
    api.stripe.com."""
    if not stripe_enabled():
        raise DomainError(_("未配置 Stripe 在线支付。"))
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
    )


def intent_idempotency_key(order_id: int) -> str:
    return f"order-{order_id}-pi-{INTENT_KEY_VERSION}"


def refund_idempotency_key(refund_id: int) -> str:
    return f"refund-{refund_id}-{REFUND_KEY_VERSION}"


def _intent_params(order: Order) -> dict[str, Any]:
    return {
        "amount": order.total_fen,  # integer fen: CNY is a two-decimal currency at Stripe
        "currency": CURRENCY.lower(),
        "payment_method_types": list(PAYMENT_METHOD_TYPES),
        "payment_method_options": {"wechat_pay": {"client": "web"}},
        "description": f"消费帮扶馆订单 {order.number}",
        "metadata": {"order_id": str(order.pk), "order_number": order.number},
    }


def ensure_payment_intent(order: Order) -> tuple[StripePaymentIntent, str]:
    """The order's PaymentIntent and its client secret, for the payment page.

    Created once per order: the idempotency key ``order-<pk>-pi-v1`` makes a double click
    or two tabs get the same intent from Stripe, and the unique ``intent_id`` keeps one row.
    The client secret is read from Stripe each time rather than stored (Stripe asks that it
    not be kept). Raises ``DomainError`` when the order cannot be paid online."""
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise DomainError(_("该订单不在待付款状态。"))
    if order.payment_method == PaymentMethod.TRANSFER:
        raise DomainError(_("该订单选择了对公转账，请按转账说明付款。"))
    if order.paid_fen:
        raise DomainError(_("该订单已收到部分款项，请联系平台处理。"))
    client = stripe_client()
    existing = order.stripe_intents.exclude(status=StripePaymentIntent.Status.CANCELED).first()
    if existing is not None:
        intent = client.v1.payment_intents.retrieve(existing.intent_id)
        return existing, intent.client_secret
    intent = client.v1.payment_intents.create(
        params=_intent_params(order), options={"idempotency_key": intent_idempotency_key(order.pk)}
    )
    record, _created = StripePaymentIntent.objects.get_or_create(
        intent_id=intent.id,
        defaults={
            "order": order,
            "amount_fen": intent.amount,
            "currency": intent.currency.upper(),
            "status": intent.status,
            "status_at": int(time.time()),
        },
    )
    return record, intent.client_secret


def retrieve_intent(intent_id: str) -> stripe.PaymentIntent:
    """The PaymentIntent as Stripe has it now, with its payment method (for the type)."""
    return stripe_client().v1.payment_intents.retrieve(intent_id, params={"expand": ["payment_method"]})


def _get(obj: Any, name: str, default: Any = None) -> Any:
    # StripeObjects and the plain dicts of a stored event payload read alike.
    try:
        value = obj[name]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


def payment_method_type(intent: Any) -> str:
    method = _get(intent, "payment_method")
    kind = _get(method, "type", "") if not isinstance(method, str) else ""
    if kind not in PAYMENT_METHOD_TYPES:
        raise DomainError(_("无法识别的 Stripe 支付方式：%(kind)s。") % {"kind": kind or _("未知")})
    return kind


def _move(
    record: StripePaymentIntent | StripeRefund, transition: transitions.StripeTransition, *, at: int, **fields: Any
) -> bool:
    """Store the status Stripe reported at ``at`` (Unix time) on ``record``, with
    ``fields``, if ``transition`` allows it: the single place a ``StripePaymentIntent`` or
    ``StripeRefund`` status changes once the row exists. Returns whether the row changed.

    One conditional UPDATE, whose filter is the transition's sources (and, unless it is
    taken ``even_if_older``, "no newer report stored"): of two reports racing, the database
    row decides, not the copy each read, so a terminal status is never left and a newer
    report never overwritten. The time stored never goes back."""
    rows = type(record).objects.filter(pk=record.pk, status__in=transition.sources)
    if not transition.even_if_older:
        rows = rows.filter(status_at__lte=at)
    return bool(rows.update(status=transition.target, status_at=max(at, record.status_at), **fields))


def apply_intent(intent: Any, *, at: int, provider_event_id: str | None = None) -> tuple[str, str]:
    """Apply a PaymentIntent as Stripe reports it to our records. Returns (outcome, note)
    with outcome one of "applied", "no_effect", "flagged".

    ``intent`` must come from a verified event or from the API: never from the browser.
    ``at`` is the Unix time of that report; a status older than the one stored is ignored,
    and a succeeded or canceled intent never moves again (a ``payment_failed`` arriving
    after ``succeeded`` changes nothing): ``transitions.INTENT_TRANSITIONS``, applied by
    ``_move``. A succeeded intent is taken whatever is stored and booked through
    ``payments.services.confirm_payment`` (idempotent on the intent id, so the webhook, its
    redeliveries and the reconciliation task book it once), with the amount received and
    the currency exactly as Stripe reports them: the order's total is checked there."""
    intent_id = _get(intent, "id")
    record = StripePaymentIntent.objects.filter(intent_id=intent_id).first()
    if record is None:
        return "no_effect", f"未知的 PaymentIntent {intent_id}（非本平台创建）"
    metadata_order = str(_get(_get(intent, "metadata", {}), "order_id", ""))
    if metadata_order != str(record.order_id):
        return "flagged", f"PaymentIntent {intent_id} 的订单号 {metadata_order!r} 与记录的订单 {record.order_id} 不符"

    status = _get(intent, "status", "")
    transition = transitions.intent_transition(status)
    if not transition.allows(record.status, record.status_at, at):
        return "no_effect", f"忽略过时的状态 {status}（当前 {record.status}）"
    if status == StripePaymentIntent.Status.SUCCEEDED:
        method = payment_method_type(intent)
        payment = payment_services.confirm_payment(
            record.order_id,
            amount_fen=int(_get(intent, "amount_received", 0)),
            currency=str(_get(intent, "currency", "")).upper(),
            method=method,
            reference=intent_id,
            provider_event_id=provider_event_id,
        )
        # Our row is written after the order's locks (order, then products): the fixed order.
        _move(record, transition, at=at, payment_method_type=method, last_error="")
        flagged = getattr(payment, "status", "") == "flagged"
        if flagged:
            return "flagged", f"收款待核查：{getattr(payment, 'flag_reason', '')}"
        return "applied", f"已确认收款 {intent_id}"

    error = _get(intent, "last_payment_error", {})
    changed = _move(record, transition, at=at, last_error=str(_get(error, "message", ""))[:300])
    if not changed or (status == record.status and not error):
        return "no_effect", f"状态未变 {status}"
    if status == StripePaymentIntent.Status.REQUIRES_PAYMENT_METHOD and error:
        # The order stays awaiting payment; the buyer may try again until the reservation
        # lapses (orders' expiry task returns the stock).
        return "applied", f"支付失败：{_get(error, 'decline_code') or _get(error, 'code', '')}"
    return "applied", f"状态 {status}"


def sync_intent(intent_id: str, *, provider_event_id: str | None = None) -> tuple[str, str]:
    """Ask Stripe about one PaymentIntent and apply what it says (reconciliation, and
    events that refer to a payment we may not have booked yet)."""
    intent = retrieve_intent(intent_id)
    return apply_intent(intent, at=int(time.time()), provider_event_id=provider_event_id)


def cancel_intent_of_cancelled_order(record: StripePaymentIntent) -> tuple[str, str]:
    """The order was cancelled (its payment window lapsed, or the buyer cancelled): close
    its PaymentIntent at Stripe so the payment page left open cannot take money for it.
    If Stripe says the intent already moved on (paid a moment before), read it back and
    apply it instead; ``confirm_payment`` then flags the money for a person to refund."""
    client = stripe_client()
    try:
        intent = client.v1.payment_intents.cancel(
            record.intent_id,
            params={"cancellation_reason": "abandoned"},
            options={"idempotency_key": f"order-{record.order_id}-pi-cancel-{INTENT_KEY_VERSION}"},
        )
    except stripe.InvalidRequestError:
        return sync_intent(record.intent_id)
    return apply_intent(intent, at=int(time.time()))


def send_refund(refund_id: int) -> StripeRefund:
    """Send the marketplace refund ``refund_id`` through Stripe's Refund API.

    The idempotency key ``refund-<pk>-v1`` makes a retry (a lost response, a re-run task)
    reach Stripe as the same request, so money goes back once. The refund is only
    *confirmed* when Stripe's ``refund.updated`` / ``charge.refunded`` webhook says it
    succeeded. Raises ``DomainError`` when Stripe refuses (e.g. more than is left)."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    existing = StripeRefund.objects.filter(refund=refund).first()
    if existing is not None:
        return existing
    payment = refund.payment
    if payment is None or payment.method not in PAYMENT_METHOD_TYPES:
        raise DomainError(_("该退款不是 Stripe 收款的退款。"))
    intent = StripePaymentIntent.objects.get(intent_id=payment.reference)
    try:
        answer = stripe_client().v1.refunds.create(
            params={
                "payment_intent": intent.intent_id,
                "amount": refund.amount_fen,
                "reason": "requested_by_customer",
                "metadata": {"refund_id": str(refund.pk), "order_id": str(refund.order_id)},
            },
            options={"idempotency_key": refund_idempotency_key(refund.pk)},
        )
    except stripe.InvalidRequestError as exc:
        raise DomainError(_("Stripe 拒绝了退款：%(reason)s") % {"reason": exc.user_message or exc}) from exc
    with transaction.atomic():
        record, _created = StripeRefund.objects.get_or_create(
            stripe_refund_id=answer.id,
            defaults={
                "refund": refund,
                "intent": intent,
                "amount_fen": answer.amount,
                "currency": answer.currency.upper(),
                "status": answer.status,
                "status_at": int(time.time()),
            },
        )
    return record


def refund_through_stripe(order_id: int, *, lines: dict[int, int] | None = None, reason: str = "", by=None) -> Refund:
    """Start a refund of a card / Alipay / WeChat Pay order: a pending ``Refund`` through
    ``payments.services.record_refund`` (which refuses more than was paid, and anyone who
    may not handle the order's money), sent to Stripe by a Celery task once this
    transaction commits. It is confirmed only by the webhook. The admin's 原路退款 form
    (``admin_views.order_stripe_refund``) calls it."""
    if not stripe_enabled():
        raise DomainError(_("未配置 Stripe 在线支付，暂时无法原路退款。"))
    payment = (
        Payment.objects.filter(order_id=order_id, status=Payment.Status.ACCEPTED, method__in=PAYMENT_METHOD_TYPES)
        .order_by("pk")
        .first()
    )
    if payment is None:
        raise DomainError(_("该订单没有可原路退回的在线支付。"))
    with transaction.atomic():
        refund = payment_services.record_refund(order_id, lines=lines, reason=reason, by=by, payment_id=payment.pk)
        # Robust: Stripe being unreachable (eager Celery) must not turn the committed refund
        # into an error page; the refund stays pending and the failure is logged.
        enqueue_after_commit(send_stripe_refund, (refund.pk,), robust=True)
    return refund


def list_refunds(intent_id: str) -> list[Any]:
    return list(stripe_client().v1.refunds.list(params={"payment_intent": intent_id, "limit": 100}).data)


def apply_refund(stripe_refund: Any, *, at: int, provider_event_id: str | None = None) -> tuple[str, str]:
    """Apply a Stripe Refund object (from a verified event or the API) to our records.

    Finds our ``StripeRefund`` by id, or — when the webhook beats the API answer that
    creates it — by the ``refund_id`` we put in the metadata. ``succeeded`` confirms the
    marketplace refund (``payments.services.confirm_refund``, idempotent); ``failed`` or
    ``canceled`` releases it (``fail_refund``). A terminal status never moves again and an
    older report never overwrites a newer one (``transitions.STRIPE_REFUND_TRANSITIONS``,
    applied by ``_move``)."""
    refund_id = _get(stripe_refund, "id")
    intent_id = _get(stripe_refund, "payment_intent")
    record = StripeRefund.objects.filter(stripe_refund_id=refund_id).first()
    if record is None:
        ours = str(_get(_get(stripe_refund, "metadata", {}), "refund_id", ""))
        try:
            refund = Refund.objects.filter(pk=parsing.object_id(ours)).select_related("payment").first()
        except parsing.BadInput:
            refund = None
        intent = StripePaymentIntent.objects.filter(intent_id=intent_id).first()
        if refund is None or intent is None or refund.payment is None or refund.payment.reference != intent_id:
            return "flagged", f"Stripe 退款 {refund_id} 不是通过本平台发起的，请人工核对"
        record, _created = StripeRefund.objects.get_or_create(
            stripe_refund_id=refund_id,
            defaults={
                "refund": refund,
                "intent": intent,
                "amount_fen": int(_get(stripe_refund, "amount", 0)),
                "currency": str(_get(stripe_refund, "currency", "")).upper(),
                "status": StripeRefund.Status.PENDING,
                "status_at": 0,
            },
        )
    status = _get(stripe_refund, "status", "")
    transition = transitions.stripe_refund_transition(status)
    if not transition.allows(record.status, record.status_at, at):
        return "no_effect", f"退款 {refund_id} 已是 {record.status}，忽略 {status}"
    if status == StripeRefund.Status.SUCCEEDED:
        payment_services.confirm_refund(record.refund_id, reference=refund_id, provider_event_id=provider_event_id)
        note = f"已确认退款 {refund_id}"
    elif status in (StripeRefund.Status.FAILED, StripeRefund.Status.CANCELED):
        reason = _get(stripe_refund, "failure_reason", status)
        payment_services.fail_refund(record.refund_id, reason=f"Stripe: {reason}")
        note = f"退款失败 {refund_id}: {reason}"
    else:
        note = f"退款状态 {status}"
    _move(record, transition, at=at)
    return "applied", note


# Acknowledged when done (see webhooks.process_stripe_event): the refund request carries
# the idempotency key refund-<pk>-v1, so sending it again after a killed worker is safe.
@shared_task(
    name="payments.send_stripe_refund",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=6,
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_stripe_refund(refund_pk: int) -> str:
    """Send a pending refund to Stripe. Refused by Stripe → the refund fails (and stops
    counting against what may still be refunded)."""
    try:
        return send_refund(refund_pk).stripe_refund_id
    except DomainError as exc:
        payment_services.fail_refund(refund_pk, reason=str(exc))
        logger.warning("Stripe refused refund %s: %s", refund_pk, exc)
        return ""
