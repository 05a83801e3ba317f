"""The storefront's side of live events that is not a page: one-tap buying from the
event page and entering an event code. Thin: rules live in ``tagging`` and ``orders.cart``."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.errors import DomainError
from orders.cart import Cart

from .tagging import event_for_code, follow


@require_POST
def buy_now(request, code: str):
    """立即抢购: one unit of a featured product into the cart, then to checkout. The cart
    item is tagged with the event only if the visitor came through its link or code."""
    event = event_for_code(code)
    if event is None:
        raise Http404
    feature = event.featured.filter(product_id=request.POST.get("product_id") or 0).first()
    if feature is None:
        raise Http404
    try:
        Cart(request).add(feature.product_id, 1)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(event.get_absolute_url())
    return redirect("orders:checkout")


@require_POST
def enter_code(request):
    """A code typed on the cart page (or read out in the stream) tags the cart like the link."""
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("orders:cart")
    try:
        event = follow(request, request.POST.get("code", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已使用直播码 {event.code}（{event.title}）。")
    return redirect(target)
