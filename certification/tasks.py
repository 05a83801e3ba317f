"""Periodic certification work (Celery beat). The storefront never depends on these:
validity is part of the listing query. These record what happened and tell people."""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from core.errors import DomainError

from .models import Certificate, ExpiryNotice, Status
from .services import apply_transition

logger = logging.getLogger(__name__)

NOTICE_DAYS = (30, 7)


@shared_task(name="certification.record_expiries")
def record_expiries() -> int:
    """Move applications whose certificate has lapsed to "expired", with an audit record."""
    today = timezone.localdate()
    lapsed = Certificate.objects.filter(
        revoked_at__isnull=True,
        valid_until__lt=today,
        application__status=Status.CERTIFIED,
    ).values_list("application_id", flat=True)
    count = 0
    for application_id in list(lapsed):
        try:
            apply_transition(application_id, "expire", by=None, note="有效期届满")
            count += 1
        except DomainError as exc:  # another worker got there first
            logger.info("expiry of application %s skipped: %s", application_id, exc)
    return count


@shared_task(name="certification.notify_expiring")
def notify_expiring() -> int:
    """Email the operators of each shop whose certificate lapses in exactly 30 or 7 days
    (or fewer, if a notice was missed), once per certificate and notice."""
    today = timezone.localdate()
    sent = 0
    for days in NOTICE_DAYS:
        due = (
            Certificate.objects.valid_on(today)
            .filter(valid_until__lte=today + dt.timedelta(days=days))
            .exclude(expiry_notices__days_before=days)
            # a renewal already issued (starting after this one ends) needs no reminder
            .exclude(product__certificates__valid_from__gt=F("valid_until"))
            .select_related("product__shop")
            .prefetch_related("product__shop__operators")
        )
        for cert in due:
            recipients = [u.email for u in cert.product.shop.operators.all() if u.email]
            try:
                with transaction.atomic():
                    ExpiryNotice.objects.create(certificate=cert, days_before=days, recipients=",".join(recipients))
            except IntegrityError:
                continue
            if recipients:
                left = (cert.valid_until - today).days
                until = date_format(cert.valid_until, pgettext("date format", "Y年m月d日"))
                send_mail(
                    subject=gettext("【消费帮扶馆】扶贫产品认定证书 %(number)s 将于 %(left)s 天后到期")
                    % {"number": cert.number, "left": left},
                    message=gettext(
                        "您的产品「%(title)s」的认定证书 %(number)s 有效期至 %(until)s。"
                        "到期后该产品将自动下架，请及时提交续期申请。"
                    )
                    % {"title": cert.product.title, "number": cert.number, "until": until}
                    + f"\n{settings.SITE_URL}",
                    from_email=None,
                    recipient_list=recipients,
                )
            sent += 1
    return sent
