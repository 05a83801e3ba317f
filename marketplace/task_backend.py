"""A django-tasks backend that hands Wagtail's background work to Celery.

Wagtail 8 enqueues its own work (reference index updates, file deletion) through
django-tasks. Rather than run a second queue and a second kind of worker beside Celery,
this backend forwards each django-tasks task to one generic Celery task, so the same
workers run both. With no broker configured Celery is eager, and the task runs in-process
at once, exactly like django-tasks' immediate backend.
"""

from celery import shared_task
from django.utils.module_loading import import_string
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.exceptions import InvalidTaskError
from django_tasks.utils import get_random_id

from core.background import enqueue_after_commit


@shared_task(name="marketplace.run_django_task", ignore_result=True)
def run_django_task(module_path: str, args: list, kwargs: dict) -> None:
    task = import_string(module_path)
    task.call(*args, **kwargs)


class CeleryTaskBackend(ImmediateBackend):
    supports_priority = True
    supports_async_task = False

    def validate_task(self, task) -> None:
        super().validate_task(task)
        if task.takes_context:
            raise InvalidTaskError("Tasks run through Celery cannot take a django-tasks context.")

    def enqueue(self, task, args, kwargs) -> TaskResult:
        from django.conf import settings

        if settings.CELERY_TASK_ALWAYS_EAGER:
            return super().enqueue(task, args, kwargs)
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        # Send after commit, so the worker sees the rows the task is about (kept and
        # re-sent if the broker is away: core.background).
        enqueue_after_commit(run_django_task, (task.module_path, list(args), dict(kwargs)))
        return result
