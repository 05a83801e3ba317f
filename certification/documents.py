"""The certificate as a picture (PNG, Pillow) and as a document (PDF, ReportLab), each
with a QR code that opens the public verification page."""

import io
from functools import lru_cache
from pathlib import Path

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from .models import Certificate

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
]


class FontMissing(RuntimeError):
    pass


@lru_cache(maxsize=1)
def cjk_font_path() -> str:
    """A font file that has Chinese glyphs: CJK_FONT_PATH, else a known system font."""
    for candidate in [settings.CJK_FONT_PATH, *FONT_CANDIDATES]:
        if candidate and Path(candidate).is_file():
            return candidate
    raise FontMissing("未找到中文字体：请安装 fonts-wqy-zenhei，或设置 CJK_FONT_PATH。")


def verification_url(number: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("certificate_verify", args=[number])


def qr_png(number: str, scale: int = 8) -> bytes:
    buf = io.BytesIO()
    segno.make(verification_url(number), error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


QR_SCALE = 7  # pixels per module: pasted unscaled, so every module stays sharp for scanners


def qr_position(qr_size: tuple[int, int], page_size: tuple[int, int]) -> tuple[int, int]:
    """Top-left corner of the QR code: bottom right, inside the border."""
    return page_size[0] - 130 - qr_size[0], page_size[1] - 180 - qr_size[1]


def _lines(cert: Certificate) -> list[tuple[str, str]]:
    producer = cert.producer
    return [
        ("产品名称", cert.product.title),
        ("生产主体", producer.name),
        ("统一社会信用代码", producer.credit_code or "—"),
        ("产地", cert.producer.region.full_name()),
        ("认定部门", cert.bureau.name),
        ("有效期", f"{cert.valid_from:%Y年%m月%d日} 至 {cert.valid_until:%Y年%m月%d日}"),
    ]


def certificate_png(cert: Certificate) -> bytes:
    """A 1600×1130 certificate image with Chinese text and the verification QR code."""
    width, height = 1600, 1130
    red = (176, 32, 32)
    img = Image.new("RGB", (width, height), (255, 251, 240))
    draw = ImageDraw.Draw(img)
    draw.rectangle([24, 24, width - 25, height - 25], outline=red, width=8)
    draw.rectangle([44, 44, width - 45, height - 45], outline=(214, 160, 60), width=3)
    font_path = cjk_font_path()
    title_font = ImageFont.truetype(font_path, 76)
    label_font = ImageFont.truetype(font_path, 38)
    text_font = ImageFont.truetype(font_path, 40)
    small_font = ImageFont.truetype(font_path, 30)

    title = "扶贫产品认定证书"
    tw = draw.textlength(title, font=title_font)
    draw.text(((width - tw) / 2, 100), title, font=title_font, fill=red)
    number = f"证书编号：{cert.number}"
    nw = draw.textlength(number, font=small_font)
    draw.text(((width - nw) / 2, 205), number, font=small_font, fill=(80, 60, 40))

    y = 300
    lines = _lines(cert)
    value_x = 130 + max(draw.textlength(f"{label}：", font=label_font) for label, _ in lines) + 24
    for label, value in lines:
        draw.text((130, y), f"{label}：", font=label_font, fill=(90, 70, 50))
        draw.text((value_x, y), value, font=text_font, fill=(20, 20, 20))
        y += 86

    qr = Image.open(io.BytesIO(qr_png(cert.number, scale=QR_SCALE))).convert("RGB")
    left, top = qr_position(qr.size, (width, height))
    img.paste(qr, (left, top))
    hint = "扫码核验"
    hw = draw.textlength(hint, font=small_font)
    draw.text((left + qr.size[0] / 2 - hw / 2, top + qr.size[1] + 12), hint, font=small_font, fill=(90, 70, 50))
    issued = f"发证日期：{timezone.localtime(cert.issued_at).date():%Y年%m月%d日}"
    draw.text((130, height - 160), issued, font=small_font, fill=(90, 70, 50))

    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def certificate_pdf(cert: Certificate) -> bytes:
    """The certificate as an A4 landscape PDF. Uses ReportLab's built-in Chinese CID font
    (STSong-Light), so it needs no font file."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    page_w, page_h = landscape(A4)
    c = canvas.Canvas(buf, pagesize=(page_w, page_h))
    c.setTitle(f"扶贫产品认定证书 {cert.number}")
    c.setStrokeColorRGB(0.69, 0.13, 0.13)
    c.setLineWidth(4)
    c.rect(20, 20, page_w - 40, page_h - 40)
    c.setFillColorRGB(0.69, 0.13, 0.13)
    c.setFont("STSong-Light", 34)
    c.drawCentredString(page_w / 2, page_h - 90, "扶贫产品认定证书")
    c.setFillColorRGB(0.2, 0.2, 0.2)
    c.setFont("STSong-Light", 14)
    c.drawCentredString(page_w / 2, page_h - 120, f"证书编号：{cert.number}")
    y = page_h - 180
    for label, value in _lines(cert):
        c.setFont("STSong-Light", 16)
        c.drawString(80, y, f"{label}：")
        c.drawString(240, y, value)
        y -= 38
    c.drawImage(ImageReader(io.BytesIO(qr_png(cert.number))), page_w - 220, 60, width=140, height=140)
    c.setFont("STSong-Light", 12)
    c.drawCentredString(page_w - 150, 45, "扫码核验")
    c.showPage()
    c.save()
    return buf.getvalue()
