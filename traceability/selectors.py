"""Reads of batches: the linkage a batch's suppliers come from, what a trace page shows, and
for the apps above (orders at shipping, certification, reports) ``trace_url``,
``open_batches`` and ``batches_with_inspections``."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from core.days import day_start
from producers.models import BenefitLinkage
from producers.selectors import linkage_in_force, region_path_names

from .models import BATCH_CODE_LENGTH, CODE_ALPHABET, UNIT_CODE_LENGTH, Batch, InspectionReport, UnitCode

ALPHABET = frozenset(CODE_ALPHABET)


def normalise_code(code: str) -> str:
    """A code as typed or scanned: spaces and dashes dropped, letters in upper case."""
    return "".join(ch for ch in (code or "").upper() if ch not in " -")


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of ``day`` in Asia/Shanghai."""
    return day_start(day + dt.timedelta(days=1)) - dt.timedelta(microseconds=1)


def linkage_for_batch(product, produced_on: dt.date) -> BenefitLinkage | None:
    """The benefit linkage a batch's suppliers come from: the version of the product's
    linkage in force on the production day (at its end), shares prefetched."""
    return linkage_in_force(product, end_of_day(produced_on))


def linkage_beneficiaries(linkage: BenefitLinkage | None) -> tuple[set[int], set[int]]:
    """(household ids, collective ids) of ``linkage``'s shares (prefetched: no query)."""
    if linkage is None:
        return set(), set()
    shares = list(linkage.shares.all())
    return (
        {s.household_id for s in shares if s.household_id},
        {s.collective_id for s in shares if s.collective_id},
    )


@dataclass(frozen=True)
class Trace:
    """What the public trace page shows of a batch code or a unit code: never a name of a
    household, only how many supplied the batch."""

    batch: Batch
    unit: UnitCode | None
    origin_path: list[str]
    best_before: dt.date
    inspection: InspectionReport | None
    households: int
    collectives: int

    @property
    def code(self) -> str:
        return self.unit.code if self.unit else self.batch.code

    @property
    def scan_count(self) -> int:
        return self.unit.scan_count if self.unit else self.batch.scan_count

    @property
    def first_scanned_at(self) -> dt.datetime | None:
        return self.unit.first_scanned_at if self.unit else self.batch.first_scanned_at


def _batches():
    return Batch.objects.select_related("product", "producer", "origin")


def find_code(code: str) -> tuple[Batch, UnitCode | None] | None:
    """The batch (and unit code) a scanned code names, or None. Batch codes and unit codes
    differ in length, so the length says which table to read."""
    code = normalise_code(code)
    if not set(code) <= ALPHABET:  # no query for what no code can be (a NUL, an O, a 0)
        return None
    if len(code) == UNIT_CODE_LENGTH:
        unit = UnitCode.objects.filter(code=code).select_related("batch").first()
        if unit is None:
            return None
        return _batches().get(pk=unit.batch_id), unit
    if len(code) == BATCH_CODE_LENGTH:
        batch = _batches().filter(code=code).first()
        return (batch, None) if batch else None
    return None


def trace_of(batch: Batch, unit: UnitCode | None = None) -> Trace:
    counts = batch.suppliers.aggregate(
        households=Count("pk", filter=Q(household__isnull=False)),
        collectives=Count("pk", filter=Q(collective__isnull=False)),
    )
    return Trace(
        batch=batch,
        unit=unit,
        origin_path=region_path_names([batch.origin])[batch.origin.code],
        best_before=batch.produced_on + dt.timedelta(days=batch.shelf_life_days),
        inspection=batch.inspections.order_by("-inspected_on", "-pk").first(),
        households=counts["households"],
        collectives=counts["collectives"],
    )


def trace_url(code: str) -> str:
    """The public trace page of a batch or unit code (溯源): ``/trace/<code>/`` (a path;
    the label sheet prefixes SITE_URL)."""
    return reverse("trace", args=[code])


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
