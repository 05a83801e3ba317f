"""Telling an invited person about their invitation: a text message (through ``core.sms``,
the one SMS sender) sent by a Celery task once the invitation's transaction commits; a
gateway that refuses it is logged and the invitation stays (the administrator sees it as
open and may invite again)."""

import logging

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.background import enqueue_after_commit
from core.sms import SmsError, SmsMessage, send_sms

from .models import INVITATION_DAYS, Invitation

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
