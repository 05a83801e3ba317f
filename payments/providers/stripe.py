"""Stripe behind the one provider interface: card (and Alipay / WeChat Pay *through
Stripe*, where they are not contracted directly). Every call delegates to the Stripe
integration as it was (``payments.stripe_gateway``, ``stripe_views``, ``webhooks``), so
its behaviour is unchanged: the PaymentIntent created server-side once, the Payment
Element page, the webhook stored once then processed, refunds sent with idempotency keys
and confirmed by webhook, the reconciliation task."""

from __future__ import annotations

import stripe
from django.urls import reverse

from orders.models import Order, OrderStatus

from .base import Checkout, PaymentProvider, ProviderUnavailable


class StripeProvider(PaymentProvider):
    code = "stripe"
    methods = ("card", "alipay", "wechat_pay")

    def configured(self) -> bool:
        from payments.stripe_gateway import stripe_enabled

        return stripe_enabled()

    def start(self, order: Order, *, device: str, request) -> Checkout:
        # The Payment Element fits both devices; its page creates the PaymentIntent.
        return Checkout("element", redirect_url=reverse("payments:stripe_pay", args=[order.token]))

    def sync(self, order: Order) -> bool:
        from payments import stripe_gateway

        for record in order.stripe_intents.exclude(status__in=[s.value for s in record_terminal()]):
            try:
                stripe_gateway.sync_intent(record.intent_id)
            except stripe.StripeError as exc:
                raise ProviderUnavailable(str(exc)) from exc
        order.refresh_from_db(fields=["status", "paid_fen"])
        return order.status != OrderStatus.AWAITING_PAYMENT and order.paid_fen >= order.total_fen

    def cancel(self, order: Order) -> None:
        from payments import stripe_gateway

        for record in order.stripe_intents.exclude(status__in=[s.value for s in record_terminal()]):
            stripe_gateway.cancel_intent_of_cancelled_order(record)

    def refund(self, order_id: int, *, lines: dict[int, int] | None, reason: str, by):
        from payments.stripe_gateway import refund_through_stripe

        return refund_through_stripe(order_id, lines=lines, reason=reason, by=by)

    def handle_notification(self, request):
        from payments.webhooks import stripe_webhook

        return stripe_webhook(request)


def record_terminal():
    from payments.stripe_models import StripePaymentIntent

    return StripePaymentIntent.TERMINAL
