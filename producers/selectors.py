"""Reads of producers' data."""

from datetime import datetime

from django.utils import timezone

from .models import BenefitLinkage


def linkage_in_force(product, at: datetime | None = None) -> BenefitLinkage | None:
    """The linkage version of ``product`` in force at ``at`` (now by default)."""
    return (
        BenefitLinkage.objects.in_force_at(at or timezone.now())
        .filter(product=product)
        .prefetch_related("shares")
        .order_by("-version")
        .first()
    )


def benefited_household_count(product, at: datetime | None = None) -> int:
    """How many households the linkage in force benefits: a count, never names."""
    linkage = linkage_in_force(product, at)
    if linkage is None:
        return 0
    return sum(1 for share in linkage.shares.all() if share.household_id)
