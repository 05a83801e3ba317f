"""Traceability for the demo (issue 21): a production batch of every demo product, from its
producer's village, with the households and collectives of the linkage in force on its
production day as suppliers and a passed inspection report (a small PDF made here); one
batch also has a sheet of numbered unit codes. Rows are written in bulk (a few queries for
all of them); deterministic for a seed, except the codes, which are drawn at random."""

import datetime as dt
import io
import random
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from producers.models import Region
from traceability.models import BATCH_CODE_LENGTH, Batch, BatchSupplier, InspectionReport
from traceability.selectors import linkage_beneficiaries, linkage_for_batch
from traceability.services import make_unit_codes, new_code

AGENCIES = ["菏泽市农产品质量安全检测中心", "聊城市食品药品检验检测中心", "山东省农产品质量安全检验检测中心"]
PLACES = ["村东沙土地基地", "合作社标准化种植基地", "扶贫车间一号生产线", ""]
DEMO_UNIT_CODES = 24


@dataclass
class TraceDemo:
    batches: int = 0
    suppliers: int = 0
    reports: int = 0
    unit_codes: int = 0
    unit_batch: Batch | None = None
    recall_batch: Batch | None = None  # shipped to a few buyers, then recalled (demo/recall.py)


def inspection_pdf(batch: Batch, agency: str) -> bytes:
    """A one-page inspection report (检测报告) in the demo's Chinese font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from core.exports import pdf_font

    font = pdf_font()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    pdf.setFont(font, 18)
    pdf.drawString(72, 760, "检验检测报告（演示）")
    pdf.setFont(font, 11)
    lines = [
        f"检测机构：{agency}",
        f"样品：{batch.product.title}",
        f"批次溯源码：{batch.code}",
        f"采收或生产日期：{batch.produced_on:%Y-%m-%d}",
        "检测项目：农药残留、重金属、微生物",
        "检测结论：所检项目符合食品安全国家标准，合格。",
    ]
    for i, line in enumerate(lines):
        pdf.drawString(72, 720 - i * 22, line)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def make_demo_batches(products, users, *, seed: int) -> TraceDemo:
    """A batch of each of ``products`` (producer, shop and region selected), by the shop's
    operator (``users``: the demo's users by username; operators found by shop)."""
    rng = random.Random(seed * 7919 + 21)
    today = timezone.localdate()
    products = list(products)
    operators = {}
    for user in users.values():
        for shop_id in user.operated_shops.values_list("pk", flat=True):
            operators.setdefault(shop_id, user)
    codes: set[str] = set()
    while len(codes) < len(products):
        codes.add(new_code(BATCH_CODE_LENGTH))
        if len(codes) == len(products):  # one query for all: drop any code already in use, draw again
            codes -= set(Batch.objects.filter(code__in=codes).values_list("code", flat=True))
    batches = []
    for product, code in zip(products, sorted(codes), strict=True):
        region = product.producer.region
        origin = region if region.level == Region.Level.VILLAGE else product.shop.region
        batches.append(
            Batch(
                product=product,
                producer=product.producer,
                code=code,
                origin=origin,
                origin_place=rng.choice(PLACES),
                produced_on=today - dt.timedelta(days=rng.randint(3, 40)),
                quantity=rng.choice([120, 200, 300, 500, 800]),
                shelf_life_days=rng.choice([15, 30, 180, 365, 540]),
                notes="",
                created_by=operators.get(product.shop_id),
            )
        )
    batches = Batch.objects.bulk_create(batches)
    suppliers, reports = [], []
    for batch in batches:
        households, collectives = linkage_beneficiaries(linkage_for_batch(batch.product, batch.produced_on))
        suppliers += [BatchSupplier(batch=batch, household_id=pk) for pk in sorted(households)]
        suppliers += [BatchSupplier(batch=batch, collective_id=pk) for pk in sorted(collectives)]
        agency = rng.choice(AGENCIES)
        reports.append(
            InspectionReport(
                batch=batch,
                agency=agency,
                inspected_on=batch.produced_on + dt.timedelta(days=rng.randint(1, 3)),
                result=InspectionReport.Result.PASSED,
                file=ContentFile(inspection_pdf(batch, agency), name=f"{batch.code}.pdf"),
                original_name=f"检测报告-{batch.code}.pdf",
                content_type="application/pdf",
                uploaded_by=batch.created_by,
            )
        )
    BatchSupplier.objects.bulk_create(suppliers)
    InspectionReport.objects.bulk_create(reports)
    result = TraceDemo(batches=len(batches), suppliers=len(suppliers), reports=len(reports))
    if batches:
        result.unit_batch = batches[0]
        result.unit_codes = len(make_unit_codes(batches[0], DEMO_UNIT_CODES))
    return result
