"""Paying an order online, whichever provider takes its method (``payments.providers``):
the one "去付款" page, the QR page's status endpoint, and the page the provider sends the
buyer back to. All three are reached with the order's secret link token, like Stripe's
own pages (``stripe_views``), and work with any ``PaymentProvider``:

* ``pay`` asks the provider to start (``provider.start``): a page to go to (Stripe's
  payment page, WeChat Pay H5, Alipay's cashier) is a redirect; a code to scan (WeChat Pay
  Native on a desktop) is shown here as a QR code, with a small script that asks
  ``pay_status`` every 3 seconds and moves on to the return page once the order is paid.
* ``pay_status`` answers ``{"paid": bool}``; it asks the provider (``provider.sync``) at
  most once every ``SYNC_EVERY_SECONDS`` per order, and reads our records otherwise.
* ``pay_return`` asks the provider (``provider.sync``) and shows what our records then
  say. Nothing in its query string is trusted: only a verified notification or a signed
  query books money (``payments.direct``, ``payments.webhooks``)."""

from __future__ import annotations

import logging
import math

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import qr
from core.errors import DomainError
from core.money import yuan
from orders.models import Order, OrderStatus

from .devices import blocked_in_wechat, in_wechat_browser, wechat_browser_message
from .direct import device_of
from .providers import provider_for
from .providers.base import PaymentProvider, ProviderRefused, ProviderUnavailable

logger = logging.getLogger(__name__)

SYNC_EVERY_SECONDS = 3


def order_for_token(token: str) -> Order:
    """The order of a secret link token (the pay pages here and Stripe's), or 404."""
    order = Order.objects.filter(token=token).first() if 32 <= len(token) <= 64 else None
    if order is None:
        raise Http404(_("订单不存在"))
    return order


def _provider(order: Order) -> PaymentProvider:
    provider = provider_for(order.payment_method)
    if provider is None:
        raise Http404(_("该订单的付款方式不能在线支付"))
    return provider


def _unreachable() -> str:
    return _("支付服务暂时无法连接，请稍后再试")


def _minutes_left(order: Order) -> int:
    return max(0, math.ceil((order.payment_due_at - timezone.now()).total_seconds() / 60))


def _problem(request: HttpRequest, order: Order, message: str, *, status: int, retry: bool = False) -> HttpResponse:
    return render(
        request, "payments/pay_problem.html", {"order": order, "message": message, "retry": retry}, status=status
    )


@never_cache
@require_safe
def pay(request: HttpRequest, token: str) -> HttpResponse:
    order = order_for_token(token)
    provider = _provider(order)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return redirect(order.get_absolute_url())
    direct = provider.code == order.payment_method  # contracted directly, not through Stripe's page
    if direct and blocked_in_wechat(order.payment_method) and in_wechat_browser(request):
        return _problem(request, order, wechat_browser_message(order.payment_method), status=200)
    try:
        checkout = provider.start(order, device=device_of(request), request=request)
    except ProviderUnavailable as exc:
        logger.warning("%s unavailable for the pay page of order %s: %s", provider.code, order.pk, exc)
        return _problem(request, order, _unreachable(), status=503, retry=True)
    except (ProviderRefused, DomainError) as exc:
        return _problem(request, order, str(exc), status=409)
    if checkout.redirect_url.startswith(("https://", "http://", "/")):
        return HttpResponseRedirect(checkout.redirect_url)
    if checkout.qr_text:
        return render(
            request,
            "payments/pay_qr.html",
            {
                "order": order,
                "provider_label": order.get_payment_method_display(),
                "amount": yuan(order.outstanding_fen),
                "minutes_left": _minutes_left(order),
                # segno's inline SVG of the provider's code (core/qr.py): presentation attributes only.
                "qr_svg": mark_safe(qr.svg_inline(checkout.qr_text, title=_("付款二维码"))),  # noqa: S308
                "status_url": reverse("payments:pay_status", args=[order.token]),
                "return_url": reverse("payments:pay_return", args=[order.token]),
            },
        )
    logger.error("%s gave order %s neither a page nor a code: %r", provider.code, order.pk, checkout)
    return _problem(request, order, _unreachable(), status=503, retry=True)


def _sync(provider: PaymentProvider, order: Order) -> bool | None:
    """The provider's word on the order (booked if paid): True / False, or None when it
    could not be asked."""
    try:
        return provider.sync(order)
    except ProviderUnavailable as exc:
        logger.warning("%s unavailable asked about order %s: %s", provider.code, order.pk, exc)
        return None
    except (ProviderRefused, DomainError) as exc:
        logger.warning("%s refused a query about order %s: %s", provider.code, order.pk, exc)
        return None


@never_cache
@require_safe
def pay_status(request: HttpRequest, token: str) -> JsonResponse:
    order = order_for_token(token)
    paid = order.is_paid_in_full
    if not paid and order.status == OrderStatus.AWAITING_PAYMENT:
        provider = provider_for(order.payment_method)
        # cache.add is atomic: one request per order and interval asks the provider.
        if provider is not None and cache.add(f"payments:pay-sync:{order.pk}", 1, SYNC_EVERY_SECONDS):
            paid = bool(_sync(provider, order))
    return JsonResponse({"paid": paid})


@never_cache
@require_safe
def pay_return(request: HttpRequest, token: str) -> HttpResponse:
    order = order_for_token(token)
    provider = provider_for(order.payment_method)
    state = "paid" if order.is_paid_in_full else "closed"
    if state != "paid" and order.status == OrderStatus.AWAITING_PAYMENT:
        if provider is None:
            state = "waiting"
        else:
            answer = _sync(provider, order)
            state = "unreachable" if answer is None else ("paid" if answer else "waiting")
    return render(
        request,
        "payments/pay_return.html",
        {
            "order": order,
            "state": state,
            "amount": yuan(order.total_fen),
            "may_pay": provider is not None and order.status == OrderStatus.AWAITING_PAYMENT,
        },
    )
