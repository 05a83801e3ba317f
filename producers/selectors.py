"""Reads of producers' data."""

from datetime import datetime

from django.utils import timezone

from core.scoping import VIEW, scope_queryset

from .models import BenefitLinkage, Household, Region


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


def region_paths(regions) -> dict[str, str]:
    """Full names ("山东省 菏泽市 单县 浮岗镇 朱楼村") for many regions in one query,
    keyed by region code."""
    regions = list({r.code: r for r in regions if r is not None}.values())
    codes = {c for r in regions for c in r.ancestors_codes()}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    out = {}
    for r in regions:
        parts = [names[c] for c in r.ancestors_codes() if c in names and names[c] != "市辖区"]
        out[r.code] = " ".join(parts + [r.name])
    return out


def households_in_scope(user, ids) -> set[int]:
    """Which of the households ``ids`` lie in ``user``'s row scope: the viewers entitled
    to their full name and registration number (everybody else sees them masked)."""
    ids = [pk for pk in ids if pk]
    if not ids:
        return set()
    return set(scope_queryset(Household.objects.filter(pk__in=ids), user, VIEW).values_list("pk", flat=True))
