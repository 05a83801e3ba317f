"""Telling both sides of an after-sales request what just happened: an e-mail and a text
message (through ``core.sms``, the one SMS sender) to the buyer, and to every operator of
the shop; the platform's administrators too when a request comes to them. Sent by a Celery
task once the step's transaction commits; a gateway that refuses a message is logged and
does not undo the step."""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from core.background import enqueue_after_commit
from core.roles import Role
from core.sms import SmsError, SmsMessage, send_sms

from .models import AfterSaleStep
from .states import Status

logger = logging.getLogger(__name__)

SMS_TEMPLATE = "after_sale_update"


def notify_after_commit(step_id: int) -> None:
    enqueue_after_commit(notify_step, (step_id,), robust=True)


def _staff_recipients(after_sale) -> list:
    operators = list(after_sale.suborder.shop.operators.filter(is_active=True))
    if after_sale.status != Status.ESCALATED:
        return [("operator", u) for u in operators]
    admins = (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=Role.PLATFORM_ADMIN), is_active=True)
        .distinct()
    )
    return [("operator", u) for u in operators] + [("platform", u) for u in admins if u not in operators]


def _sms(mobile: str, text: str, number: str, status: str) -> None:
    if not mobile:
        return
    try:
        send_sms(
            SmsMessage(mobile=mobile, text=text, template=SMS_TEMPLATE, params={"number": number, "status": status})
        )
    except SmsError as exc:
        logger.warning("after-sale %s: SMS to %s not sent: %s", number, mobile[-4:], exc)


def compose_and_send(step_id: int) -> None:
    step = (
        AfterSaleStep.objects.select_related("after_sale__order", "after_sale__suborder__shop")
        .filter(pk=step_id)
        .first()
    )
    if step is None:
        return
    after_sale = step.after_sale
    order = after_sale.order
    site_url = settings.SITE_URL.rstrip("/")
    status = after_sale.get_status_display()
    subject = _("售后单 %(number)s：%(status)s") % {"number": after_sale.number, "status": status}
    context = {
        "after_sale": after_sale,
        "step": step,
        "status": status,
        "lines": list(after_sale.lines.select_related("line__batch")),
        "shop": after_sale.suborder.shop,
    }
    buyer_url = site_url + reverse("aftersales:detail_by_token", args=[order.token, after_sale.number])
    body = render_to_string("aftersales/emails/update.txt", {**context, "url": buyer_url, "to_buyer": True})
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [order.email])
    _sms(
        order.mobile,
        _("您的售后单 %(number)s：%(status)s。详情见邮件中的链接。") % {"number": after_sale.number, "status": status},
        after_sale.number,
        status,
    )

    staff_url = site_url + reverse("aftersales_admin:detail", args=[after_sale.pk])
    for role, user in _staff_recipients(after_sale):
        if user.email:
            body = render_to_string(
                "aftersales/emails/update.txt", {**context, "url": staff_url, "to_buyer": False, "role": role}
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        _sms(
            getattr(user, "mobile", ""),
            _("售后单 %(number)s（%(shop)s）：%(status)s，请登录后台处理。")
            % {"number": after_sale.number, "shop": after_sale.suborder.shop.name, "status": status},
            after_sale.number,
            status,
        )


@shared_task(name="aftersales.notify_step")
def notify_step(step_id: int) -> None:
    compose_and_send(step_id)
