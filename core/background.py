"""Sending work to Celery after a transaction commits, robustly: the one way every
``transaction.on_commit`` enqueue goes (order e-mails, search index upkeep, Stripe event
processing and refunds, Wagtail's django-tasks, demo renditions).

With no broker (``CELERY_TASK_ALWAYS_EAGER``) nothing changes: the task runs in-process
at commit, exactly as ``task.delay`` did. With a broker, the message is published without
asking for a result (a web process never waits for one, and subscribing to results is
what made a send hang ~19 s and then raise when Redis was away). If the broker cannot
take the message — Redis stopped, restarting, unreachable — the request that committed
the work is not turned into an error page and the work is not dropped: the message is
stored as a ``PendingTask`` row, a warning is logged, and the beat task
``core.resend_pending_tasks`` (every minute) sends it once the broker answers.

Delivery is at least once: a message whose send failed half-way may arrive twice, so
tasks sent this way must be safe to run twice (they are: each locks and checks its row,
or rewrites the same index entries, or is an e-mail)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import current_app
from django.db import transaction

from .models import PendingTask

logger = logging.getLogger(__name__)

# A beat run sends at most this many kept messages; the next run takes the rest.
RESEND_BATCH = 500


def enqueue_after_commit(task, args: Iterable = (), kwargs: dict | None = None, *, robust: bool = False) -> None:
    """Send ``task(*args, **kwargs)`` to Celery once the current transaction commits (at
    once outside one). ``robust`` as for ``transaction.on_commit``: with eager Celery, an
    error of the task itself is logged instead of raised into the caller."""
    args, kwargs = list(args), dict(kwargs or {})
    transaction.on_commit(lambda: send_or_keep(task, args, kwargs), robust=robust)


def send_or_keep(task, args: list, kwargs: dict) -> None:
    """Send now; if the broker cannot take it, keep it for ``resend_pending_tasks``.
    For code that already runs after commit (e.g. a batch gathered per transaction)."""
    if task.app.conf.task_always_eager:
        task.apply_async(args, kwargs)  # in-process, errors propagate as with task.delay
        return
    try:
        task.apply_async(args, kwargs, ignore_result=True)
    except Exception as exc:  # kombu's OperationalError and whatever else stopped the send
        row = PendingTask.objects.create(task_name=task.name, args=args, kwargs=kwargs, last_error=repr(exc)[:2000])
        logger.warning("broker unreachable, %s kept as pending task %s for re-sending: %s", task.name, row.pk, exc)


def resend_pending(limit: int = RESEND_BATCH) -> int:
    """Send kept messages, oldest first; stop at the first that the broker still refuses.
    Returns how many were sent. Two runs at once skip each other's rows."""
    sent = 0
    for pk in list(PendingTask.objects.order_by("pk").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            row = PendingTask.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is None:
                continue
            task = current_app.tasks.get(row.task_name)
            try:
                if task is None:  # not imported in this process: by name
                    current_app.send_task(row.task_name, args=row.args, kwargs=row.kwargs, ignore_result=True)
                else:
                    task.apply_async(row.args, row.kwargs, ignore_result=True)
            except Exception as exc:
                row.attempts += 1
                row.last_error = repr(exc)[:2000]
                row.save(update_fields=["attempts", "last_error"])
                waiting = PendingTask.objects.count()
                logger.warning("broker still unreachable, %d pending task(s) wait: %s", waiting, exc)
                break
            row.delete()
            sent += 1
    if sent:
        logger.info("re-sent %d pending task(s)", sent)
    return sent
