"""The procurement app's Celery tasks (found by Celery's autodiscovery of ``tasks``)."""

from .notify import send_invitation

__all__ = ["send_invitation"]
