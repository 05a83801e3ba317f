"""Writing to the buyers of a recalled batch (召回通知): one e-mail to each buyer's address
and one text message (through ``core.sms``, the one SMS sender) to each buyer's mobile
number, sent by a Celery task once the notice's transaction commits
(``services.send_recall`` records the notice). A gateway that refuses a text message is
logged and does not stop the others."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.background import enqueue_after_commit
from core.sms import SmsError, SmsMessage, send_sms
from traceability.selectors import trace_url

from . import selectors
from .models import RecallNotice

logger = logging.getLogger(__name__)

SMS_TEMPLATE = "batch_recall"


def notify_after_commit(notice_id: int) -> None:
    enqueue_after_commit(send_recall_notice, (notice_id,), robust=True)


def compose_and_send(notice_id: int) -> None:
    notice = RecallNotice.objects.select_related("batch__product").filter(pk=notice_id).first()
    if notice is None:
        return
    batch = notice.batch
    emails, mobiles = selectors.recall_recipients(selectors.orders_shipped_from(batch.pk))
    site_url = settings.SITE_URL.rstrip("/")
    subject = _("召回通知：%(title)s（批次 %(code)s）") % {"title": batch.product.title, "code": batch.code}
    for order in emails:
        body = render_to_string(
            "orders/emails/recall.txt",
            {
                "notice": notice,
                "batch": batch,
                "order": order,
                "order_url": site_url + order.get_absolute_url(),
                "site_trace_url": site_url + trace_url(batch.code),
            },
        )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [order.email])
    text = _("召回通知：您购买的「%(title)s」（批次 %(code)s，订单 %(number)s）%(message)s 详情见邮件。")
    for mobile, order in mobiles:
        params = {"title": batch.product.title, "code": batch.code, "number": order.number, "message": notice.message}
        try:
            send_sms(SmsMessage(mobile=mobile, text=text % params, template=SMS_TEMPLATE, params=params))
        except SmsError as exc:
            logger.warning("recall %s: SMS to %s not sent: %s", notice.pk, mobile[-4:], exc)


@shared_task(name="orders.send_recall_notice")
def send_recall_notice(notice_id: int) -> None:
    compose_and_send(notice_id)
