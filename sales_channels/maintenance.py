"""Removing offline sales and pairings wholesale (the demo's ``--reset``); never used on live data."""

from django.db import transaction

from .models import Campaign, IntakeBatch, OfflinePoint, OfflineSale, Pairing


@transaction.atomic
def purge_offline_sales_of_orders(order_ids: list[int]) -> int:
    """Delete the offline rows booked as these orders (refund rows before their sales),
    before the orders' refunds and the orders themselves go. Returns how many rows went."""
    rows = OfflineSale.objects.filter(order_id__in=order_ids)
    refunds, _ = rows.filter(kind=OfflineSale.Kind.REFUND).delete()
    sales, _ = rows.delete()
    return refunds + sales


@transaction.atomic
def purge_points(codes: list[str]) -> int:
    """Delete these offline points with their batches (their rows must be gone first)."""
    IntakeBatch.objects.filter(point__code__in=codes).delete()
    deleted, _ = OfflinePoint.objects.filter(code__in=codes).delete()
    return deleted


@transaction.atomic
def purge_pairings(names: list[str]) -> int:
    """Delete the pairings of these names, with the campaigns run under them (no ledger
    entry may still count under them)."""
    Campaign.objects.filter(pairing__name__in=names).delete()
    deleted, _ = Pairing.objects.filter(name__in=names).delete()
    return deleted
