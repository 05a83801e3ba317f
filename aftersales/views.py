"""The buyer's side of after-sales: ask for a parcel's lines back, follow the request, send
the goods back, withdraw, or ask the platform to step in. Signed in under /after-sales/, or
through the order's secret link (/orders/o/<token>/after-sales/…). Another buyer's order
or request is a 404 (no hint it exists)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import flash, parsing
from core.errors import DomainError
from core.uploads import private_file_response
from orders import selectors as order_selectors
from orders.models import OrderLine, SubOrder

from . import selectors, services
from .forms import NoteForm, RequestForm, ReturnForm
from .models import AfterSale, AfterSalePhoto
from .states import Status
from .transitions import Actor, available

BUYER_ACTIONS = ("withdraw", "ship_return", "dispute")
DONE_MESSAGES = {
    "withdraw": gettext_lazy("售后申请已撤销。"),
    "ship_return": gettext_lazy("已登记退货运单，商家收到后将为您退款。"),
    "dispute": gettext_lazy("已申请平台介入，平台将尽快处理并通知您。"),
}


def _buyers(request, qs, token: str | None, **lookup):
    """``orders.selectors.buyers_row``, or a 404."""
    row = order_selectors.buyers_row(request.user, qs, token, **lookup)
    if row is None:
        raise Http404
    return row


def _own_suborder(request, raw_pk, token: str | None) -> SubOrder:
    pk = parsing.object_id(raw_pk, label=_("包裹"))
    return _buyers(request, SubOrder.objects.select_related("order", "shop"), token, pk=pk)


def _own_request(request, number: str, token: str | None) -> AfterSale:
    return _buyers(request, AfterSale.objects.select_related("order", "suborder__shop"), token, number=number)


def _new(request, suborder_pk, token: str | None):
    suborder = _own_suborder(request, suborder_pk, token)
    order = suborder.order
    back = order_selectors.order_page_url(order, token)
    problem = selectors.why_not(suborder, order)
    left = selectors.quantities_left(suborder)
    if not problem and not any(left.values()):
        problem = _("这个包裹的商品都已申请售后或已退款。")
    if problem:
        messages.error(request, problem)
        return redirect(back)
    lines = list(OrderLine.objects.filter(suborder=suborder).order_by("pk"))
    form = RequestForm(
        request.POST or None,
        request.FILES or None,
        kinds=selectors.kinds_for(suborder),
        line_ids=[ln.pk for ln in lines if left.get(ln.pk)],
        left=left,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            after_sale = services.create_request(
                suborder.pk,
                by=request.user,
                token=token,
                kind=data["kind"],
                reason=data["reason"],
                description=data["description"],
                lines=data["lines"],
                photos=data["photos"],
            )
        except services.PhotoRefused as exc:
            form.add_error("photos", str(exc))
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("售后申请已提交（售后单 %(number)s），商家将在处理时限前答复。") % {"number": after_sale.number},
            )
            return redirect(selectors.url_of(after_sale, token))
    rows = [(ln, left.get(ln.pk, 0), request.POST.get(f"qty_{ln.pk}", "")) for ln in lines]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "aftersales/new.html",
        {"form": form, "suborder": suborder, "order": order, "rows": rows, "order_url": back, "token": token},
        status=status,
    )


@login_required(login_url="orders:login")
def new(request, suborder: str):
    return _new(request, suborder, None)


def new_by_token(request, token: str, suborder: str):
    return _new(request, suborder, token)


def _detail(request, number: str, token: str | None):
    after_sale = _own_request(request, number, token)
    actions = {t.action for t in available(after_sale.status, after_sale.kind, {Actor.BUYER})}
    here_args = [token, after_sale.number] if token else [after_sale.number]
    return render(
        request,
        "aftersales/detail.html",
        {
            "after_sale": after_sale,
            "order": after_sale.order,
            "lines": list(after_sale.lines.select_related("line__batch")),
            "photos": list(after_sale.photos.all()),
            "steps": list(after_sale.steps.all()),
            "token": token,
            "order_url": order_selectors.order_page_url(after_sale.order, token),
            "can_withdraw": "withdraw" in actions,
            "return_form": ReturnForm() if "ship_return" in actions else None,
            "dispute_form": NoteForm() if "dispute" in actions else None,
            "action_urls": {
                a: reverse("aftersales:action_by_token" if token else "aftersales:action", args=[*here_args, a])
                for a in actions & set(BUYER_ACTIONS)
            },
            "awaiting_return": after_sale.status == Status.AWAITING_RETURN,
        },
    )


@login_required(login_url="orders:login")
def detail(request, number: str):
    return _detail(request, number, None)


def detail_by_token(request, token: str, number: str):
    return _detail(request, number, token)


def _action(request, number: str, action: str, token: str | None):
    after_sale = _own_request(request, number, token)
    if action not in BUYER_ACTIONS:
        raise Http404
    here = selectors.url_of(after_sale, token)
    kwargs = {}
    if action == "ship_return":
        form = ReturnForm(request.POST)
        if not form.is_valid():
            flash.form_errors(request, form)
            return redirect(here)
        kwargs = form.cleaned_data
    elif action == "dispute":
        form = NoteForm(request.POST)
        if not form.is_valid():
            flash.form_errors(request, form)
            return redirect(here)
        kwargs = {"note": form.cleaned_data["note"]}
    try:
        services.apply(after_sale.pk, action, by=request.user, actor=Actor.BUYER, token=token, **kwargs)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, DONE_MESSAGES[action])
    return redirect(here)


@login_required(login_url="orders:login")
@require_POST
def action(request, number: str, action: str):
    return _action(request, number, action, None)


@require_POST
def action_by_token(request, token: str, number: str, action: str):
    return _action(request, number, action, token)


@login_required(login_url="orders:login")
def my_list(request):
    page = Paginator(selectors.for_buyer(request.user), 20).get_page(parsing.page_number(request.GET.get("p")))
    return render(request, "aftersales/list.html", {"page": page})


def _photo(request, pk: str, token: str | None):
    photo = (
        AfterSalePhoto.objects.select_related("after_sale__order", "after_sale__suborder")
        .filter(pk=parsing.object_id(pk, label=_("照片")))
        .first()
    )
    if photo is None or not selectors.actors_of(request.user, photo.after_sale, token=token):
        raise Http404
    return private_file_response(photo.file, photo.content_type)


def photo(request, pk: str):
    return _photo(request, pk, None)


def photo_by_token(request, token: str, pk: str):
    if len(token) < 32:
        raise Http404
    return _photo(request, pk, token)
