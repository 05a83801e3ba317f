"""Writes of batches: recording and editing one, its suppliers, inspection reports, closing
it, numbered unit codes and scans."""

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from core.errors import DomainError
from core.uploads import check_upload
from producers.models import Region

from .hooks import shipped_units
from .models import (
    BATCH_CODE_LENGTH,
    CODE_ALPHABET,
    UNIT_CODE_LENGTH,
    Batch,
    BatchSupplier,
    InspectionReport,
    UnitCode,
)
from .selectors import find_code, linkage_beneficiaries, linkage_for_batch

MAX_UNIT_CODES = 2000  # per request: a label sheet's worth is a few hundred
CODE_ATTEMPTS = 8  # a clash among 32^10 codes is rare; eight in a row means something is wrong


def new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _check_fields(product, producer, origin: Region, quantity: int, shelf_life_days: int) -> None:
    if producer.shop_id != product.shop_id:
        raise DomainError(gettext("生产主体必须属于该产品所在的网店。"))
    if origin.level != Region.Level.VILLAGE:
        raise DomainError(gettext("产地须选到村（社区）一级。"))
    if quantity < 1:
        raise DomainError(gettext("批次数量至少为 1。"))
    if shelf_life_days < 1:
        raise DomainError(gettext("保质期至少为 1 天。"))


@transaction.atomic
def create_batch(
    product,
    *,
    origin: Region,
    produced_on: dt.date,
    quantity: int,
    shelf_life_days: int,
    producer=None,
    origin_place: str = "",
    notes: str = "",
    by=None,
) -> Batch:
    """Record a production batch with a new trace code. Its suppliers are the households and
    collectives of the product's linkage in force on the production day (adjust them with
    ``set_suppliers``)."""
    producer = producer or product.producer
    _check_fields(product, producer, origin, quantity, shelf_life_days)
    for _attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():  # a savepoint: a clash of codes rolls back this row only
                batch = Batch.objects.create(
                    product=product,
                    producer=producer,
                    code=new_code(BATCH_CODE_LENGTH),
                    origin=origin,
                    origin_place=origin_place,
                    produced_on=produced_on,
                    quantity=quantity,
                    shelf_life_days=shelf_life_days,
                    notes=notes,
                    created_by=by,
                )
            break
        except IntegrityError:
            continue
    else:
        raise DomainError(gettext("未能生成不重复的溯源码，请重试。"))
    households, collectives = linkage_beneficiaries(linkage_for_batch(product, produced_on))
    _write_suppliers(batch, households, collectives)
    return batch


@transaction.atomic
def update_batch(batch: Batch, **changes) -> Batch:
    """Change a batch's fields (not its product or code). The quantity may not go below the
    units already shipped from it (``hooks.shipped_units``)."""
    allowed = {"producer", "origin", "origin_place", "produced_on", "quantity", "shelf_life_days", "notes"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not a batch field one may change: {sorted(unknown)}")
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    for name, value in changes.items():
        setattr(locked, name, value)
    _check_fields(locked.product, locked.producer, locked.origin, locked.quantity, locked.shelf_life_days)
    shipped = shipped_units(locked.pk)
    if locked.quantity < shipped:
        raise DomainError(gettext("批次数量不能少于已从该批次发出的 %(shipped)d 件。") % {"shipped": shipped})
    locked.save()
    return locked


@transaction.atomic
def set_suppliers(batch: Batch, *, household_ids, collective_ids) -> None:
    """The households and collectives that supplied ``batch``: only beneficiaries of the
    linkage in force on its production day may be named."""
    households, collectives = linkage_beneficiaries(linkage_for_batch(batch.product, batch.produced_on))
    household_ids, collective_ids = {int(pk) for pk in household_ids}, {int(pk) for pk in collective_ids}
    if not household_ids <= households or not collective_ids <= collectives:
        raise DomainError(gettext("供货户只能从该产品生产日期当时生效的利益联结的受益对象中选择。"))
    BatchSupplier.objects.filter(batch=batch).delete()
    _write_suppliers(batch, household_ids, collective_ids)


def _write_suppliers(batch: Batch, household_ids, collective_ids) -> None:
    BatchSupplier.objects.bulk_create(
        [BatchSupplier(batch=batch, household_id=pk) for pk in sorted(household_ids)]
        + [BatchSupplier(batch=batch, collective_id=pk) for pk in sorted(collective_ids)]
    )


@transaction.atomic
def add_inspection(batch: Batch, upload, *, agency: str, inspected_on: dt.date, result: str, by=None):
    """Attach an inspection report: a PDF or a picture, judged by its content."""
    if result not in InspectionReport.Result.values:
        raise DomainError(gettext("检测结论无效。"))
    checked = check_upload(upload)
    return InspectionReport.objects.create(
        batch=batch,
        agency=agency,
        inspected_on=inspected_on,
        result=result,
        file=checked.file,
        original_name=checked.original_name,
        content_type=checked.content_type,
        uploaded_by=by,
    )


def close_batch(batch: Batch) -> bool:
    """Close a batch (no longer offered at shipping). False if it was closed already."""
    closed = Batch.objects.filter(pk=batch.pk, closed_at__isnull=True).update(closed_at=timezone.now())
    batch.refresh_from_db(fields=["closed_at"])
    return bool(closed)


@transaction.atomic
def make_unit_codes(batch: Batch, count: int) -> list[UnitCode]:
    """``count`` (1–2,000) new numbered unit codes of ``batch``, serials continuing from the
    last one. The batch row is locked so that two requests never number the same serial."""
    if not 1 <= count <= MAX_UNIT_CODES:
        raise DomainError(gettext("每次可生成 1 至 %(max)d 个单品码。") % {"max": MAX_UNIT_CODES})
    Batch.objects.select_for_update().filter(pk=batch.pk).first()
    last = UnitCode.objects.filter(batch=batch).aggregate(last=Max("serial"))["last"] or 0
    for _attempt in range(CODE_ATTEMPTS):
        codes: set[str] = set()
        while len(codes) < count:
            codes.add(new_code(UNIT_CODE_LENGTH))
        taken = set(UnitCode.objects.filter(code__in=codes).values_list("code", flat=True))
        if taken:
            continue
        try:
            with transaction.atomic():
                return UnitCode.objects.bulk_create(
                    [UnitCode(batch=batch, serial=last + i, code=code) for i, code in enumerate(sorted(codes), start=1)]
                )
        except IntegrityError:  # one made at the same moment by another request
            continue
    raise DomainError(gettext("未能生成不重复的单品码，请重试。"))


def record_scan(code: str):
    """Count one scan of a batch code or a unit code in one UPDATE (no lost counts between
    two scans at once); the first scan's time is set once and kept. Returns
    ``(batch, unit)`` as read after the scan, or None for an unknown code."""
    found = find_code(code)
    if found is None:
        return None
    batch, unit = found
    now = timezone.now()
    if unit is not None:
        UnitCode.objects.filter(pk=unit.pk).update(
            scan_count=F("scan_count") + 1,
            first_scanned_at=Coalesce(F("first_scanned_at"), Value(now)),
            last_scanned_at=now,
        )
        unit.refresh_from_db(fields=["scan_count", "first_scanned_at", "last_scanned_at"])
    else:
        Batch.objects.filter(pk=batch.pk).update(
            scan_count=F("scan_count") + 1,
            first_scanned_at=Coalesce(F("first_scanned_at"), Value(now)),
        )
        batch.refresh_from_db(fields=["scan_count", "first_scanned_at"])
    return batch, unit
