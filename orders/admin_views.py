"""Orders in the Wagtail admin.

* Shop operators: their shops' sub-orders (through ``scoping``), with the shipping
  details they need to send the parcel — recipient, mobile, address, lines — and nothing
  else of the buyer (no e-mail, no organisation or tax ID, no other shop's lines). They
  ship, and, for an order entirely of their shops, record bank receipts and hand refunds.
* Platform administrators: every order with the buyer's details, payments, refunds and
  history; they record receipts and refunds for any transfer order.
* Bureau officers and everyone else: refused (403). Officers see no buyer data at all.

Reviews (商品评价) live in the same area: operators read their shops' and reply once;
platform administrators read all and hide one with a reason (or show it again).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST
from wagtail import hooks

from core import flash, parsing
from core.errors import DomainError
from core.roles import Role, roles_of
from core.scoping import is_platform_admin, operated_shop_ids, require_platform_admin

from . import selectors, services
from .forms import HideForm, ReplyForm, ShipForm
from .models import FulfilmentStatus, Order, OrderEvent, OrderStatus, SubOrder
from .transitions import TRANSITIONS, Actor, Target

PAGE_SIZE = 50

# Panels that apps above orders add to the order and sub-order pages (payments adds the
# money: receipts, refunds and the forms to record them). Each hook function takes
# (request, order, may_handle_money=...) and returns HTML, or "" for nothing.
ORDER_PANELS_HOOK = "orders_admin_order_panels"


def order_panels(request, order: Order, *, may_handle_money: bool) -> list[str]:
    return [fn(request, order, may_handle_money=may_handle_money) for fn in hooks.get_hooks(ORDER_PANELS_HOOK)]


def _require_orders_access(user) -> None:
    if not (Role.SHOP_OPERATOR in roles_of(user) or is_platform_admin(user)):
        raise PermissionDenied


def suborder_index(request):
    _require_orders_access(request.user)
    qs = selectors.suborders_for(request.user)
    status = request.GET.get("status", "")
    if status in FulfilmentStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("p"))
    return render(
        request,
        "orders/admin/suborder_index.html",
        {
            "header_title": _("订单发货"),
            "page_title": _("订单发货"),
            "page": page,
            "status": status,
            "statuses": FulfilmentStatus.choices,
            "is_admin": is_platform_admin(request.user),
        },
    )


def suborder_detail(request, pk: int):
    _require_orders_access(request.user)
    suborder = get_object_or_404(selectors.suborders_for(request.user), pk=pk)
    order = suborder.order
    may_handle_money = services.can_handle_money(request.user, order)
    actors = services.actors_of(request.user, order, suborder)
    lines = list(suborder.lines.select_related("batch"))
    # Paid, or an organisation's order on terms (shipped before it pays).
    can_ship = suborder.status in TRANSITIONS[(Target.SUBORDER, "ship")].sources and actors & {
        Actor.OPERATOR,
        Actor.ADMIN,
    }
    return render(
        request,
        "orders/admin/suborder_detail.html",
        {
            "header_title": _("子订单 %(number)s") % {"number": order.number},
            "page_title": _("子订单 %(number)s（%(shop)s）") % {"number": order.number, "shop": suborder.shop.name},
            "suborder": suborder,
            "order": order,
            "lines": lines,
            "events": list(OrderEvent.objects.filter(suborder=suborder).select_related("actor")),
            "can_ship": can_ship,
            # Per line to send: its product's open batches, the oldest with enough units proposed.
            "line_batches": selectors.batch_options([li for li in lines if li.refundable_quantity]) if can_ship else [],
            "can_complete": suborder.status == FulfilmentStatus.SHIPPED and actors & {Actor.OPERATOR, Actor.ADMIN},
            "ship_form": ShipForm(),
            "panels": order_panels(request, order, may_handle_money=may_handle_money),
        },
    )


def back(request, fallback_name: str, *args):
    target = parsing.safe_redirect(request, request.POST.get("back"), "")
    if target.startswith("/admin/"):
        return redirect(target)
    return redirect(fallback_name, *args)


@require_POST
def suborder_transition(request, pk: int, action: str):
    _require_orders_access(request.user)
    suborder = get_object_or_404(selectors.suborders_for(request.user), pk=pk)
    actor = Actor.ADMIN if is_platform_admin(request.user) else Actor.OPERATOR
    kwargs = {}
    if action == "ship":
        form = ShipForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("发货须填写快递公司和运单号。"))
            return redirect("orders_admin:suborder", pk)
        try:
            kwargs = {**form.cleaned_data, "batches": _chosen_batches(request, suborder)}
        except parsing.BadInput as exc:
            messages.error(request, str(exc))
            return redirect("orders_admin:suborder", pk)
    try:
        services.apply_transition(Target.SUBORDER, suborder.pk, action, by=request.user, actor=actor, **kwargs)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已发货，已通知买家。") if action == "ship" else _("操作已完成。"))
    return redirect("orders_admin:suborder", pk)


def _chosen_batches(request, suborder: SubOrder) -> dict[int, int]:
    """The batch picked for each line of the parcel (fields ``batch_<line id>``; empty: none).
    The service checks each against the line's product and its units left."""
    chosen = {}
    for line_id in suborder.lines.values_list("pk", flat=True):
        batch_id = parsing.optional_id(request.POST.get(f"batch_{line_id}"), label=_("生产批次"))
        if batch_id is not None:
            chosen[line_id] = batch_id
    return chosen


def order_for_money(request, pk: int) -> Order:
    """An order the user may handle money for: admins any; an operator only one whose
    every sub-order is of their shops (404 otherwise: they may not know it exists)."""
    _require_orders_access(request.user)
    order = get_object_or_404(Order, pk=pk)
    if not services.can_handle_money(request.user, order):
        if not selectors.suborders_for(request.user).filter(order=order).exists():
            raise Http404
        raise PermissionDenied  # their shop's part of a multi-shop order: the platform handles money
    return order


def order_index(request):
    require_platform_admin(request.user)
    qs = Order.objects.prefetch_related(
        Prefetch("suborders", queryset=SubOrder.objects.select_related("shop").order_by("pk"))
    ).order_by("-created_at", "-pk")
    status = request.GET.get("status", "")
    if status in OrderStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("p"))
    return render(
        request,
        "orders/admin/order_index.html",
        {
            "header_title": _("全部订单"),
            "page_title": _("全部订单"),
            "page": page,
            "status": status,
            "statuses": OrderStatus.choices,
        },
    )


def order_detail(request, pk: int):
    order = order_for_money(request, pk)
    order = selectors.order_for_display(Order.objects.filter(pk=order.pk)).get()
    return render(
        request,
        "orders/admin/order_detail.html",
        {
            "header_title": _("订单 %(number)s") % {"number": order.number},
            "page_title": _("订单 %(number)s") % {"number": order.number},
            "order": order,
            "is_admin": is_platform_admin(request.user),
            "panels": order_panels(request, order, may_handle_money=True),
        },
    )


# --- reviews (商品评价): operators reply to their shops' (once); platform admins hide with a reason -------

REVIEW_FILTERS = {"unreplied": gettext_lazy("待回复"), "hidden": gettext_lazy("已隐藏")}


def review_index(request):
    _require_orders_access(request.user)
    qs = selectors.reviews_for(request.user)
    show = request.GET.get("show", "")
    if show == "unreplied":
        qs = qs.filter(reply="")
    elif show == "hidden":
        qs = qs.filter(hidden=True)
    else:
        show = ""
    page = Paginator(qs, PAGE_SIZE).get_page(parsing.page_number(request.GET.get("p")))
    return render(
        request,
        "orders/admin/review_index.html",
        {
            "header_title": pgettext("plural", "商品评价"),
            "page_title": pgettext("plural", "商品评价"),
            "page": page,
            "show": show,
            "filters": REVIEW_FILTERS.items(),
        },
    )


def _scoped_review(request, raw_pk):
    _require_orders_access(request.user)
    return get_object_or_404(selectors.reviews_for(request.user), pk=parsing.object_id(raw_pk, label=_("评价")))


def review_detail(request, pk: str):
    review = _scoped_review(request, pk)
    is_admin = is_platform_admin(request.user)
    may_reply = not review.reply and review.product.shop_id in operated_shop_ids(request.user)
    return render(
        request,
        "orders/admin/review_detail.html",
        {
            "header_title": _("商品评价"),
            "page_title": _("评价：%(title)s") % {"title": review.product.title},
            "review": review,
            "order": review.line.suborder.order,
            "reply_form": ReplyForm() if may_reply else None,
            "hide_form": HideForm() if is_admin and not review.hidden else None,
            "may_show": is_admin and review.hidden,
        },
    )


@require_POST
def review_reply(request, pk: str):
    review = _scoped_review(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        flash.form_errors(request, form)
    else:
        try:
            services.reply_to_review(review.pk, by=request.user, text=form.cleaned_data["reply"])
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("回复已发布。"))
    return redirect("orders_admin:review", review.pk)


@require_POST
def review_hide(request, pk: str):
    require_platform_admin(request.user)
    review = _scoped_review(request, pk)
    form = HideForm(request.POST)
    if not form.is_valid():
        flash.form_errors(request, form)
    else:
        try:
            services.hide_review(review.pk, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("评价已隐藏，商品页不再显示。"))
    return redirect("orders_admin:review", review.pk)


@require_POST
def review_show(request, pk: str):
    require_platform_admin(request.user)
    review = _scoped_review(request, pk)
    try:
        services.show_review(review.pk, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("评价已恢复显示。"))
    return redirect("orders_admin:review", review.pk)
