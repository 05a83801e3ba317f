"""Stripe's webhook: verify, store once, hand to Celery; and the processing of one event.

The endpoint answers quickly and does no money work itself:

1. ``stripe.WebhookSignature.verify_header`` checks the ``Stripe-Signature`` header
   (HMAC-SHA256 of ``"<t>.<body>"`` with ``STRIPE_WEBHOOK_SECRET``) and that ``t`` is no
   older than ``STRIPE_WEBHOOK_TOLERANCE`` seconds, so a captured delivery cannot be
   replayed later. Then the body is read by ``core.parsing.json_body`` (size and depth
   limits, an object) and its shape checked (``event_shape_problem``): a correctly signed
   body that is an array, lacks a field or has a string where a time should be is refused
   like a bad signature. Anything that fails is answered 400 and stored nowhere.
2. The event is stored under its unique id (``get_or_create`` inside a transaction: two
   concurrent deliveries of one event make one row; the loser of the insert race reads the
   winner's row). A redelivery is answered 200 and has no second effect.
3. After commit, ``process_stripe_event`` (below) runs ``process_event``, which locks the
   event row and does nothing if it was processed already, so duplicate, concurrent and
   re-queued runs apply an event once. The handlers themselves are idempotent and
   order-independent (see ``stripe_gateway.apply_intent`` / ``apply_refund``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import stripe
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core import parsing
from core.background import enqueue_after_commit
from core.errors import DomainError

from . import stripe_gateway as gateway
from .stripe_gateway import TRANSIENT
from .stripe_models import StripeEvent, StripePaymentIntent

logger = logging.getLogger(__name__)


def record_event(payload: dict) -> tuple[StripeEvent, bool]:
    """Store a verified, well-shaped event once; queue its processing after commit unless
    done. Returns (row, created)."""
    with transaction.atomic():
        row, created = StripeEvent.objects.get_or_create(
            event_id=payload["id"],
            defaults={
                "type": payload["type"],
                "livemode": payload["livemode"],
                "stripe_created": payload["created"],
                "payload": payload,
            },
        )
        if row.processed_at is None:
            # A redelivery of an event not yet processed (say its task was lost) queues it
            # again; processing is locked and idempotent, so that is safe. Robust: the
            # delivery is stored, so Stripe gets its 200 whatever happens to the task.
            enqueue_after_commit(process_stripe_event, (row.pk,), robust=True)
    return row, created


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def event_shape_problem(payload: dict) -> str:
    """What is wrong with an event body, or "" when it has every field the processing
    reads, each of its type: ``id``, ``type`` (short strings), ``created`` (a Unix time),
    ``livemode`` (a boolean), ``data.object`` (an object with a string ``id``)."""
    for name in ("id", "type"):
        value = payload.get(name)
        if not isinstance(value, str) or not 0 < len(value) <= 255:
            return f"{name}: a string of 1 to 255 characters is required"
    created = payload.get("created")
    if not _is_int(created) or not 0 <= created < 2**31:
        return "created: a Unix time (integer seconds) is required"
    if not isinstance(payload.get("livemode"), bool):
        return "livemode: a boolean is required"
    data = payload.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        return "data.object: an object with a string id is required"
    return ""


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if not gateway.stripe_enabled():
        return HttpResponse(status=404)
    if request.content_type != "application/json":  # Stripe sends JSON; a form is not an event
        return HttpResponseBadRequest("invalid payload: application/json expected")
    signature = request.headers.get("Stripe-Signature")
    try:
        stripe.WebhookSignature.verify_header(
            request.body, signature, settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_WEBHOOK_TOLERANCE
        )
    except stripe.SignatureVerificationError as exc:
        logger.warning("Stripe webhook refused: %s", exc)
        return HttpResponseBadRequest("invalid signature")
    except UnicodeDecodeError:  # the signature is over the text: not UTF-8 is not signed
        return HttpResponseBadRequest("invalid payload")
    try:
        payload = parsing.json_body(request)
    except parsing.BadInput:  # correctly signed, yet not a JSON object: still refused
        return HttpResponseBadRequest("invalid payload")
    problem = event_shape_problem(payload)
    if problem:
        logger.warning("Stripe webhook refused, signed but not an event: %s", problem)
        return HttpResponseBadRequest(f"not an event: {problem}")
    row, created = record_event(payload)
    return JsonResponse({"received": True, "duplicate": not created})


# --- processing ------------------------------------------------------------------------------------------------------


def _on_payment_intent(row: StripeEvent) -> tuple[str, str]:
    intent = row.data_object
    if row.type == "payment_intent.succeeded":
        # The payment method type (card / alipay / wechat_pay) is not in the event body; the
        # API read also gives the intent's current state, the same path reconciliation uses.
        return gateway.sync_intent(intent["id"], provider_event_id=row.event_id)
    return gateway.apply_intent(intent, at=row.stripe_created, provider_event_id=row.event_id)


def _on_charge_refunded(row: StripeEvent) -> tuple[str, str]:
    charge = row.data_object
    intent_id = charge.get("payment_intent")
    record = StripePaymentIntent.objects.filter(intent_id=intent_id).first()
    if record is None:
        return "no_effect", f"未知的 PaymentIntent {intent_id}"
    # Read everything from Stripe first, then write: no network wait while rows are locked.
    intent = gateway.retrieve_intent(intent_id) if record.status != StripePaymentIntent.Status.SUCCEEDED else None
    refunds = gateway.list_refunds(intent_id)
    results = []
    if intent is not None:
        # The refund overtook the payment's own event: book the payment first.
        results.append(gateway.apply_intent(intent, at=int(time.time())))
    # One charge.refunded may cover several refunds, so the event id stays off them (it is
    # unique per refund); each refund's own refund.updated event carries its id.
    results += [gateway.apply_refund(refund, at=row.stripe_created) for refund in refunds]
    return _combine(results)


def _combine(results: list[tuple[str, str]]) -> tuple[str, str]:
    outcomes = {outcome for outcome, _note in results}
    for outcome in (StripeEvent.Outcome.FLAGGED, StripeEvent.Outcome.APPLIED):
        if outcome in outcomes:
            break
    else:
        outcome = StripeEvent.Outcome.NO_EFFECT
    return outcome, "；".join(note for _outcome, note in results)


def _on_refund(row: StripeEvent) -> tuple[str, str]:
    return gateway.apply_refund(row.data_object, at=row.stripe_created, provider_event_id=row.event_id)


HANDLERS: dict[str, Callable[[StripeEvent], tuple[str, str]]] = {
    "payment_intent.succeeded": _on_payment_intent,
    "payment_intent.payment_failed": _on_payment_intent,
    "payment_intent.processing": _on_payment_intent,
    "payment_intent.requires_action": _on_payment_intent,
    "payment_intent.canceled": _on_payment_intent,
    "charge.refunded": _on_charge_refunded,
    "refund.created": _on_refund,
    "refund.updated": _on_refund,
    "refund.failed": _on_refund,
}


def process_event(event_pk: int) -> str:
    """Apply one stored event, once. Returns its outcome.

    The row is locked for the whole run, so a second worker given the same event waits
    and then finds it processed. A ``DomainError`` from the money services (e.g. a
    reference already used for another order) is a final answer: the event is marked
    flagged with the message. Any other error (Stripe unreachable) rolls back, is written
    on the row, and propagates so Celery retries."""
    try:
        with transaction.atomic():
            row = StripeEvent.objects.select_for_update().get(pk=event_pk)
            if row.processed_at is not None:
                return row.outcome
            handler = HANDLERS.get(row.type)
            if handler is None:
                outcome, note = StripeEvent.Outcome.IGNORED, ""
            else:
                try:
                    with transaction.atomic():
                        outcome, note = handler(row)
                except DomainError as exc:
                    outcome, note = StripeEvent.Outcome.FLAGGED, str(exc)
            if outcome == StripeEvent.Outcome.FLAGGED:
                logger.warning("Stripe event %s flagged: %s", row.event_id, note)
            row.outcome, row.note = outcome, note[:2000]
            row.processed_at = timezone.now()
            row.attempts += 1
            row.last_error = ""
            row.save(update_fields=["outcome", "note", "processed_at", "attempts", "last_error"])
            return outcome
    except Exception as exc:
        StripeEvent.objects.filter(pk=event_pk).update(attempts=F("attempts") + 1, last_error=repr(exc)[:2000])
        raise


# Acknowledged when done, not when received: a worker killed in the middle (the
# transaction rolls back) leaves the message to be delivered again — at once to another
# process of a prefork worker (reject_on_worker_lost), or after the broker's visibility
# timeout (CELERY_VISIBILITY_TIMEOUT) when the whole worker went. process_event is
# idempotent, so a second run of an event already applied changes nothing.
@shared_task(
    name="payments.process_stripe_event",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=6,
    acks_late=True,
    reject_on_worker_lost=True,
)
def process_stripe_event(event_pk: int) -> str:
    return process_event(event_pk)
