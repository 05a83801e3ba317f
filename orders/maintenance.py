"""Wiping orders, for ``load_demo --reset`` only (``demo/builder.py`` removes the rows that
point at them — ledger entries, payments — first)."""

from django.db import transaction

from .models import CartItem, Order, OrderEvent, OrderLine, RecallNotice, Review, ReviewPhoto, SubOrder

CHUNK = 2000


def orders_of_shops(shop_ids: list[int]) -> list[int]:
    """Every order with a sub-order of these shops."""
    return list(SubOrder.objects.filter(shop_id__in=shop_ids).values_list("order_id", flat=True).distinct())


@transaction.atomic
def purge_orders(order_ids: list[int], shop_ids: list[int]) -> None:
    """Delete these orders with their history and reviews (photo files too), the cart items
    of these shops' products and the recall notices of their batches."""
    CartItem.objects.filter(product__shop_id__in=shop_ids).delete()
    RecallNotice.objects.filter(batch__product__shop_id__in=shop_ids).delete()
    for start in range(0, len(order_ids), CHUNK):
        part = order_ids[start : start + CHUNK]
        OrderEvent.objects.filter(order_id__in=part).delete()
        for photo in ReviewPhoto.objects.filter(review__line__suborder__order_id__in=part):
            photo.file.delete(save=False)
        Review.objects.filter(line__suborder__order_id__in=part).delete()
        OrderLine.objects.filter(suborder__order_id__in=part).delete()
        SubOrder.objects.filter(order_id__in=part).delete()
        Order.objects.filter(pk__in=part).delete()
