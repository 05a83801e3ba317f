"""Celery tasks of buying: lapse unpaid reservations (beat). The order e-mail task lives
with the e-mails (``emails.send_order_email``); importing it here registers it with workers."""

import logging

from celery import shared_task

from .emails import send_order_email
from .services import expire_unpaid_orders as _expire

__all__ = ["expire_unpaid_orders", "send_order_email"]

logger = logging.getLogger(__name__)


@shared_task(name="orders.expire_unpaid_orders")
def expire_unpaid_orders() -> int:
    """Cancel orders past their payment window and return their stock."""
    count = _expire()
    if count:
        logger.info("cancelled %d unpaid orders past their payment window", count)
    return count
