"""Stripe behind the one provider interface: card (and Alipay / WeChat Pay *through
Stripe*, where they are not contracted directly). Every call delegates to the Stripe
integration as it was (``payments.stripe_gateway``, ``stripe_views``, ``webhooks``), so
its behaviour is unchanged: the PaymentIntent created server-side once, the Payment
Element page, the webhook stored once then processed, refunds sent with idempotency keys
and confirmed by webhook, the reconciliation task."""

from __future__ import annotations

import stripe
from django.urls import reverse

from orders.models import Order
from payments import stripe_gateway
from payments.stripe_models import StripePaymentIntent
from payments.webhooks import stripe_webhook

from .base import Checkout, PaymentProvider, ProviderUnavailable


class StripeProvider(PaymentProvider):
    code = "stripe"
    label = "Stripe"
    methods = stripe_gateway.PAYMENT_METHOD_TYPES

    def configured(self) -> bool:
        return stripe_gateway.stripe_enabled()

    def start(self, order: Order, *, device: str, request) -> Checkout:
        # The Payment Element fits both devices; its page creates the PaymentIntent.
        return Checkout("element", redirect_url=reverse("payments:stripe_pay", args=[order.token]))

    def sync(self, order: Order) -> bool:
        for record in _open_intents(order):
            try:
                stripe_gateway.sync_intent(record.intent_id)
            except stripe.StripeError as exc:
                raise ProviderUnavailable(str(exc)) from exc
        order.refresh_from_db(fields=["status", "paid_fen"])
        return order.is_paid_in_full

    def cancel(self, order: Order) -> None:
        for record in _open_intents(order):
            stripe_gateway.cancel_intent_of_cancelled_order(record)

    def refund(self, order_id: int, *, lines: dict[int, int] | None, reason: str, by):
        return stripe_gateway.refund_through_stripe(order_id, lines=lines, reason=reason, by=by)

    def handle_notification(self, request):
        return stripe_webhook(request)


def _open_intents(order: Order):
    """The order's PaymentIntents Stripe may still move (not succeeded, not canceled)."""
    return order.stripe_intents.exclude(status__in=StripePaymentIntent.TERMINAL)
