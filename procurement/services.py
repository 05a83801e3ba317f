"""Writes of the procurement app: registering an organisation, inviting and managing its
members, recording the reserved share of a year, and recording an order placed for it.

Each function takes the acting person's ``Member`` row (or the user) and refuses with a
``DomainError`` (a message for the person) what their roles do not allow; the views turn
that into a form error or a 403, never a 500."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales import services as after_sale_services
from aftersales.states import Kind as AfterSaleKind
from aftersales.states import Reason
from core.errors import DomainError
from core.money import bp_percent, yuan
from orders import services as order_services
from orders.locking import lock_order
from orders.models import PaymentMethod, SubOrder
from orders.states import FulfilmentStatus, OrderStatus

from .models import (
    INVITATION_DAYS,
    ROLE_FIELDS,
    Acceptance,
    AcceptanceResult,
    Invitation,
    Kind,
    Member,
    Organisation,
    OrganisationOrder,
    Quota,
)
from .notify import approval_decided_after_commit, approval_wanted_after_commit, invitation_sent_after_commit
from .rules import minimum_share_bp


class NotAllowed(DomainError):
    """The person's roles in the organisation do not allow this (a 403)."""


def require(member: Member | None, role: str) -> Member:
    if member is None or not getattr(member, ROLE_FIELDS[role]):
        raise NotAllowed(_("您在本单位没有此项权限。"))
    return member


@dataclass(frozen=True)
class OrganisationDetails:
    kind: str
    name: str
    credit_code: str
    region: object  # producers.Region (a county)
    invoice_title: str
    invoice_address: str = ""
    invoice_phone: str = ""
    invoice_bank: str = ""
    invoice_account: str = ""
    approval_threshold_fen: int | None = None
    payment_terms_days: int | None = None


def _flags(roles) -> dict[str, bool]:
    roles = set(roles)
    unknown = roles - set(ROLE_FIELDS)
    if unknown or not roles:
        raise DomainError(_("请至少选择一个角色。"))
    return {field: role in roles for role, field in ROLE_FIELDS.items()}


@transaction.atomic
def register_organisation(user, details: OrganisationDetails) -> Organisation:
    """A signed-in person registers their organisation and becomes its administrator (with
    every role: a small unit's one person does it all; roles are changed on the members
    page). A credit code already registered is refused: its administrator invites people."""
    if not getattr(user, "is_authenticated", False):
        raise DomainError(_("请先登录。"))
    if details.kind not in Kind.values:
        raise DomainError(_("请选择单位类型。"))
    if Organisation.objects.filter(credit_code=details.credit_code).exists():
        raise DomainError(_("该统一社会信用代码的单位已注册，请联系该单位的管理员邀请您加入。"))
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                kind=details.kind,
                name=details.name,
                credit_code=details.credit_code,
                region=details.region,
                invoice_title=details.invoice_title or details.name,
                invoice_address=details.invoice_address,
                invoice_phone=details.invoice_phone,
                invoice_bank=details.invoice_bank,
                invoice_account=details.invoice_account,
                approval_threshold_fen=details.approval_threshold_fen,
                payment_terms_days=details.payment_terms_days,
                created_by=user,
            )
    except IntegrityError as exc:  # registered a moment ago by someone else
        raise DomainError(_("该统一社会信用代码的单位已注册，请联系该单位的管理员邀请您加入。")) from exc
    Member.objects.create(organisation=organisation, user=user, added_by=user, **_flags(ROLE_FIELDS))
    return organisation


@transaction.atomic
def update_organisation(member: Member, details: OrganisationDetails) -> Organisation:
    """The administrator edits the unit's name, region, invoice details and approval
    threshold (its kind and credit code stay as registered)."""
    require(member, "admin")
    organisation = Organisation.objects.select_for_update().get(pk=member.organisation_id)
    organisation.name = details.name
    organisation.region = details.region
    organisation.invoice_title = details.invoice_title or details.name
    organisation.invoice_address = details.invoice_address
    organisation.invoice_phone = details.invoice_phone
    organisation.invoice_bank = details.invoice_bank
    organisation.invoice_account = details.invoice_account
    organisation.approval_threshold_fen = details.approval_threshold_fen
    organisation.payment_terms_days = details.payment_terms_days
    organisation.save()
    return organisation


# --- members and invitations -----------------------------------------------------------------------------------------


def _admins_left(organisation_id: int, without: Member) -> int:
    return Member.objects.filter(organisation_id=organisation_id, is_admin=True).exclude(pk=without.pk).count()


def _managed(actor: Member, member: Member) -> Member:
    """``member`` locked, for an administrator of the same organisation."""
    require(actor, "admin")
    if member.organisation_id != actor.organisation_id:
        raise NotAllowed(_("您在本单位没有此项权限。"))
    return Member.objects.select_for_update().get(pk=member.pk)


def _keeps_an_admin(member: Member) -> None:
    if member.is_admin and not _admins_left(member.organisation_id, member):
        raise DomainError(_("单位至少要有一名管理员。"))


@transaction.atomic
def set_roles(actor: Member, member: Member, roles) -> Member:
    flags = _flags(roles)
    member = _managed(actor, member)
    if not flags["is_admin"]:
        _keeps_an_admin(member)
    for name, value in flags.items():
        setattr(member, name, value)
    member.save()
    return member


@transaction.atomic
def remove_member(actor: Member, member: Member) -> None:
    member = _managed(actor, member)
    _keeps_an_admin(member)
    member.delete()


@transaction.atomic
def invite(actor: Member, mobile: str, name: str, roles) -> Invitation:
    """Invite a mobile number with ``roles``, valid for ``INVITATION_DAYS`` days, told by a
    text message after commit; an open invitation to the same number is replaced."""
    require(actor, "admin")
    flags = _flags(roles)
    if Member.objects.filter(organisation_id=actor.organisation_id, user__mobile=mobile).exists():
        raise DomainError(_("该手机号已是本单位成员，可直接修改其角色。"))
    now = timezone.now()
    Invitation.objects.filter(
        organisation_id=actor.organisation_id, mobile=mobile, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    invitation = Invitation.objects.create(
        organisation_id=actor.organisation_id,
        mobile=mobile,
        name=name,
        invited_by=actor.user,
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
        **flags,
    )
    invitation_sent_after_commit(invitation.pk)
    return invitation


@transaction.atomic
def revoke_invitation(actor: Member, invitation: Invitation) -> None:
    require(actor, "admin")
    if invitation.organisation_id != actor.organisation_id:
        raise NotAllowed(_("您在本单位没有此项权限。"))
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def accept_invitation(user, invitation_id: int) -> Member:
    """The invited person, signed in with the invited number, joins with the invited
    roles (added to any they already hold)."""
    invitation = Invitation.objects.select_for_update().select_related("organisation").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_open or not invitation.organisation.is_active:
        raise DomainError(_("邀请已失效（已接受、已撤销或已过期），请联系单位管理员重新邀请。"))
    if not getattr(user, "is_authenticated", False) or user.mobile != invitation.mobile:
        raise DomainError(
            _("这份邀请发给了手机号 %(mobile)s，请用该手机号登录后接受。")
            % {"mobile": invitation.mobile[:3] + "****" + invitation.mobile[-4:]}
        )
    member, created = Member.objects.select_for_update().get_or_create(
        organisation=invitation.organisation,
        user=user,
        defaults={"added_by": invitation.invited_by, **{f: getattr(invitation, f) for f in ROLE_FIELDS.values()}},
    )
    if not created:
        for field in ROLE_FIELDS.values():
            setattr(member, field, getattr(member, field) or getattr(invitation, field))
        member.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return member


# --- the reserved share ----------------------------------------------------------------------------------------------


@transaction.atomic
def set_quota(
    actor: Member, year: int, planned_food_fen: int, *, share_bp: int | None = None, amount_fen: int | None = None
) -> Quota:
    """Record a budget unit's planned food spending of ``year`` and its reserved share (a
    percentage or an amount, not both), at least the region's minimum."""
    require(actor, "admin")
    organisation = actor.organisation
    if organisation.kind != Kind.BUDGET_UNIT:
        raise DomainError(_("只有预算单位需要填报预留份额。"))
    if planned_food_fen <= 0:
        raise DomainError(_("年度食堂食材采购计划须大于 0。"))
    if (share_bp is None) == (amount_fen is None):
        raise DomainError(_("请填写预留比例或预留金额（二选一）。"))
    minimum = minimum_share_bp(organisation.region.code)
    if amount_fen is not None:
        if amount_fen > planned_food_fen:
            raise DomainError(_("预留金额不能超过年度采购计划。"))
        reserved_bp_times_plan = amount_fen * 10_000
        if reserved_bp_times_plan < minimum * planned_food_fen:
            raise DomainError(
                _("预留金额不得低于采购计划的 %(minimum)s（本地区最低要求），即 %(amount)s。")
                % {"minimum": bp_percent(minimum), "amount": yuan((planned_food_fen * minimum + 9_999) // 10_000)}
            )
    elif not minimum <= share_bp <= 10_000:
        raise DomainError(
            _("预留比例应在 %(minimum)s 到 100%% 之间（本地区最低要求 %(minimum)s）。")
            % {"minimum": bp_percent(minimum)}
        )
    quota, _created = Quota.objects.select_for_update().update_or_create(
        organisation=organisation,
        year=year,
        defaults={
            "planned_food_fen": planned_food_fen,
            "share_bp": share_bp,
            "amount_fen": amount_fen,
            "set_by": actor.user,
        },
    )
    return quota


# --- orders placed for an organisation (orders/buying_for.py) --------------------------------------------------------


def record_order(order, ref: str, user) -> OrganisationOrder:
    """Checkout placed ``order`` for organisation ``ref``: only one of its purchasers may,
    and only for an active organisation whose kind and credit code the order carries."""
    member = None
    if ref.isdigit() and getattr(user, "is_authenticated", False):
        member = (
            Member.objects.select_related("organisation")
            .filter(organisation_id=int(ref), user=user, is_purchaser=True, organisation__is_active=True)
            .first()
        )
    if member is None:
        raise NotAllowed(_("您不是该单位的采购员，不能为该单位下单。"))
    organisation = member.organisation
    if (order.buyer_type, order.tax_id) != (organisation.kind, organisation.credit_code):
        raise DomainError(_("订单的买家类型和纳税人识别号须与采购单位一致。"))
    link = OrganisationOrder.objects.create(order=order, organisation=organisation, purchaser=user)
    if order.status == OrderStatus.AWAITING_APPROVAL:
        approval_wanted_after_commit(order.pk)
    return link


# --- approval of orders above the threshold --------------------------------------------------------------------------


def needs_approval(ref: str, total_fen: int) -> bool:
    """Whether an order of ``total_fen`` for organisation ``ref`` waits for its approver."""
    threshold = (
        Organisation.objects.filter(pk=int(ref)).values_list("approval_threshold_fen", flat=True).first()
        if ref.isdigit()
        else None
    )
    return threshold is not None and total_fen > threshold


def payment_terms(ref: str, payment_method: str) -> int | None:
    """Days after acceptance within which organisation ``ref`` pays an order paid by
    ``payment_method``: its setting for bank transfers, None otherwise (paid first)."""
    if payment_method != PaymentMethod.TRANSFER or not ref.isdigit():
        return None
    return Organisation.objects.filter(pk=int(ref)).values_list("payment_terms_days", flat=True).first()


def _held_order(actor: Member, order_id: int) -> OrganisationOrder:
    require(actor, "approver")
    link = (
        OrganisationOrder.objects.select_related("order")
        .filter(order_id=order_id, organisation_id=actor.organisation_id)
        .first()
    )
    if link is None:
        raise NotAllowed(_("该订单不是本单位的订单。"))
    return link


def approve(actor: Member, order_id: int):
    """The approver approves the unit's held order: its stock is reserved and the purchaser
    may pay (refused with the reason when a product is gone or short)."""
    _held_order(actor, order_id)
    order = order_services.approve_order(order_id, by=actor.user, note=f"{actor.user.get_full_name()} 审批通过")
    approval_decided_after_commit(order_id)
    return order


def return_order(actor: Member, order_id: int, reason: str):
    """The approver returns the unit's held order to its purchaser with ``reason``."""
    _held_order(actor, order_id)
    order = order_services.return_order(order_id, by=actor.user, reason=reason)
    approval_decided_after_commit(order_id)
    return order


# --- acceptance (验收) ----------------------------------------------------------------------------------------------

# What a problem found at acceptance asks of the shop: the units short were never received
# (仅退款, 少件), units of bad quality go back (退货退款, photos required as for any buyer).
PROBLEM_REQUESTS = {
    AcceptanceResult.QUANTITY: (AfterSaleKind.REFUND_ONLY, Reason.MISSING),
    AcceptanceResult.QUALITY: (AfterSaleKind.RETURN, Reason.QUALITY),
}
ACCEPTANCE_NOTE_MAX = 200


@transaction.atomic
def accept(actor: Member, suborder_id: int, result: str, *, note: str = "", lines=None, photos=()) -> Acceptance:
    """The unit's purchaser records the acceptance of one delivered parcel of the unit's
    order. ``result`` accepted: the parcel is complete. A quantity or quality problem names
    the units concerned in ``lines`` ({order-line id: units}) and opens an after-sales
    request for them first (through the after-sales service, which checks the units and
    the photos a quality problem needs); refused there, nothing is recorded. The rest of the
    parcel is accepted with it, and an order on terms starts its payment clock when its
    last parcel is accepted (``orders.services.accept_suborder``)."""
    require(actor, "purchaser")
    suborder = (
        SubOrder.objects.select_related("order")
        .filter(pk=suborder_id, order__organisation_link__organisation_id=actor.organisation_id)
        .first()
    )
    if suborder is None:
        raise NotAllowed(_("该包裹不是本单位订单的包裹。"))
    lock_order(suborder.order_id)  # as every move of the order: payments and refunds wait
    suborder.refresh_from_db()
    if result not in AcceptanceResult.values:
        raise DomainError(_("请选择验收结果。"))
    if suborder.status != FulfilmentStatus.SHIPPED or Acceptance.objects.filter(suborder=suborder).exists():
        raise DomainError(_("该包裹当前状态为「%(status)s」，不能验收。") % {"status": suborder.get_status_display()})
    note = " ".join((note or "").split())
    if len(note) > ACCEPTANCE_NOTE_MAX:
        raise DomainError(_("验收说明最多 %(max)s 字。") % {"max": ACCEPTANCE_NOTE_MAX})
    after_sale = None
    if result != AcceptanceResult.ACCEPTED:
        if not note:
            raise DomainError(_("请说明验收发现的问题。"))
        kind, reason = PROBLEM_REQUESTS[result]
        after_sale = after_sale_services.create_request(
            suborder.pk,
            by=actor.user,
            kind=kind,
            reason=reason,
            description=f"验收：{note}",
            lines=lines or {},
            photos=photos,
        )
    acceptance = Acceptance.objects.create(
        suborder=suborder,
        organisation_id=actor.organisation_id,
        result=result,
        note=note,
        after_sale=after_sale,
        accepted_by=actor.user,
    )
    with translation.override(settings.LANGUAGE_CODE):  # the history is kept in the source language
        history = f"{actor.user.get_full_name()} 验收：{AcceptanceResult(result).label}" + (
            f"（{note}）" if note else ""
        )
    order_services.accept_suborder(suborder.pk, by=actor.user, note=history)
    return acceptance
