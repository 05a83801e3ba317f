"""Celery tasks of buying: lapse unpaid reservations and confirm receipt of parcels
shipped long ago (beat). The order e-mail task lives
with the e-mails (``emails.send_order_email``); importing it here registers it with workers."""

import logging

from celery import shared_task
from django.conf import settings

from .emails import send_order_email
from .services import auto_confirm_receipts as _auto_confirm
from .services import expire_unpaid_orders as _expire

__all__ = ["auto_confirm_receipts", "expire_unpaid_orders", "send_order_email"]

logger = logging.getLogger(__name__)


@shared_task(name="orders.expire_unpaid_orders")
def expire_unpaid_orders() -> int:
    """Cancel orders past their payment window and return their stock."""
    count = _expire()
    if count:
        logger.info("cancelled %d unpaid orders past their payment window", count)
    return count


@shared_task(name="orders.auto_confirm_receipts")
def auto_confirm_receipts() -> int:
    """Confirm receipt (系统自动确认收货) of sub-orders shipped AUTO_CONFIRM_DAYS days ago."""
    count = _auto_confirm()
    if count:
        logger.info("confirmed receipt of %d sub-orders shipped %d days ago or more", count, settings.AUTO_CONFIRM_DAYS)
    return count
