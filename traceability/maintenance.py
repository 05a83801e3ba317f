"""Removing batches wholesale (the demo's ``--reset``); never used on live data."""

from django.db import transaction

from .models import Batch, BatchSupplier, InspectionReport, UnitCode


@transaction.atomic
def purge_batches_of_products(product_ids: list[int]) -> int:
    """Delete the batches of these products with their suppliers, unit codes and inspection
    reports (their private files too). Order lines packed from them must be gone first.
    Returns how many batches went."""
    batches = Batch.objects.filter(product_id__in=product_ids)
    reports = InspectionReport.objects.filter(batch__in=batches)
    names = list(reports.values_list("file", flat=True))
    reports.delete()
    UnitCode.objects.filter(batch__in=batches).delete()
    BatchSupplier.objects.filter(batch__in=batches).delete()
    deleted, _ = batches.delete()
    storage = InspectionReport._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names if name])
    return deleted
