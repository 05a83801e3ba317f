"""The kernel's periodic work (Celery beat): re-sending the messages the broker could not
take (``background.resend_pending``)."""

from celery import shared_task

from .background import resend_pending


@shared_task(name="core.resend_pending_tasks", ignore_result=True)
def resend_pending_tasks() -> int:
    return resend_pending()
