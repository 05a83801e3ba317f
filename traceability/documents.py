"""The label sheet (标签页): A4 pages of labels to print and stick on boxes, each with the QR
code of its trace page (``core.qr``), the code in text, the product and the batch date, and
each a link to the same page when the sheet is read on screen. One label for the batch
code, or one numbered label per unit code."""

import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext

from core import qr
from core.exports import pdf_font

from . import selectors
from .models import Batch, UnitCode

COLUMNS, ROWS = 3, 7
LABELS_PER_PAGE = COLUMNS * ROWS


def trace_url(code: str) -> str:
    """The absolute address a label's QR code leads to."""
    return settings.SITE_URL.rstrip("/") + selectors.trace_url(code)


@dataclass(frozen=True)
class Label:
    code: str
    serial: int | None  # a unit code's number; None for the batch's own label


def _draw_qr(pdf, url: str, x: float, y: float, side: float) -> None:
    """The QR code of ``url`` as filled runs, its lower left corner at (x, y)."""
    size, runs = qr.dark_runs(url)
    module = side / size
    path = pdf.beginPath()
    for row, col, length in runs:
        path.rect(x + col * module, y + side - (row + 1) * module, length * module, module)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.drawPath(path, stroke=0, fill=1)


def label_sheet_pdf(batch: Batch, units: list[UnitCode] | None = None) -> bytes:
    """The A4 label sheet of ``batch``: its own label, or one per unit code of ``units``."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    labels = [Label(u.code, u.serial) for u in units] if units else [Label(batch.code, None)]
    font = pdf_font()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    pdf.setTitle(gettext("溯源标签 %(code)s") % {"code": batch.code})
    page_w, page_h = A4
    margin_x, margin_y = 8 * mm, 10 * mm
    cell_w = (page_w - 2 * margin_x) / COLUMNS
    cell_h = (page_h - 2 * margin_y) / ROWS
    qr_side = cell_h - 8 * mm
    title = batch.product.title
    lines = [title[:9], title[9:18] + ("…" if len(title) > 18 else "")] if len(title) > 9 else [title]
    batch_line = gettext("批次 %(date)s") % {"date": batch.produced_on.strftime("%Y-%m-%d")}
    for index, label in enumerate(labels):
        slot = index % LABELS_PER_PAGE
        if index and slot == 0:
            pdf.showPage()
        col, row = slot % COLUMNS, slot // COLUMNS
        x = margin_x + col * cell_w
        y = page_h - margin_y - (row + 1) * cell_h
        pdf.setLineWidth(0.3)
        pdf.setDash(2, 2)
        pdf.rect(x + 1 * mm, y + 1 * mm, cell_w - 2 * mm, cell_h - 2 * mm)
        pdf.setDash()
        url = trace_url(label.code)
        _draw_qr(pdf, url, x + 4 * mm, y + 4 * mm, qr_side)
        # The whole label is also a link: a sheet opened on screen leads where a phone's
        # scan of the printed label does.
        pdf.linkURL(url, (x + 1 * mm, y + 1 * mm, x + cell_w - 1 * mm, y + cell_h - 1 * mm), relative=0, thickness=0)
        text_x = x + 6 * mm + qr_side
        top = y + cell_h - 8 * mm
        pdf.setFont(font, 8)
        for i, line in enumerate(lines):
            pdf.drawString(text_x, top - i * 3.6 * mm, line)
        pdf.drawString(text_x, top - 8 * mm, batch_line)
        pdf.setFont("Helvetica-Bold", 8.5)
        pdf.drawString(text_x, top - 13 * mm, label.code)
        if label.serial is not None:
            pdf.setFont("Helvetica", 8)
            pdf.drawString(text_x, top - 17.5 * mm, f"No. {label.serial:04d}")
        pdf.setFont(font, 6.5)
        pdf.drawString(text_x, y + 4.5 * mm, gettext("扫码查看产地与检测"))
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
