"""Stripe's periodic background work (Celery beat): the reconciliation that asks Stripe about
payments left pending. The tasks that process a stored webhook event
(``webhooks.process_stripe_event``) and send a refund (``stripe_gateway.send_stripe_refund``)
live beside the code that queues them; importing them here registers them with workers.

Stripe being unreachable is retried with back-off; every task is safe to run twice."""

from __future__ import annotations

import datetime as dt
import logging

import stripe
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.errors import DomainError
from orders.models import OrderStatus

from . import stripe_gateway as gateway
from .stripe_gateway import send_stripe_refund
from .stripe_models import StripeEvent, StripePaymentIntent
from .webhooks import process_event, process_stripe_event

__all__ = ["process_stripe_event", "reconcile_stripe_payments", "send_stripe_refund"]

logger = logging.getLogger(__name__)


@shared_task(name="payments.reconcile_stripe")
def reconcile_stripe_payments(now: str | None = None) -> dict[str, int]:
    """Ask Stripe about what the webhook should have told us but has not.

    * Events stored but not processed for ``STRIPE_RECONCILE_AFTER_MINUTES`` (a lost task)
      are processed now.
    * PaymentIntents not yet succeeded or canceled, created more than
      ``STRIPE_RECONCILE_AFTER_MINUTES`` and less than ``STRIPE_RECONCILE_WINDOW_HOURS``
      ago, are read back from Stripe; a succeeded one is booked through the same
      idempotent path as the webhook (``stripe_gateway.apply_intent``).
    * Open PaymentIntents of orders that were cancelled (payment window lapsed) are
      cancelled at Stripe, so a payment page left open cannot take money for them.

    One failure (Stripe down for one request) is logged and the rest carry on."""
    counts = {"events": 0, "intents": 0, "paid": 0, "cancelled": 0, "errors": 0}
    if not gateway.stripe_enabled():
        return counts
    at = dt.datetime.fromisoformat(now) if now else timezone.now()
    settled_before = at - dt.timedelta(minutes=settings.STRIPE_RECONCILE_AFTER_MINUTES)
    window_start = at - dt.timedelta(hours=settings.STRIPE_RECONCILE_WINDOW_HOURS)

    stuck = StripeEvent.objects.filter(processed_at__isnull=True, received_at__lt=settled_before)
    for event_pk in list(stuck.order_by("stripe_created", "pk").values_list("pk", flat=True)):
        counts["events"] += 1
        try:
            process_event(event_pk)
        except Exception:
            counts["errors"] += 1
            logger.exception("reconciliation: Stripe event %s still failing", event_pk)

    open_intents = StripePaymentIntent.objects.exclude(status__in=StripePaymentIntent.TERMINAL)
    # Orders cancelled (lapsed) while their intent is still open: close it at Stripe.
    for record in list(open_intents.filter(order__status=OrderStatus.CANCELLED).order_by("pk")):
        counts["cancelled"] += 1
        try:
            outcome, note = gateway.cancel_intent_of_cancelled_order(record)
        except (stripe.StripeError, DomainError):
            counts["errors"] += 1
            logger.exception("reconciliation: PaymentIntent %s not cancelled", record.intent_id)
            continue
        logger.info("reconciliation: cancelled order's %s %s: %s", record.intent_id, outcome, note)

    pending = open_intents.exclude(order__status=OrderStatus.CANCELLED).filter(
        created_at__lt=settled_before, created_at__gte=window_start
    )
    for intent_id in list(pending.order_by("pk").values_list("intent_id", flat=True)):
        counts["intents"] += 1
        try:
            outcome, note = gateway.sync_intent(intent_id)
        except (stripe.StripeError, DomainError):
            counts["errors"] += 1
            logger.exception("reconciliation: PaymentIntent %s not reconciled", intent_id)
            continue
        if StripePaymentIntent.objects.filter(
            intent_id=intent_id, status=StripePaymentIntent.Status.SUCCEEDED
        ).exists():
            counts["paid"] += 1
        logger.info("reconciliation: %s %s: %s", intent_id, outcome, note)
    return counts
