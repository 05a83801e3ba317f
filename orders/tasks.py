"""Celery tasks of buying: lapse unpaid reservations (beat) and send order emails."""

import logging

from celery import shared_task

from .emails import send_order_email as _send
from .services import expire_unpaid_orders as _expire

logger = logging.getLogger(__name__)


@shared_task(name="orders.expire_unpaid_orders")
def expire_unpaid_orders() -> int:
    """Cancel orders past their payment window and return their stock."""
    count = _expire()
    if count:
        logger.info("cancelled %d unpaid orders past their payment window", count)
    return count


@shared_task(name="orders.send_order_email")
def send_order_email(kind: str, order_id: int, **extra) -> None:
    _send(kind, order_id, **extra)
