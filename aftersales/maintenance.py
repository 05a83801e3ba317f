"""Wiping after-sales requests, for ``load_demo --reset`` only (``demo/builder.py``): the
requests of orders about to be deleted, with their lines, photos and steps. Their files
are removed with them."""

from django.db import transaction

from .models import AfterSale, AfterSalePhoto

CHUNK = 2000


@transaction.atomic
def purge_after_sales_of_orders(order_ids: list[int]) -> None:
    for start in range(0, len(order_ids), CHUNK):
        part = order_ids[start : start + CHUNK]
        for photo in AfterSalePhoto.objects.filter(after_sale__order_id__in=part):
            photo.file.delete(save=False)
        AfterSale.objects.filter(order_id__in=part).delete()  # lines, photos and steps cascade
