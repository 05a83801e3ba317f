"""The ledger world (tests/worlds.py) with a batch of each shop: the yam of 单县 (shop A;
three households and the village collective share its linkage) and the peony oil of 成武县
(shop B; one household)."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from traceability import hooks
from traceability.services import create_batch


def pdf_bytes(text: str = "inspection") -> bytes:
    """A small valid one-page PDF."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


@pytest.fixture
def trace_world(ledger_world):
    w = ledger_world
    w.operator_a.phone = "13800138000"
    w.operator_a.save(update_fields=["phone"])
    today = timezone.localdate()
    w.batch_a = create_batch(
        w.yam,
        origin=w.village_a,
        origin_place="浮岗镇东沙土地基地",
        produced_on=today,
        quantity=200,
        shelf_life_days=30,
        by=w.operator_a,
    )
    w.batch_b = create_batch(
        w.oil, origin=w.village_b, produced_on=today - dt.timedelta(days=0), quantity=80, shelf_life_days=540
    )
    return w


@pytest.fixture
def shipped_hook():
    """Register another answer for ``hooks.shipped_units`` for one test, and put back the one
    orders registered at start-up after it."""
    registered = hooks._shipped_units
    yield hooks.register_shipped_units
    hooks.register_shipped_units(registered)
