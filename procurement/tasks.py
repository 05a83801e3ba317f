"""The procurement app's Celery tasks (found by Celery's autodiscovery of ``tasks``)."""

from .notify import remind_payments_due_task, send_invitation, tell_approvers, tell_purchaser

__all__ = ["remind_payments_due_task", "send_invitation", "tell_approvers", "tell_purchaser"]
