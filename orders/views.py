"""The buyer's side: cart, checkout, orders. Thin: rules live in cart.py and services."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from core import parsing
from core.account_views import PasswordSignInView
from core.errors import DomainError
from core.uploads import private_file_response

from . import selectors, services
from .after_sales import after_sales_of
from .buying_for import acceptance_of
from .cart import Cart, review
from .forms import AddressForm, CheckoutForm, ReviewForm, region_initial
from .helped import helped_by_line
from .invoices import invoices_of
from .models import MAX_ADDRESSES, Address, FulfilmentStatus, Order, OrderLine, OrderStatus, PaymentMethod, ReviewPhoto
from .payment_options import method_notes, offered_methods, online_payment_offered
from .transfer_details import transfer_details
from .transitions import Actor, Target

ORDER_SESSION_KEY = services.RECENT_ORDERS_SESSION_KEY


def _safe_next(request, fallback: str) -> str:
    return parsing.safe_redirect(request, request.POST.get("next"), fallback)


# What a buyer is told when the quantity sent cannot be used (empty, 0, -3, 1.5, 1e3, abc, …).
QUANTITY_REFUSED = gettext_lazy("请填写数量：1 至 %(max)s 之间的整数。购物车未作改动。")
PRODUCT_REFUSED = gettext_lazy("请选择商品。购物车未作改动。")


def _product_and_quantity(request) -> tuple[int, int]:
    """The product id and quantity a cart form sent; both required, quantity 1..MAX_QUANTITY
    (the stock is checked by the cart). Raises BadInput with the buyer's message."""
    try:
        product_id = parsing.object_id(request.POST.get("product_id"), label=_("商品"))
    except parsing.BadInput as exc:
        raise parsing.BadInput(PRODUCT_REFUSED) from exc
    try:
        quantity = parsing.quantity(request.POST.get("quantity"), minimum=1)
    except parsing.BadInput as exc:
        raise parsing.BadInput(QUANTITY_REFUSED % {"max": parsing.MAX_QUANTITY}) from exc
    return product_id, quantity


@require_POST
def cart_add(request):
    """Add units to the cart. The quantity is required: every form that posts here (the
    product page) sends one; 立即抢购 has its own view (``live_links.buy_now``)."""
    try:
        product_id, quantity = _product_and_quantity(request)
        product = Cart(request).add(product_id, quantity)
    except (parsing.BadInput, DomainError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("已将「%(title)s」× %(quantity)s 加入购物车。") % {"title": product.title, "quantity": quantity}
        )
    return redirect(_safe_next(request, reverse("orders:cart")))


@require_POST
def cart_update(request):
    """Set a line's quantity (1..stock); taking a line out is ``cart_remove``."""
    try:
        product_id, quantity = _product_and_quantity(request)
        Cart(request).update(product_id, quantity)
    except (parsing.BadInput, DomainError) as exc:
        messages.error(request, str(exc))
    return redirect("orders:cart")


@require_POST
def cart_remove(request):
    try:
        product_id = parsing.object_id(request.POST.get("product_id"), label=_("商品"))
    except parsing.BadInput:
        messages.error(request, PRODUCT_REFUSED)
    else:
        Cart(request).remove(product_id)
    return redirect("orders:cart")


def cart_view(request):
    cart = Cart(request)
    lines, changes = review(cart)
    for change in changes:
        messages.warning(request, change)
    return render(request, "orders/cart.html", _cart_context(lines))


def _cart_context(lines) -> dict:
    shops: dict[int, dict] = {}
    for line in lines:
        group = shops.setdefault(line.product.shop_id, {"shop": line.product.shop, "lines": [], "subtotal_fen": 0})
        group["lines"].append(line)
        group["subtotal_fen"] += line.total_fen
    return {"groups": list(shops.values()), "total_fen": sum(ln.total_fen for ln in lines), "lines": lines}


def _initial_for(request) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "contact_name": user.get_full_name(),  # 姓名 as written; never the username
        "email": user.email,
        "mobile": getattr(user, "phone", "") or "",
        # ?for=<organisation> (a bulk order's cart): that organisation chosen, if the buyer may.
        "buying_for": (request.GET.get("for") or "")[:20],
    }


def checkout(request):
    cart = Cart(request)
    lines, changes = review(cart)
    methods = offered_methods()
    form = CheckoutForm(
        request.POST or None,
        methods=methods,
        user=request.user,
        initial=_initial_for(request),
        method_notes=method_notes(request, methods),
    )
    if not lines:
        for change in changes:
            messages.warning(request, change)
        messages.info(request, _("购物车是空的，先去挑选商品吧。"))
        return redirect("orders:cart")
    if request.method == "POST":
        if changes:
            # Something moved since the buyer looked: show what, keep the form filled,
            # and let them confirm the updated cart.
            form.is_valid()
            form.add_error(None, _("购物车有变动，请核对后再提交：") + " ".join(changes))
        elif form.is_valid():
            data = form.cleaned_data
            buyer = services.BuyerDetails(
                buyer_type=data["buyer_type"],
                contact_name=data["contact_name"].strip(),
                email=data["email"],
                mobile=data["mobile"],
                ship_region=data["ship_region"],
                ship_detail=data["ship_detail"].strip(),
                recipient_name=data["recipient_name"].strip(),
                recipient_mobile=data["recipient_mobile"],
                organisation_name=(data.get("organisation_name") or "").strip(),
                tax_id=data.get("tax_id") or "",
                buying_for=data.get("buying_for") or "",
            )
            try:
                order = services.place_order(
                    lines=[
                        services.CheckoutLine(ln.product.pk, ln.quantity, ln.price_fen, ln.live_tag, ln.link_code)
                        for ln in lines
                    ],
                    buyer=buyer,
                    payment_method=data["payment_method"],
                    user=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
                lines, _changes = review(cart)
            else:
                cart.clear()
                recent = request.session.get(ORDER_SESSION_KEY, [])
                request.session[ORDER_SESSION_KEY] = ([order.token] + recent)[:10]
                if order.status == OrderStatus.AWAITING_APPROVAL:
                    messages.success(
                        request,
                        _("订单 %(number)s 已提交，超过单位审批额度，等待单位审批人审批；审批通过后保留库存并可付款。")
                        % {"number": order.number},
                    )
                else:
                    messages.success(request, _("订单 %(number)s 已提交，库存已为您保留。") % {"number": order.number})
                if data.get("save_address"):
                    _keep_checkout_address(request, buyer)
                return redirect("orders:by_token", order.token)
    context = _cart_context(lines)
    context.update({"form": form, "online_payment": online_payment_offered()})
    return render(request, "orders/checkout.html", context)


def _keep_checkout_address(request, buyer: services.BuyerDetails) -> None:
    """ "保存到地址簿" after the order is placed: a full book costs the buyer nothing but a note."""
    details = services.AddressDetails(
        recipient_name=buyer.recipient_name,
        mobile=buyer.recipient_mobile,
        region=buyer.ship_region,
        detail=buyer.ship_detail,
    )
    try:
        services.save_checkout_address(request.user, details)
    except DomainError as exc:
        messages.warning(request, _("收货地址未保存：%(error)s") % {"error": exc})
    else:
        messages.info(request, _("收货地址已保存到地址簿。"))


_REGION_CODE = re.compile(r"[0-9]{2}(?:[0-9]{2}(?:[0-9]{2})?)?")


@require_GET
@cache_control(public=True, max_age=86400)
def region_children(request):
    """The address regions under ``?parent=`` (a province's cities, a city's counties; the
    provinces without it), for the address selects: one query, cacheable for a day (the
    table changes only with a migration). A malformed code is a 400, an unknown one a 404."""
    try:
        parent = parsing.text(request.GET.get("parent"), max_length=12, label=_("上级地区"))
    except parsing.BadInput as exc:
        return JsonResponse({"error": str(exc), "regions": []}, status=400)
    if parent and not _REGION_CODE.fullmatch(parent):
        message = _("地区代码须为 2、4 或 6 位数字。")
        return JsonResponse({"error": message, "regions": []}, status=400)
    children = selectors.address_region_children(parent or None)
    if not children:
        return JsonResponse({"error": _("没有这个省或市。"), "regions": []}, status=404)
    return JsonResponse({"regions": [{"code": c, "name": n} for c, n in children]})


@login_required(login_url="orders:login")
def order_list(request):
    orders = list(selectors.buyer_orders(request.user)[:100])
    return render(request, "orders/order_list.html", {"orders": orders})


def _render_order(request, order: Order, *, token: str | None):
    actors = services.actors_of(request.user, order, token=token)
    # 帮扶明细: after payment, what each line did, from the ledger (one query; orders/helped.py).
    by_line = helped_by_line(order)
    helped = [(line, by_line[line.pk]) for s in order.suborders.all() for line in s.lines.all() if line.pk in by_line]
    # 售后: each parcel's requests and the link to ask (orders/after_sales.py); the parcels are
    # prefetched, so the template's order.suborders.all are these same rows.
    parcels = after_sales_of(order, token)
    # 发票: each parcel's invoice request and the link to ask (orders/invoices.py).
    invoices = invoices_of(order, token)
    # 验收: an organisation's parcels are accepted by its purchaser (orders/buying_for.py).
    accepting = acceptance_of(order, request.user)
    for s in order.suborders.all():
        s.after_sales_info = parcels.get(s.pk)
        s.invoice_info = invoices.get(s.pk)
        s.acceptance_info = accepting.get(s.pk)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "token": token,
            "can_cancel": Actor.BUYER in actors
            and order.status in (OrderStatus.AWAITING_APPROVAL, OrderStatus.AWAITING_PAYMENT, OrderStatus.ON_TERMS)
            and not order.paid_fen
            and not any(s.shipped_at for s in order.suborders.all()),
            "awaiting_approval": order.status == OrderStatus.AWAITING_APPROVAL,
            "is_transfer": order.payment_method == PaymentMethod.TRANSFER,
            "transfer": transfer_details(order)
            if order.status in (OrderStatus.AWAITING_PAYMENT, OrderStatus.ON_TERMS)
            else None,
            "on_terms": order.status == OrderStatus.ON_TERMS,
            "terms_due": (due := selectors.terms_due(order)),
            "terms_overdue": due is not None and due < timezone.now(),
            "awaiting": order.status == OrderStatus.AWAITING_PAYMENT,
            "shipped_status": FulfilmentStatus.SHIPPED,
            "helped": helped,
            "completed_status": FulfilmentStatus.COMPLETED,
        },
    )


@login_required(login_url="orders:login")
def order_detail(request, number: str):
    """A signed-in buyer's own order; anybody else's is a 404 (not a 403: no hint it exists)."""
    order = selectors.order_for_display(Order.objects.filter(user=request.user, number=number)).first()
    if order is None:
        raise Http404
    return _render_order(request, order, token=None)


def order_by_token(request, token: str):
    """The secret link emailed to the buyer: whoever holds it sees the order."""
    order = selectors.order_for_display(Order.objects.filter(token=token)).first()
    if order is None or len(token) < 32:
        raise Http404
    return _render_order(request, order, token=token)


@require_POST
def order_action(request, token: str, action: str):
    """The buyer's two actions: cancel an unpaid order, confirm receipt of a shop's parcel."""
    order = get_object_or_404(Order, token=token)
    try:
        if action == "cancel":
            services.apply_transition(
                Target.ORDER, order.pk, "cancel", by=request.user, actor=Actor.BUYER, token=token, note="买家取消"
            )
            messages.success(request, _("订单已取消，库存已释放。"))
        elif action == "complete":
            _confirm_receipt(request, order, token=token)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("orders:by_token", token)


@login_required(login_url="orders:login")
@require_POST
def order_complete(request, number: str):
    """确认收货 on the signed-in buyer's own order page (``/orders/<number>/``): the same
    transition as the secret link's. Another person's order is a 404 and nothing changes."""
    order = Order.objects.filter(user=request.user, number=number).first()
    if order is None:
        raise Http404
    try:
        _confirm_receipt(request, order, token=None)
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("orders:detail", order.number)


def _confirm_receipt(request, order: Order, *, token: str | None) -> None:
    """The buyer confirms one shop's parcel (``suborder`` in the form) of ``order``, through
    the order's transition table (only a shipped sub-order may be completed)."""
    suborder_pk = parsing.object_id(request.POST.get("suborder"), label=_("包裹"))
    suborder = get_object_or_404(order.suborders, pk=suborder_pk)
    if suborder.pk in acceptance_of(order, request.user):
        raise DomainError(_("单位订单的包裹由单位采购员验收，请在单位的“待验收”页面办理。"))
    services.apply_transition(Target.SUBORDER, suborder.pk, "complete", by=request.user, actor=Actor.BUYER, token=token)
    messages.success(request, _("已确认收货，谢谢您的支持！"))


# --- reviews (评价): the order's buyer, per line of a received parcel; anybody else gets a 404 -----------------


@login_required(login_url="orders:login")
def review_signed_in(request, number: str, line: str):
    """/orders/<number>/review/<line>/: the signed-in buyer's own order only."""
    order = Order.objects.filter(user=request.user, number=number).first()
    if order is None:
        raise Http404
    return _review_page(request, order, line, token=None)


def review_by_token(request, token: str, line: str):
    """/orders/o/<token>/review/<line>/: whoever holds the order's secret link."""
    order = Order.objects.filter(token=token).first()
    if order is None or len(token) < 32:
        raise Http404
    return _review_page(request, order, line, token=token)


def _review_page(request, order: Order, raw_line, *, token: str | None):
    """GET: the line's review if written, else the form (once the parcel was received).
    POST: the review, through ``services.submit_review``; then back here to show it."""
    line_pk = parsing.object_id(raw_line, label=_("商品"))
    line = OrderLine.objects.filter(pk=line_pk, suborder__order=order).select_related("suborder__shop").first()
    if line is None:
        raise Http404
    here = (
        reverse("orders:review_by_token", args=[token, line.pk])
        if token
        else reverse("orders:review", args=[order.number, line.pk])
    )
    review = selectors.review_of_line(line.pk)
    form = None
    if review is None and line.suborder.status == FulfilmentStatus.COMPLETED:
        form = ReviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if review is not None:
            messages.error(request, services.ALREADY_REVIEWED)
            return redirect(here)
        if form is None:
            messages.error(request, _("确认收货后才能评价。"))
            return redirect(here)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_review(
                    line.pk,
                    by=request.user,
                    token=token,
                    rating=data["rating"],
                    text=data["text"],
                    photos=data["photos"],
                )
            except services.PhotoRefused as exc:
                form.add_error("photos", str(exc))
            except DomainError as exc:
                messages.error(request, str(exc))
                return redirect(here)
            else:
                messages.success(request, _("评价已提交，谢谢您！"))
                return redirect(here)
    order_url = reverse("orders:by_token", args=[token]) if token else reverse("orders:detail", args=[order.number])
    return render(
        request,
        "orders/review.html",
        {"order": order, "line": line, "review": review, "form": form, "token": token, "order_url": order_url},
    )


def review_photo(request, pk: str, token: str | None = None):
    """A review's photo: anyone's while the review is shown; a hidden review's only for its
    buyer, the shop's operators and platform administrators (``selectors.photo_shown_to``)."""
    photo = (
        ReviewPhoto.objects.select_related("review__product", "review__line__suborder__order")
        .filter(pk=parsing.object_id(pk, label=_("照片")))
        .first()
    )
    if photo is None or not selectors.photo_shown_to(photo, request.user, token=token):
        raise Http404
    return private_file_response(photo.file, photo.content_type)


def review_photo_by_token(request, token: str, pk: str):
    if len(token) < 32:
        raise Http404
    return review_photo(request, pk, token=token)


# --- the address book (/orders/addresses/): a signed-in buyer's own; anybody else's is a 404 ---------------


def _own_address(request, raw_pk) -> Address:
    pk = parsing.object_id(raw_pk, label=_("地址"))
    address = selectors.address_book(request.user).select_related("region__parent__parent").filter(pk=pk).first()
    if address is None:
        raise Http404
    return address


def _address_details(data: dict) -> services.AddressDetails:
    return services.AddressDetails(
        recipient_name=data["recipient_name"],
        mobile=data["mobile"],
        region=data["ship_region"],
        detail=data["detail"],
    )


@login_required(login_url="orders:login")
def address_list(request):
    addresses = list(selectors.address_book(request.user))
    return render(
        request,
        "orders/address_list.html",
        {"addresses": addresses, "max_addresses": MAX_ADDRESSES, "full": len(addresses) >= MAX_ADDRESSES},
    )


@login_required(login_url="orders:login")
def address_add(request):
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_address(
                request.user, _address_details(form.cleaned_data), make_default=form.cleaned_data["is_default"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("地址已保存。"))
            return redirect(parsing.safe_redirect(request, request.POST.get("next"), reverse("orders:addresses")))
    return render(
        request,
        "orders/address_form.html",
        {"form": form, "title": _("新增收货地址"), "next": request.GET.get("next") or request.POST.get("next", "")},
    )


@login_required(login_url="orders:login")
def address_edit(request, pk: str):
    address = _own_address(request, pk)
    initial = {
        "recipient_name": address.recipient_name,
        "mobile": address.mobile,
        "detail": address.detail,
        "is_default": address.is_default,
        **region_initial(address.region),
    }
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            details = _address_details(form.cleaned_data)
            services.update_address(request.user, address.pk, details, make_default=form.cleaned_data["is_default"])
        except Address.DoesNotExist as exc:  # deleted meanwhile (another tab)
            raise Http404 from exc
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("地址已修改。"))
            return redirect("orders:addresses")
    return render(request, "orders/address_form.html", {"form": form, "title": _("修改收货地址"), "address": address})


@login_required(login_url="orders:login")
def address_delete(request, pk: str):
    address = _own_address(request, pk)
    if request.method == "POST":
        try:
            services.delete_address(request.user, address.pk)
        except Address.DoesNotExist as exc:
            raise Http404 from exc
        messages.success(request, _("地址已删除。"))
        return redirect("orders:addresses")
    return render(request, "orders/address_confirm_delete.html", {"address": address})


@require_POST
@login_required(login_url="orders:login")
def address_set_default(request, pk: str):
    address = _own_address(request, pk)
    try:
        services.set_default_address(request.user, address.pk)
    except Address.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("已设为默认地址。"))
    return redirect("orders:addresses")


class BuyerLoginView(PasswordSignInView):
    """Where signed-out buyers are sent (``orders:login``): the accounts' password sign-in,
    going on to the buyer's orders."""

    def get_default_redirect_url(self):
        return reverse("orders:list")
