"""Wiping invoice requests, for ``load_demo --reset`` only (``demo/builder.py``): the requests
of orders about to be deleted, with their steps. Their files are removed with them."""

from django.db import transaction

from .models import Invoice

CHUNK = 2000


@transaction.atomic
def purge_invoices_of_orders(order_ids: list[int]) -> None:
    for start in range(0, len(order_ids), CHUNK):
        part = order_ids[start : start + CHUNK]
        for invoice in Invoice.objects.filter(order_id__in=part).exclude(file=""):
            invoice.file.delete(save=False)
        Invoice.objects.filter(order_id__in=part).delete()  # steps cascade
