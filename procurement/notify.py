"""Telling an invited person about their invitation: a text message (through ``core.sms``,
the one SMS sender) sent by a Celery task once the invitation's transaction commits; a
gateway that refuses it is logged and the invitation stays (the administrator sees it as
open and may invite again)."""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.background import enqueue_after_commit
from core.days import day_start
from core.money import yuan
from core.sms import SmsError, SmsMessage, send_sms
from orders.states import OrderStatus

from . import selectors
from .models import INVITATION_DAYS, Invitation, Member, OrganisationOrder

logger = logging.getLogger(__name__)

SMS_TEMPLATE = "organisation_invitation"


def invitation_sent_after_commit(invitation_id: int) -> None:
    enqueue_after_commit(send_invitation, (invitation_id,), robust=True)


def invitation_text(invitation: Invitation) -> str:
    url = settings.SITE_URL.rstrip("/") + reverse("procurement:index")
    inviter = invitation.invited_by.get_full_name() if invitation.invited_by else ""
    return _(
        "%(inviter)s邀请您以%(roles)s身份加入「%(organisation)s」的单位采购账户，"
        "请在 %(days)s 天内用本手机号登录后接受：%(url)s"
    ) % {
        "inviter": inviter,
        "roles": "、".join(invitation.role_labels()),
        "organisation": invitation.organisation.name,
        "days": INVITATION_DAYS,
        "url": url,
    }


@shared_task(name="procurement.send_invitation")
def send_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_open:
        return
    with translation.override(settings.LANGUAGE_CODE):  # texts go out in Chinese
        text = invitation_text(invitation)
    try:
        send_sms(
            SmsMessage(
                mobile=invitation.mobile,
                text=text,
                template=SMS_TEMPLATE,
                params={"organisation": invitation.organisation.name, "days": str(INVITATION_DAYS)},
            )
        )
    except SmsError as exc:
        logger.warning("invitation %s: SMS to ****%s not sent: %s", invitation.pk, invitation.mobile[-4:], exc)


APPROVAL_TEMPLATE = "organisation_approval"


def approval_wanted_after_commit(order_id: int) -> None:
    enqueue_after_commit(tell_approvers, (order_id,), robust=True)


def approval_decided_after_commit(order_id: int) -> None:
    enqueue_after_commit(tell_purchaser, (order_id,), robust=True)


def _send(mobile: str, text: str, params: dict) -> None:
    if not mobile:
        return
    try:
        send_sms(SmsMessage(mobile=mobile, text=text, template=APPROVAL_TEMPLATE, params=params))
    except SmsError as exc:
        logger.warning("approval SMS to ****%s not sent: %s", mobile[-4:], exc)


@shared_task(name="procurement.tell_approvers")
def tell_approvers(order_id: int) -> None:
    """A text to each approver of the unit: an order waits for them."""
    link = OrganisationOrder.objects.select_related("order", "organisation", "purchaser").filter(pk=order_id).first()
    if link is None or link.order.status != OrderStatus.AWAITING_APPROVAL:
        return
    url = settings.SITE_URL.rstrip("/") + reverse("procurement:approvals", args=[link.organisation_id])
    with translation.override(settings.LANGUAGE_CODE):
        text = _("「%(organisation)s」订单 %(number)s（%(amount)s，%(purchaser)s 提交）待您审批：%(url)s") % {
            "organisation": link.organisation.name,
            "number": link.order.number,
            "amount": yuan(link.order.total_fen),
            "purchaser": link.purchaser.get_full_name(),
            "url": url,
        }
    approvers = Member.objects.filter(organisation=link.organisation, is_approver=True).select_related("user")
    for member in approvers:
        _send(member.user.mobile, text, {"number": link.order.number})


@shared_task(name="procurement.tell_purchaser")
def tell_purchaser(order_id: int) -> None:
    """A text to the purchaser: their order was approved (pay now) or returned (why)."""
    link = OrganisationOrder.objects.select_related("order", "purchaser").filter(pk=order_id).first()
    if link is None:
        return
    order = link.order
    reason = order.events.filter(action="return").values_list("note", flat=True).last() or ""
    with translation.override(settings.LANGUAGE_CODE):
        if order.status == OrderStatus.RETURNED:
            text = _("单位订单 %(number)s 已被退回：%(reason)s") % {"number": order.number, "reason": reason}
        elif order.status == OrderStatus.ON_TERMS:
            text = _("单位订单 %(number)s 已审批通过，商家将发货；全部包裹验收后 %(days)s 天内付款。") % {
                "number": order.number,
                "days": order.payment_terms_days,
            }
        else:
            text = _("单位订单 %(number)s 已审批通过，库存已保留，请按订单页的方式付款。") % {"number": order.number}
    _send(link.purchaser.mobile, text, {"number": order.number})


# The unit's finance hears of an order on terms this many Shanghai days before it falls due,
# on the day, and every day after until it is paid.
REMIND_DAYS_BEFORE = 3
REMINDER_TEMPLATE = "organisation_payment_due"


def payment_reminder_text(link: OrganisationOrder, today: dt.date) -> str:
    order = link.order
    due = timezone.localtime(order.payment_due_at - dt.timedelta(microseconds=1)).date()  # the last day to pay
    values = {
        "organisation": link.organisation.name,
        "number": order.number,
        "amount": yuan(order.outstanding_fen),
        "due": due.isoformat(),
        "late": (today - due).days,
    }
    if today > due:
        return (
            _("「%(organisation)s」订单 %(number)s 应于 %(due)s 前付款 %(amount)s，已逾期 %(late)s 天，请尽快转账。")
            % values
        )
    return _("「%(organisation)s」订单 %(number)s 已验收，请于 %(due)s 前对公转账 %(amount)s。") % values


def remind_payments_due(now: dt.datetime | None = None) -> int:
    """Text the finance members of every unit with an order on terms due within
    ``REMIND_DAYS_BEFORE`` days or overdue — once a Shanghai day per order (``reminded_on``,
    written before sending: a gateway failure is logged, not retried the same day). Returns
    how many orders were reminded."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    horizon = day_start(today + dt.timedelta(days=REMIND_DAYS_BEFORE + 1))
    due = selectors.terms_falling_due().filter(order__payment_due_at__lte=horizon).exclude(reminded_on=today)
    count = 0
    mobiles: dict[int, list[str]] = {}  # the finance members' numbers, read once per unit
    for link in due:
        # One UPDATE claims the order for today (a second run, or a second worker, gets 0).
        if not OrganisationOrder.objects.filter(pk=link.pk).exclude(reminded_on=today).update(reminded_on=today):
            continue
        with translation.override(settings.LANGUAGE_CODE):
            text = payment_reminder_text(link, today)
        if link.organisation_id not in mobiles:
            mobiles[link.organisation_id] = [
                m
                for m in Member.objects.filter(organisation_id=link.organisation_id, is_finance=True).values_list(
                    "user__mobile", flat=True
                )
                if m
            ]
        for mobile in mobiles[link.organisation_id]:
            try:
                send_sms(
                    SmsMessage(
                        mobile=mobile, text=text, template=REMINDER_TEMPLATE, params={"number": link.order.number}
                    )
                )
            except SmsError as exc:
                logger.warning("payment reminder SMS to ****%s not sent: %s", mobile[-4:], exc)
        count += 1
    return count


@shared_task(name="procurement.remind_payments_due")
def remind_payments_due_task() -> int:
    return remind_payments_due()
