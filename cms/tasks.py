"""The page tree's periodic work (Celery beat): scheduled publishing.

An editor sets a page's go-live and expiry times on its settings tab (Wagtail's
``go_live_at`` / ``expire_at``); publishing with a future go-live time only schedules the
revision. Wagtail's ``publish_scheduled`` command publishes what is due and unpublishes
what has expired; beat runs it every minute (``CELERY_BEAT_SCHEDULE``)."""

import io

from celery import shared_task
from django.core.management import call_command


@shared_task(name="cms.publish_scheduled_pages", ignore_result=True)
def publish_scheduled_pages() -> None:
    call_command("publish_scheduled", stdout=io.StringIO())
