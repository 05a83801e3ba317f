from celery import shared_task

from . import services


@shared_task(name="aftersales.move_overdue")
def move_overdue() -> int:
    """Beat: requests past their deadline go to the platform or close (``services.move_overdue``)."""
    return services.move_overdue()
