"""Removing live events wholesale (the demo's ``--reset``); never used on live data."""

from django.db import transaction
from django.db.models import Q

from .models import LiveEvent


@transaction.atomic
def purge_events_of_shops(shop_ids: list[int]) -> int:
    """Delete every event these shops take part in or whose products it features — with
    its featured products, viewer samples and tokens. Their orders must be gone first
    (``demo/builder.py`` removes them first): order lines and ledger entries
    keep events from being deleted. Returns how many events went."""
    ids = list(
        LiveEvent.objects.filter(Q(shops__in=shop_ids) | Q(featured__product__shop__in=shop_ids))
        .values_list("pk", flat=True)
        .distinct()
    )
    LiveEvent.objects.filter(pk__in=ids).delete()
    return len(ids)
