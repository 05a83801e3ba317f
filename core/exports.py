"""Tabular exports (CSV for any spreadsheet, XLSX through openpyxl) sharing one row model."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """Stream CSV with a UTF-8 BOM so spreadsheet programs read the Chinese right."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    widths = [max(8, len(str(h)) * 2 + 2) for h in header]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


PDF_FONT = "STSong-Light"


def pdf_font() -> str:
    """The font of the PDFs made here, registered once: ReportLab's built-in Chinese CID font
    (STSong-Light), so no font file is needed. Returns its name for ``setFont`` and styles."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    return PDF_FONT


def table_pdf(
    title: str, intro: Sequence[str], tables: Sequence[tuple[str, Sequence[str], Sequence[Sequence]]]
) -> bytes:
    """An A4 PDF: a title, lines of introduction, then one titled table per
    ``(heading, header, rows)``, in the Chinese font of ``pdf_font``."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = pdf_font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=6)
    text_style = ParagraphStyle("text", fontName=font, fontSize=9.5, leading=14)
    heading_style = ParagraphStyle("heading", fontName=font, fontSize=12, leading=18, spaceBefore=8)
    story = [Paragraph(title, title_style)]
    story += [Paragraph(line, text_style) for line in intro]
    for heading, header, rows in tables:
        story += [Spacer(1, 4 * mm), Paragraph(heading, heading_style)]
        data = [list(header)] + [[str(cell) for cell in row] for row in rows]
        if len(data) == 1:
            data.append(["—"] + [""] * (len(header) - 1))
        table = Table(data, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3ece4")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b9a99a")),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ]
            )
        )
        story.append(table)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=title, leftMargin=16 * mm, rightMargin=16 * mm).build(story)
    return buf.getvalue()
