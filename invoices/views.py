"""The buyer's side of invoices: ask for one for a parcel, follow it, download it, check it
(验票: confirm it, or send it back with a reason), or withdraw a request not yet issued.
Signed in under /invoices/, or through the order's secret link (/orders/o/<token>/invoices/…).
Another buyer's order or invoice is a 404 (no hint it exists). A refusal answers 400 with
the page and the reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import parsing
from core.errors import DomainError
from core.uploads import private_file_response
from orders import selectors as order_selectors
from orders.models import SubOrder

from . import selectors, services
from .emails import attachment_name
from .forms import RejectForm, RequestForm
from .models import Invoice
from .transitions import Actor, available

BUYER_ACTIONS = ("confirm", "reject", "withdraw")
DONE_MESSAGES = {
    "confirm": gettext_lazy("已确认发票无误。"),
    "reject": gettext_lazy("发票已退回，商家将重新开具。"),
    "withdraw": gettext_lazy("开票申请已撤销。"),
}


def _buyers(request, qs, token: str | None, **lookup):
    """``orders.selectors.buyers_row``, or a 404."""
    row = order_selectors.buyers_row(request.user, qs, token, **lookup)
    if row is None:
        raise Http404
    return row


def _own_invoice(request, raw_pk, token: str | None) -> Invoice:
    pk = parsing.object_id(raw_pk, label=_("开票申请"))
    return _buyers(request, Invoice.objects.select_related("order", "suborder__shop"), token, pk=pk)


def _new(request, suborder_pk, token: str | None):
    pk = parsing.object_id(suborder_pk, label=_("包裹"))
    suborder = _buyers(request, SubOrder.objects.select_related("order", "shop"), token, pk=pk)
    order = suborder.order
    back = order_selectors.order_page_url(order, token)
    existing = selectors.active_for(suborder.pk)
    if existing is not None:
        messages.info(request, _("这个包裹已有开票申请。"))
        return redirect(selectors.url_of(existing, token))
    problem = selectors.why_not(suborder, order)
    if problem:
        messages.error(request, problem)
        return redirect(back)
    form = RequestForm(request.POST or None, initial=selectors.prefill(order))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invoice = services.request_invoice(suborder.pk, by=request.user, token=token, **data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("开票申请已提交，商家开具后会发邮件通知您。"))
            return redirect(selectors.url_of(invoice, token))
    return render(
        request,
        "invoices/new.html",
        {
            "form": form,
            "suborder": suborder,
            "order": order,
            "order_url": back,
            "amount_fen": selectors.amount_due(suborder),
            "kinds": selectors.kinds_for(order),
            "title_types": selectors.title_types_for(order),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required(login_url="orders:login")
def new(request, suborder: str):
    return _new(request, suborder, None)


def new_by_token(request, token: str, suborder: str):
    return _new(request, suborder, token)


def _detail_page(request, invoice: Invoice, token: str | None, *, reject_form=None, error: str = "", status=200):
    actions = {t.action for t in available(invoice.status, {Actor.BUYER})}
    here = [token, invoice.pk] if token else [invoice.pk]
    return render(
        request,
        "invoices/detail.html",
        {
            "invoice": invoice,
            "order": invoice.order,
            "steps": list(invoice.steps.all()),
            "token": token,
            "order_url": order_selectors.order_page_url(invoice.order, token),
            "error": error,
            "file_url": reverse("invoices:file_by_token" if token else "invoices:file", args=here)
            if invoice.file
            else "",
            "reject_form": (reject_form or RejectForm()) if "reject" in actions else None,
            "action_urls": {
                a: reverse("invoices:action_by_token" if token else "invoices:action", args=[*here, a])
                for a in actions & set(BUYER_ACTIONS)
            },
        },
        status=status,
    )


def _detail(request, pk: str, token: str | None):
    return _detail_page(request, _own_invoice(request, pk, token), token)


@login_required(login_url="orders:login")
def detail(request, pk: str):
    return _detail(request, pk, None)


def detail_by_token(request, token: str, pk: str):
    return _detail(request, pk, token)


def _action(request, pk: str, action: str, token: str | None):
    invoice = _own_invoice(request, pk, token)
    if action not in BUYER_ACTIONS:
        raise Http404
    note = ""
    reject_form = None
    if action == "reject":
        reject_form = RejectForm(request.POST)
        if not reject_form.is_valid():
            return _detail_page(request, invoice, token, reject_form=reject_form, status=400)
        note = reject_form.cleaned_data["note"]
    try:
        services.apply(invoice.pk, action, by=request.user, actor=Actor.BUYER, token=token, note=note)
    except DomainError as exc:
        invoice.refresh_from_db()
        return _detail_page(request, invoice, token, reject_form=reject_form, error=str(exc), status=400)
    messages.success(request, DONE_MESSAGES[action])
    if action == "withdraw":
        return redirect(order_selectors.order_page_url(invoice.order, token))
    return redirect(selectors.url_of(invoice, token))


@login_required(login_url="orders:login")
@require_POST
def action(request, pk: str, action: str):
    return _action(request, pk, action, None)


@require_POST
def action_by_token(request, token: str, pk: str, action: str):
    return _action(request, pk, action, token)


def _file(request, pk: str, token: str | None):
    invoice = _own_invoice(request, pk, token)
    if not invoice.file:
        raise Http404
    return private_file_response(invoice.file, invoice.content_type, download_as=attachment_name(invoice))


@login_required(login_url="orders:login")
def file(request, pk: str):
    return _file(request, pk, None)


def file_by_token(request, token: str, pk: str):
    return _file(request, pk, token)
