"""After-sales in the Wagtail admin (售后处理).

* Shop operators: their shops' requests; they accept or refuse (with a reason) a new one,
  and confirm the parcel sent back. Where they handle the order's money (the whole order is
  of their shops) they also record the bank refund of a transfer order.
* Platform administrators: every request; they decide those that come to them (no answer
  in time, a dispute, a refund the provider refused), record bank refunds, and ask the
  provider again for a refund that could not be started.
* Everyone else: refused (403). Another shop's request is a 404 to an operator.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import flash, parsing
from core.errors import DomainError
from core.roles import Role, roles_of
from core.scoping import is_platform_admin
from orders.models import PaymentMethod
from orders.services import can_handle_money

from . import selectors, services
from .forms import HandRefundForm, NoteForm
from .models import AfterSale
from .states import Status
from .transitions import Actor, available

PAGE_SIZE = 50
STAFF_ACTIONS = (
    "accept_refund",
    "accept_return",
    "refuse",
    "receive_return",
    "platform_refund",
    "platform_return",
    "platform_refuse",
)
DONE = {
    "accept_refund": gettext_lazy("已同意退款。"),
    "accept_return": gettext_lazy("已同意退货，等待买家寄回。"),
    "refuse": gettext_lazy("已拒绝，买家可在时限内申请平台介入。"),
    "receive_return": gettext_lazy("已确认收到退货，开始退款。"),
    "platform_refund": gettext_lazy("已判定退款。"),
    "platform_return": gettext_lazy("已判定退货退款，等待买家寄回。"),
    "platform_refuse": gettext_lazy("已判定不予退款，售后关闭。"),
}
FILTERS = {
    "todo": gettext_lazy("待处理"),
    Status.ESCALATED.value: gettext_lazy("平台处理中"),
    Status.REFUNDING.value: gettext_lazy("退款中"),
    "done": gettext_lazy("已结束"),
}


def _require_access(user) -> None:
    if not (Role.SHOP_OPERATOR in roles_of(user) or is_platform_admin(user)):
        raise PermissionDenied


def _scoped(request, raw_pk) -> AfterSale:
    _require_access(request.user)
    return get_object_or_404(selectors.for_staff(request.user), pk=parsing.object_id(raw_pk, label=_("售后单")))


def index(request):
    _require_access(request.user)
    qs = selectors.for_staff(request.user)
    show = request.GET.get("show", "")
    if show == "todo":
        qs = qs.filter(status__in=(Status.REQUESTED, Status.RETURN_SHIPPED))
    elif show == "done":
        qs = qs.filter(status__in=(Status.REFUNDED, Status.CLOSED, Status.WITHDRAWN))
    elif show in (Status.ESCALATED, Status.REFUNDING):
        qs = qs.filter(status=show)
    else:
        show = ""
    page = Paginator(qs, PAGE_SIZE).get_page(parsing.page_number(request.GET.get("p")))
    return render(
        request,
        "aftersales/admin/index.html",
        {
            "header_title": _("售后处理"),
            "page_title": _("售后处理"),
            "page": page,
            "show": show,
            "filters": FILTERS.items(),
        },
    )


def _actors(request, after_sale: AfterSale) -> set[Actor]:
    return selectors.actors_of(request.user, after_sale) - {Actor.BUYER}


def detail(request, pk: str):
    after_sale = _scoped(request, pk)
    actors = _actors(request, after_sale)
    actions = [t for t in available(after_sale.status, after_sale.kind, actors) if t.action in STAFF_ACTIONS]
    is_transfer = after_sale.order.payment_method == PaymentMethod.TRANSFER
    refunding = after_sale.status == Status.REFUNDING
    return render(
        request,
        "aftersales/admin/detail.html",
        {
            "header_title": _("售后单 %(number)s") % {"number": after_sale.number},
            "page_title": _("售后单 %(number)s") % {"number": after_sale.number},
            "after_sale": after_sale,
            "order": after_sale.order,
            "lines": list(after_sale.lines.select_related("line__batch")),
            "photos": list(after_sale.photos.all()),
            "steps": list(after_sale.steps.select_related("actor")),
            "plain_actions": [t for t in actions if not t.needs_note],
            "note_actions": [t for t in actions if t.needs_note],
            "note_form": NoteForm(),
            "hand_refund_form": HandRefundForm()
            if refunding and is_transfer and can_handle_money(request.user, after_sale.order)
            else None,
            "waiting_for_money_handler": refunding
            and is_transfer
            and not can_handle_money(request.user, after_sale.order),
            "may_retry": refunding and not is_transfer and not after_sale.refund_id and Actor.PLATFORM in actors,
        },
    )


@require_POST
def act(request, pk: str, action: str):
    after_sale = _scoped(request, pk)
    if action not in STAFF_ACTIONS:
        raise Http404
    actors = _actors(request, after_sale)
    # Platform administrators decide as the platform; an operator of the shop as the shop.
    actor = Actor.PLATFORM if action.startswith("platform_") or Actor.OPERATOR not in actors else Actor.OPERATOR
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else None
    if note is None:
        flash.form_errors(request, form)
        return redirect("aftersales_admin:detail", after_sale.pk)
    try:
        services.apply(after_sale.pk, action, by=request.user, actor=actor, note=note)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        after_sale.refresh_from_db()
        message = str(DONE[action])
        if after_sale.status == Status.REFUNDING:
            if after_sale.order.payment_method == PaymentMethod.TRANSFER:
                message += _(" 对公转账订单请线下退款后在本页登记退款流水号。")
            elif after_sale.refund_problem:
                message += _(" 但退款未能发起：%(problem)s") % {"problem": after_sale.refund_problem}
            else:
                message += _(" 款项经支付渠道原路退回，渠道确认后售后完成。")
        messages.success(request, message)
    return redirect("aftersales_admin:detail", after_sale.pk)


@require_POST
def hand_refund(request, pk: str):
    after_sale = _scoped(request, pk)
    form = HandRefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退款流水号。"))
        return redirect("aftersales_admin:detail", after_sale.pk)
    try:
        services.record_hand_refund(after_sale.pk, by=request.user, reference=form.cleaned_data["reference"])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("退款已登记，售后完成，已通知买家。"))
    return redirect("aftersales_admin:detail", after_sale.pk)


@require_POST
def retry(request, pk: str):
    after_sale = _scoped(request, pk)
    try:
        services.retry_refund(after_sale.pk, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已重新发起原路退款。"))
    return redirect("aftersales_admin:detail", after_sale.pk)


def order_panel(request, order, *, may_handle_money: bool) -> str:
    """The "售后" panel of the orders admin's order and sub-order pages: the order's requests
    this user handles (none: nothing shown)."""
    requests = list(selectors.for_staff(request.user).filter(order=order))
    if not requests:
        return ""
    return render_to_string("aftersales/admin/_panel.html", {"requests": requests}, request=request)
