"""Reads of batches for the apps above (orders at shipping, certification, reports).

Functions here (from batch to buyer, certification): ``trace_url``, ``open_batches``,
``batches_with_inspections``."""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import Batch, InspectionReport


def trace_url(code: str) -> str:
    """The public trace page of a batch or unit code (溯源): ``/trace/<code>/``."""
    return f"/trace/{code}/"


def open_batches(product_ids, *, today: dt.date | None = None) -> QuerySet[Batch]:
    """The batches of these products that may still be shipped from: not closed, produced
    on or before ``today`` (Asia/Shanghai), oldest first (the order shipping proposes them in)."""
    today = today or timezone.localdate()
    return Batch.objects.filter(
        product_id__in=list(product_ids), closed_at__isnull=True, produced_on__lte=today
    ).order_by("produced_on", "pk")


def batches_with_inspections(product_id: int) -> list[Batch]:
    """A product's batches, newest first, each with its inspection reports (``inspections``)
    prefetched: two queries whatever their number (certification shows them)."""
    return list(
        Batch.objects.filter(product_id=product_id)
        .select_related("origin")
        .prefetch_related(Prefetch("inspections", queryset=InspectionReport.objects.order_by("-inspected_on", "-pk")))
        .order_by("-produced_on", "-pk")
    )
