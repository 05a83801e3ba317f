"""The organisation's pages for its members, under /org/: my organisations (and the
invitations waiting for my number), registering one, its dashboard (the reserved share's
progress, its orders), its members and invitations, its details and its quota.

Every page is reached through the signed-in person's ``Member`` row: another
organisation's pages are a 404 (no hint they exist); a page the member's roles do not
allow is a 403 with the reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales import services as after_sale_services
from core import parsing
from core.errors import DomainError
from core.money import bp_percent
from orders.cart import MAX_LINES, Cart
from orders.states import OrderStatus

from . import selectors, services
from .bulk import read_rows
from .forms import (
    AcceptanceForm,
    InviteForm,
    OrganisationForm,
    QuotaForm,
    ReturnForm,
    RolesForm,
    year_asked,
    year_choices,
)
from .models import Invitation, Member, OrganisationOrder

ORDERS_SHOWN = 20


def _member(request, organisation_id) -> Member:
    pk = parsing.object_id(organisation_id, label=_("单位"))
    member = selectors.membership(request.user, pk)
    if member is None:
        raise Http404
    return member


def _admin(request, organisation_id) -> Member:
    member = _member(request, organisation_id)
    if not member.is_admin:
        raise PermissionDenied(_("只有单位管理员可以管理成员和单位信息。"))
    return member


def _details(data, organisation=None) -> services.OrganisationDetails:
    return services.OrganisationDetails(
        kind=organisation.kind if organisation else data["kind"],
        name=data["name"].strip(),
        credit_code=organisation.credit_code if organisation else data["credit_code"],
        region=data["ship_region"],
        invoice_title=(data.get("invoice_title") or "").strip(),
        invoice_address=(data.get("invoice_address") or "").strip(),
        invoice_phone=(data.get("invoice_phone") or "").strip(),
        invoice_bank=(data.get("invoice_bank") or "").strip(),
        invoice_account=(data.get("invoice_account") or "").strip(),
        approval_threshold_fen=data.get("approval_threshold"),
        payment_terms_days=data.get("payment_terms_days"),
    )


@login_required
def index(request):
    return render(
        request,
        "procurement/index.html",
        {
            "memberships": list(selectors.memberships(request.user).order_by("organisation__name")),
            "invitations": selectors.open_invitations_for(request.user),
        },
    )


@login_required
def register(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.register_organisation(request.user, _details(form.cleaned_data))
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("单位「%(name)s」已注册，您是它的管理员。") % {"name": organisation.name})
            return redirect("procurement:dashboard", organisation.pk)
    return render(request, "procurement/organisation_form.html", {"form": form, "organisation": None})


@login_required
@require_POST
def accept(request, invitation_id):
    pk = parsing.object_id(invitation_id, label=_("邀请"))
    try:
        member = services.accept_invitation(request.user, pk)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("procurement:index")
    messages.success(request, _("您已加入「%(name)s」。") % {"name": member.organisation.name})
    return redirect("procurement:dashboard", member.organisation_id)


@login_required
def dashboard(request, organisation_id):
    member = _member(request, organisation_id)
    organisation = member.organisation
    year = year_asked(request)
    progress = selectors.quota_progress(organisation, year) if organisation.is_budget_unit else None
    orders = (
        OrganisationOrder.objects.filter(organisation=organisation)
        .select_related("order", "purchaser")
        .order_by("-placed_at", "-pk")[:ORDERS_SHOWN]
    )
    return render(
        request,
        "procurement/dashboard.html",
        {
            "member": member,
            "organisation": organisation,
            "progress": progress,
            "year": year,
            "years": year_choices(),
            "orders": orders,
            "minimum_percent": bp_percent(progress.minimum_bp) if progress else "",
            "waiting": OrganisationOrder.objects.filter(
                organisation=organisation, order__status=OrderStatus.AWAITING_APPROVAL
            ).count()
            if member.is_approver
            else 0,
            "to_accept": selectors.parcels_to_accept_count(organisation) if member.is_purchaser else 0,
            "payments_due": selectors.payments_due(organisation) if member.is_finance or member.is_admin else [],
            "now": timezone.now(),
        },
    )


@login_required
def settings_view(request, organisation_id):
    member = _admin(request, organisation_id)
    organisation = member.organisation
    form = OrganisationForm(request.POST or None, editing=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(member, _details(form.cleaned_data, organisation))
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("单位信息已保存。"))
            return redirect("procurement:dashboard", organisation.pk)
    return render(request, "procurement/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
def members(request, organisation_id):
    member = _admin(request, organisation_id)
    organisation = member.organisation
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invite(member, data["mobile"], data["name"].strip(), data["roles"])
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已向 %(mobile)s 发送邀请短信，对方用该手机号登录后即可接受。")
                % {"mobile": invitation.mobile[:3] + "****" + invitation.mobile[-4:]},
            )
            return redirect("procurement:members", organisation.pk)
    people = list(organisation.members.select_related("user").order_by("added_at", "pk"))
    for person in people:
        person.roles_form = RolesForm(initial=RolesForm.initial_for(person), prefix=f"m{person.pk}")
    invitations = list(
        organisation.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
    )
    return render(
        request,
        "procurement/members.html",
        {"member": member, "organisation": organisation, "people": people, "invitations": invitations, "form": form},
    )


def _other_member(member: Member, raw_pk) -> Member:
    pk = parsing.object_id(raw_pk, label=_("成员"))
    other = Member.objects.select_related("user").filter(pk=pk, organisation_id=member.organisation_id).first()
    if other is None:
        raise Http404
    return other


@login_required
@require_POST
def member_roles(request, organisation_id, member_id):
    member = _admin(request, organisation_id)
    other = _other_member(member, member_id)
    form = RolesForm(request.POST, prefix=f"m{other.pk}")
    if form.is_valid():
        try:
            services.set_roles(member, other, form.cleaned_data["roles"])
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("已更新 %(name)s 的角色。") % {"name": other.user.get_full_name() or other.user}
            )
    else:
        messages.error(request, _("请选择有效的角色。"))
    return redirect("procurement:members", member.organisation_id)


@login_required
@require_POST
def member_remove(request, organisation_id, member_id):
    member = _admin(request, organisation_id)
    other = _other_member(member, member_id)
    try:
        services.remove_member(member, other)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已将 %(name)s 移出本单位。") % {"name": other.user.get_full_name() or other.user})
    return redirect("procurement:members", member.organisation_id)


@login_required
@require_POST
def invitation_revoke(request, organisation_id, invitation_id):
    member = _admin(request, organisation_id)
    pk = parsing.object_id(invitation_id, label=_("邀请"))
    invitation = Invitation.objects.filter(pk=pk, organisation_id=member.organisation_id).first()
    if invitation is None:
        raise Http404
    services.revoke_invitation(member, invitation)
    messages.success(request, _("邀请已撤销。"))
    return redirect("procurement:members", member.organisation_id)


@login_required
def quota(request, organisation_id):
    member = _admin(request, organisation_id)
    organisation = member.organisation
    if not organisation.is_budget_unit:
        raise Http404
    year = year_asked(request)
    current = organisation.quotas.filter(year=year).first()
    initial = {}
    if current is not None:
        initial = {
            "planned_food": f"{current.planned_food_fen / 100:.2f}",
            "mode": QuotaForm.AMOUNT if current.amount_fen is not None else QuotaForm.SHARE,
            "share": bp_percent(current.share_bp) if current.share_bp is not None else "",
            "amount": f"{current.amount_fen / 100:.2f}" if current.amount_fen is not None else "",
        }
    form = QuotaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_share = data["mode"] == QuotaForm.SHARE
        try:
            services.set_quota(
                member,
                year,
                data["planned_food"],
                share_bp=data["share"] if by_share else None,
                amount_fen=None if by_share else data["amount"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(year)s 年预留份额已保存。") % {"year": year})
            return redirect(reverse("procurement:dashboard", args=[organisation.pk]) + f"?year={year}")
    progress = selectors.quota_progress(organisation, year)
    return render(
        request,
        "procurement/quota.html",
        {
            "member": member,
            "organisation": organisation,
            "form": form,
            "year": year,
            "years": year_choices(),
            "minimum_percent": bp_percent(progress.minimum_bp),
        },
    )


def _approver(request, organisation_id) -> Member:
    member = _member(request, organisation_id)
    if not member.is_approver:
        raise PermissionDenied(_("只有单位审批人可以审批订单。"))
    return member


@login_required
def approvals(request, organisation_id):
    """The unit's orders waiting for approval, oldest first, with their lines."""
    member = _approver(request, organisation_id)
    waiting = list(
        OrganisationOrder.objects.filter(
            organisation_id=member.organisation_id, order__status=OrderStatus.AWAITING_APPROVAL
        )
        .select_related("order", "purchaser")
        .prefetch_related("order__suborders__lines", "order__suborders__shop")
        .order_by("placed_at", "pk")
    )
    return render(
        request,
        "procurement/approvals.html",
        {"member": member, "organisation": member.organisation, "waiting": waiting, "form": ReturnForm()},
    )


@login_required
@require_POST
def approval_decide(request, organisation_id, order_id, decision):
    member = _approver(request, organisation_id)
    pk = parsing.object_id(order_id, label=_("订单"))
    if decision not in ("approve", "return"):
        raise Http404
    try:
        if decision == "approve":
            order = services.approve(member, pk)
            messages.success(request, _("订单 %(number)s 已审批通过，库存已保留。") % {"number": order.number})
        else:
            form = ReturnForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("退回订单须填写原因。"))
            order = services.return_order(member, pk, form.cleaned_data["reason"])
            messages.success(request, _("订单 %(number)s 已退回采购员。") % {"number": order.number})
    except services.NotAllowed as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("procurement:approvals", member.organisation_id)


def _purchaser(request, organisation_id) -> Member:
    member = _member(request, organisation_id)
    if not member.is_purchaser:
        raise PermissionDenied(_("只有单位采购员可以验收。"))
    return member


@login_required
def acceptance_list(request, organisation_id):
    """The unit's delivered parcels waiting for acceptance, oldest shipment first, and the
    last ones accepted."""
    member = _purchaser(request, organisation_id)
    return render(
        request,
        "procurement/acceptance_list.html",
        {
            "member": member,
            "organisation": member.organisation,
            "waiting": selectors.parcels_to_accept(member.organisation),
            "done": selectors.recent_acceptances(member.organisation),
        },
    )


@login_required
def acceptance(request, organisation_id, suborder_id):
    """验收 of one parcel: accepted, or a quantity / quality problem with the units concerned."""
    member = _purchaser(request, organisation_id)
    pk = parsing.object_id(suborder_id, label=_("包裹"))
    suborder = selectors.parcel_of(member.organisation, pk)
    if suborder is None:
        raise Http404
    lines = list(suborder.lines.all())
    form = AcceptanceForm(request.POST or None, request.FILES or None, line_ids=[ln.pk for ln in lines])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = services.accept(
                member, suborder.pk, data["result"], note=data["note"], lines=data["lines"], photos=data["photos"]
            )
        except services.NotAllowed as exc:
            raise Http404 from exc
        except after_sale_services.PhotoRefused as exc:
            form.add_error("photos", str(exc))
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            if done.after_sale_id:
                messages.success(
                    request,
                    _("已验收，发现的问题已提交售后（售后单 %(number)s），商家将在处理时限前答复。")
                    % {"number": done.after_sale.number},
                )
            else:
                messages.success(request, _("包裹已验收。"))
            return redirect("procurement:acceptance_list", member.organisation_id)
    rows = [(ln, request.POST.get(f"qty_{ln.pk}", "")) for ln in lines]
    return render(
        request,
        "procurement/acceptance.html",
        {"member": member, "organisation": member.organisation, "suborder": suborder, "form": form, "rows": rows},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def bulk(request, organisation_id):
    """批量下单: a CSV of product codes and quantities; every row checked, nothing put in the
    cart unless all pass, then checkout for the organisation."""
    member = _member(request, organisation_id)
    if not member.is_purchaser:
        raise PermissionDenied(_("只有单位采购员可以为单位下单。"))
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise parsing.BadInput(_("请选择 CSV 文件。"))
            rows = read_rows(upload)
        except parsing.BadInput as exc:
            errors = [str(exc)]
        else:
            errors = rows.errors
            if not errors:
                try:
                    fill_cart(request, rows.lines)
                except DomainError as exc:
                    errors = [str(exc)]
                else:
                    messages.success(
                        request,
                        _("已将 %(count)s 种商品放入购物车，请核对后为「%(name)s」下单。")
                        % {"count": len(rows.lines), "name": member.organisation.name},
                    )
                    return redirect(reverse("orders:checkout") + f"?for={member.organisation_id}")
    return render(
        request,
        "procurement/bulk.html",
        {"member": member, "organisation": member.organisation, "errors": errors, "max_lines": MAX_LINES},
        status=400 if errors else 200,
    )


@transaction.atomic
def fill_cart(request, lines) -> None:
    """Replace the signed-in purchaser's cart with ``lines`` (all or nothing)."""
    cart = Cart(request)
    cart.clear()
    for product, quantity in lines:
        cart.add(product.pk, quantity)
