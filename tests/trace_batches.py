"""Batches (traceability) for the tests of shipping from a batch, recalls, after-sales,
certification and the 溯源 report: ``make_batch`` and ``ship_parcel``."""

import datetime as dt
import itertools

from django.utils import timezone

from traceability.models import Batch, InspectionReport

_codes = itertools.count(1)


def make_batch(product, *, quantity=100, days_ago=10, closed=False, code=None, **fields) -> Batch:
    """A batch of ``product`` produced ``days_ago`` days ago (negative: not yet) in its
    shop's village, by its producer."""
    return Batch.objects.create(
        product=product,
        producer=product.producer,
        code=code or f"TB{next(_codes):08d}",
        origin=product.shop.region,
        produced_on=timezone.localdate() - dt.timedelta(days=days_ago),
        quantity=quantity,
        shelf_life_days=90,
        closed_at=timezone.now() if closed else None,
        **fields,
    )


def add_inspection(batch, *, agency="菏泽市农产品质量检测中心", days_ago=5, result="passed") -> InspectionReport:
    return InspectionReport.objects.create(
        batch=batch,
        agency=agency,
        inspected_on=timezone.localdate() - dt.timedelta(days=days_ago),
        result=result,
        file=f"inspections/test/{batch.code}.pdf",
        original_name=f"{batch.code}.pdf",
        content_type="application/pdf",
    )


def ship_parcel(suborder, by, *, batches=None, carrier="顺丰速运", tracking_number="SF1000"):
    """Ship a paid parcel through the real service as its shop's operator (or an admin)."""
    from core.scoping import is_platform_admin
    from orders.services import apply_transition
    from orders.transitions import Actor, Target

    return apply_transition(
        Target.SUBORDER,
        suborder.pk,
        "ship",
        by=by,
        actor=Actor.ADMIN if is_platform_admin(by) else Actor.OPERATOR,
        carrier=carrier,
        tracking_number=tracking_number,
        batches=batches or {},
    )
