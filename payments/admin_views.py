"""The money screens of the order pages in the Wagtail admin: the payments and refunds of
an order (with the trades and refunds at WeChat Pay / Alipay contracted directly), and the
forms to record a bank-transfer receipt or a bank-transfer refund, or to refund a card /
Alipay / WeChat Pay order the way it was paid, through the provider that took the money
(``payments.providers.provider_that_took``: Stripe, or WeChat Pay / Alipay directly).
They appear as a panel on the order and sub-order pages of the "orders" admin area
(``orders.admin_views.ORDER_PANELS_HOOK``) and post to views this app adds to that area
(``wagtail_hooks.py``). Who may record money for which order is
``orders.services.can_handle_money`` (through ``orders.admin_views.order_for_money``)."""

from django.contrib import messages
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import flash, parsing
from core.errors import DomainError
from core.money import format_fen, yuan
from orders.admin_views import back, order_for_money
from orders.models import Order, OrderLine, OrderStatus, PaymentMethod

from . import selectors, services
from .direct_models import DirectRefund
from .forms import HandRefundForm, StripeRefundForm, TransferReceiptForm
from .models import Refund
from .providers import provider_that_took, refund_provider

REFUNDABLE = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


def _money_context(order: Order, may_handle_money: bool) -> dict:
    is_transfer = order.payment_method == PaymentMethod.TRANSFER
    refundable = may_handle_money and order.status in REFUNDABLE
    provider = provider_that_took(order) if refundable and not is_transfer else None
    return {
        "may_handle_money": may_handle_money,
        # The payee and the reference code the buyer was asked to write in the transfer's note.
        "transfer": selectors.transfer_details(order) if is_transfer else None,
        "receipt_form": TransferReceiptForm()
        if may_handle_money and is_transfer and order.status in services.PAYABLE
        else None,
        "refund_form": HandRefundForm() if refundable and is_transfer else None,
        # Card / Alipay / WeChat Pay money goes back the way it came: through the provider
        # that took it, while it is configured.
        "stripe_refund_form": StripeRefundForm() if provider is not None and provider.configured() else None,
        "refund_via": provider.label if provider is not None else "",
        "order_lines": list(OrderLine.objects.filter(suborder__order=order).select_related("suborder__shop"))
        if may_handle_money
        else [],
        "payments": list(order.payments.all()) if may_handle_money else [],
        "refunds": list(order.refunds.all()) if may_handle_money else [],
        # WeChat Pay / Alipay contracted directly: each trade and each refund sent.
        "direct_trades": list(order.direct_trades.all()) if may_handle_money else [],
        "direct_refunds": list(DirectRefund.objects.filter(refund__order=order).select_related("trade"))
        if may_handle_money
        else [],
    }


def money_panel(request, order: Order, *, may_handle_money: bool) -> str:
    """The "收款与退款" panel of an order page (empty for who may not handle its money)."""
    if not may_handle_money:
        return ""
    context = {"order": order, "request": request, **_money_context(order, may_handle_money)}
    return render_to_string("payments/admin/_money.html", context, request=request)


@require_POST
def order_receipt(request, pk: int):
    order = order_for_money(request, pk)
    form = TransferReceiptForm(request.POST)
    if not form.is_valid():
        flash.form_errors(request, form)
    else:
        try:
            services.record_transfer_receipt(
                order.pk,
                amount_fen=form.cleaned_data["amount"],
                reference=form.cleaned_data["reference"],
                by=request.user,
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            order.refresh_from_db()
            if order.status == OrderStatus.PAID:
                messages.success(request, _("已登记收款，订单已付清，可以发货。"))
            else:
                messages.success(request, _("已登记收款，尚欠 %(owed)s。") % {"owed": yuan(order.outstanding_fen)})
    return back(request, "orders_admin:order", pk)


def _refund_lines(request, order: Order) -> dict[int, int] | None:
    """The quantities of a refund form (``qty_<line id>``, one per line of the order):
    {line id: quantity} of those above zero, or None (with a message) for a bad number."""
    lines = {}
    for line in OrderLine.objects.filter(suborder__order=order):
        try:
            quantity = parsing.quantity(request.POST.get(f"qty_{line.pk}"), minimum=0, default=0)
        except parsing.BadInput:
            messages.error(request, _("退款数量须为非负整数。"))
            return None
        if quantity:
            lines[line.pk] = quantity
    return lines


@require_POST
def order_refund(request, pk: int):
    order = order_for_money(request, pk)
    form = HandRefundForm(request.POST)
    lines = _refund_lines(request, order)
    if lines is None:
        return back(request, "orders_admin:order", pk)
    if not form.is_valid():
        messages.error(request, _("请填写退款流水号。"))
    else:
        try:
            services.refund_by_hand(
                order.pk,
                lines=lines,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("退款已登记，已通知买家。"))
    return back(request, "orders_admin:order", pk)


@require_POST
def order_stripe_refund(request, pk: int):
    """原路退款: refund lines of a card / Alipay / WeChat Pay order through the provider
    that took the money (``payments.providers.provider_that_took``: Stripe's
    ``refund_through_stripe``, or ``direct.refund_through_direct`` for WeChat Pay / Alipay
    contracted directly). The refund is pending — nothing counted back, no stock returned —
    until the provider says it succeeded. (The URL keeps its name, ``stripe_refund``.)"""
    order = order_for_money(request, pk)
    form = StripeRefundForm(request.POST)
    lines = _refund_lines(request, order)
    if lines is None:
        return back(request, "orders_admin:order", pk)
    if not form.is_valid():
        messages.error(request, _("请填写退款原因（不超过 200 字）。"))
        return back(request, "orders_admin:order", pk)
    try:
        provider = refund_provider(order)
        refund = provider.refund(order.pk, lines=lines, reason=form.cleaned_data["reason"], by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return back(request, "orders_admin:order", pk)
    # Without a Celery broker the request to the provider has already run; with one, it is queued.
    refund.refresh_from_db()
    amount = format_fen(refund.amount_fen)
    via = provider.label
    if refund.status == Refund.Status.FAILED:
        messages.error(
            request,
            _("%(via)s 未受理这笔退款（¥%(amount)s）：%(reason)s")
            % {"via": via, "amount": amount, "reason": refund.reason},
        )
    else:
        messages.success(
            request,
            _("退款 ¥%(amount)s 已登记为处理中，经 %(via)s 原路退回；%(via)s 确认后计入已退金额，并通知买家。")
            % {"amount": amount, "via": via},
        )
    return back(request, "orders_admin:order", pk)
