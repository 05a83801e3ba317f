"""The buyer's printable payment notice (付款通知书) for a bank-transfer order: the payee,
the amount, the deadline and the reference code to write in the transfer's note, with the
goods — what an accounts office (财务) needs in hand to pay. Reached like the order page:
with the order's secret link token, or signed in, by order number among one's own orders.
Anything else (another buyer's order, a wrong token, an order not paid by transfer) is a
404, which says nothing about whether the order exists."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from orders.models import Order, OrderStatus, PaymentMethod
from orders.selectors import order_for_display

from . import selectors

MIN_TOKEN_LENGTH = 32


def _notice(request, order: Order | None):
    if order is None or order.payment_method != PaymentMethod.TRANSFER:
        raise Http404
    return render(
        request,
        "payments/transfer_notice.html",
        {
            "order": order,
            "transfer": selectors.transfer_details(order),
            "awaiting": order.status == OrderStatus.AWAITING_PAYMENT,
            "issued_at": timezone.now(),
        },
    )


def transfer_notice(request, token: str):
    if len(token) < MIN_TOKEN_LENGTH:
        raise Http404
    return _notice(request, order_for_display(Order.objects.filter(token=token)).first())


@login_required(login_url="orders:login")
def my_transfer_notice(request, number: str):
    return _notice(request, order_for_display(Order.objects.filter(user=request.user, number=number)).first())
