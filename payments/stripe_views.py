"""The buyer's card / Alipay / WeChat Pay page (Stripe's Payment Element) and the page
Stripe sends the buyer back to. Both are reached with the order's secret link token, and
both exist only while Stripe is configured.

The return page trusts nothing in its query string (``payment_intent``,
``redirect_status``): it shows what our records say, and those change only through a
verified webhook event or the reconciliation task."""

import logging

import stripe
from csp.decorators import csp_replace, csp_update
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import DomainError
from orders.models import Order, OrderStatus

from . import stripe_gateway as gateway
from .pay_views import order_for_token

logger = logging.getLogger(__name__)

# What Stripe.js and its Payment Element need (Stripe's CSP guidance,
# docs.stripe.com/security/guide): its script from js.stripe.com, its frames there and on
# hooks.stripe.com (3-D Secure, redirects), its calls to api.stripe.com. Added to the
# storefront's strict policy on the payment page only; every other page refuses them.
STRIPE_JS = ["https://js.stripe.com", "https://*.js.stripe.com"]
STRIPE_POLICY_ADDITIONS = {"script-src": STRIPE_JS, "connect-src": ["https://api.stripe.com"]}
STRIPE_FRAMES = {"frame-src": [*STRIPE_JS, "https://hooks.stripe.com"]}


def _order_for(token: str) -> Order:
    if not gateway.stripe_enabled():
        raise Http404(_("未开通在线支付"))
    return order_for_token(token)


@csp_update(STRIPE_POLICY_ADDITIONS)
@csp_replace(STRIPE_FRAMES)  # the storefront's frame-src is 'none', which cannot be added to
def pay(request: HttpRequest, token: str) -> HttpResponse:
    order = _order_for(token)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return redirect(order.get_absolute_url())
    try:
        intent, client_secret = gateway.ensure_payment_intent(order)
    except DomainError as exc:
        return render(request, "payments/stripe_unavailable.html", {"order": order, "message": str(exc)}, status=409)
    except stripe.StripeError:
        logger.exception("Stripe unavailable for the payment page of order %s", order.pk)
        message = _("支付服务暂时无法连接，请稍后再试。")
        return render(request, "payments/stripe_unavailable.html", {"order": order, "message": message}, status=503)
    return_url = request.build_absolute_uri(reverse("payments:stripe_return", args=[order.token]))
    return render(
        request,
        "payments/stripe_pay.html",
        {
            "order": order,
            "intent": intent,
            "stripe_config": {
                "publishableKey": settings.STRIPE_PUBLISHABLE_KEY,
                "clientSecret": client_secret,
                "returnUrl": return_url,
            },
        },
    )


def payment_return(request: HttpRequest, token: str) -> HttpResponse:
    order = _order_for(token)
    intent = order.stripe_intents.first()
    confirmed = order.is_paid_in_full
    failed = bool(intent and intent.last_error and intent.status == intent.Status.REQUIRES_PAYMENT_METHOD)
    return render(
        request,
        "payments/stripe_return.html",
        {"order": order, "intent": intent, "confirmed": confirmed, "failed": failed},
    )
