"""The kernel's periodic work (Celery beat): re-sending the messages the broker could not
take (``background.resend_pending``) and purging spent SMS codes and send counters
(``verification.purge_codes``)."""

from celery import shared_task

from .background import resend_pending
from .verification import purge_codes


@shared_task(name="core.resend_pending_tasks", ignore_result=True)
def resend_pending_tasks() -> int:
    return resend_pending()


@shared_task(name="core.purge_sms_codes", ignore_result=True)
def purge_sms_codes() -> int:
    return purge_codes()
