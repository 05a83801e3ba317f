"""The procurement app's Celery tasks (found by Celery's autodiscovery of ``tasks``)."""

from .notify import send_invitation, tell_approvers, tell_purchaser

__all__ = ["send_invitation", "tell_approvers", "tell_purchaser"]
