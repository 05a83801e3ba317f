"""Reads of certification data: the public catalogue and what each viewer may see."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from catalog.selectors import category_tree
from core.days import day_bounds

from .models import Certificate


def certified_now_filter(product_ref: str = "pk") -> Exists:
    """An ``Exists`` that is true for a product holding a certificate valid today
    (Asia/Shanghai). Used by the storefront's listing query, so a revoked or lapsed
    certificate hides the product at once."""
    return Exists(Certificate.objects.valid_now().filter(product_id=OuterRef(product_ref)))


def current_certificate(product) -> Certificate | None:
    return Certificate.objects.valid_now().filter(product=product).order_by("-valid_until").first()


def certificate_at(product, at) -> Certificate | None:
    """The certificate ``product`` held at the moment ``at`` (``valid_at``), or None."""
    return Certificate.objects.valid_at(at).filter(product=product).order_by("-valid_until").first()


@dataclass(frozen=True)
class CatalogueFilters:
    region_code: str = ""
    category_slug: str = ""
    bureau_id: int | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None


def catalogue(filters: CatalogueFilters) -> QuerySet[Certificate]:
    """The public catalogue (扶贫产品目录): certificates valid today with their product,
    filtered by the producer's region (code prefix), category (with sub-categories),
    issuing bureau and issue date (Asia/Shanghai days, inclusive)."""
    qs = Certificate.objects.valid_now().select_related("product__category", "producer__region", "bureau")
    if filters.region_code:
        qs = qs.filter(producer__region__code__startswith=filters.region_code)
    if filters.category_slug:
        tree = category_tree()  # kept in the cache: no query
        chosen = [c for group in tree.values() for c in group if c.slug == filters.category_slug]
        cat_ids = [c.pk for c in chosen] + [child.pk for c in chosen for child in tree.get(c.pk, [])]
        qs = qs.filter(product__category_id__in=cat_ids)
    if filters.bureau_id:
        qs = qs.filter(bureau_id=filters.bureau_id)
    lo, hi = day_bounds(filters.issued_from, filters.issued_to)
    if lo:
        qs = qs.filter(issued_at__gte=lo)
    if hi:
        qs = qs.filter(issued_at__lt=hi)
    return qs.order_by("-issued_at", "-pk")
