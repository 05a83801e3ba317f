"""The share poster of a product (分享海报): one PNG, 750 px wide, for WeChat Moments, which
shares pictures rather than links. The buyer opens it from the product page and
long-presses to save it; whoever sees it scans its QR code to open the product page.

It shows the product's first picture (its share rendition), name, price, shop, the site's
name and a QR code of the product's absolute URL (``SITE_URL``). Only a listed product has
one (404 otherwise, checked on every request); the PNG is kept in the cache under
everything drawn on it, so a changed product, price, shop name or language draws a new one."""

import hashlib
import io

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from catalog.models import SHARE_RENDITION, Product, ProductImage
from certification.documents import cjk_font_path
from core import qr
from core.money import yuan
from core.parsing import BIGINT_MAX

from .sharing import SITE_NAME, SITE_TAGLINE, absolute

WIDTH = 750
MARGIN = 40
HEADER_HEIGHT = 120
PICTURE_SIDE = WIDTH - 2 * MARGIN
QR_SCALE = 6  # pixels per module, pasted unscaled so that every module stays sharp
QR_BORDER = 2  # quiet zone, in modules
TITLE_LINES = 3
CACHE_SECONDS = 24 * 3600
BROWSER_CACHE_SECONDS = 600  # an unlisted product's poster stops being served within this

RED = (199, 52, 27)
ORANGE = (240, 140, 43)
INK = (59, 42, 34)
MUTED = (117, 98, 90)
CREAM = (255, 248, 242)
LINE = (240, 220, 205)


def product_url(product: Product) -> str:
    """What the QR code holds: the product page's absolute URL."""
    return absolute(product.get_absolute_url())


def poster_response(pk: int) -> HttpResponse:
    """The poster of listed product ``pk`` as a PNG response; 404 for any other."""
    if not 0 < pk <= BIGINT_MAX:
        raise Http404
    product = Product.objects.listed().select_related("shop").filter(pk=pk).first()
    if product is None:
        raise Http404
    first = ProductImage.objects.filter(product=product).select_related("image").order_by("sort_order", "pk").first()
    image = first.image if first is not None else None
    url = product_url(product)
    parts = [product.pk, product.updated_at.isoformat(), product.price_fen, product.shop.name, image and image.pk]
    parts += [get_language(), url]
    key = "cms:poster:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    png = cache.get(key)
    if png is None:
        png = draw_poster(product, image, url)
        cache.set(key, png, CACHE_SECONDS)
    response = HttpResponse(png, content_type="image/png")
    patch_cache_control(response, public=True, max_age=BROWSER_CACHE_SECONDS)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])  # its words are in the visitor's language
    return response


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(cjk_font_path(), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    """``text`` in lines no wider than ``width``, character by character (Chinese has no
    spaces to break at); an ellipsis ends the last line if the text goes on."""
    lines, line = [], ""
    for char in " ".join(text.split()):
        if draw.textlength(line + char, font=font) <= width:
            line += char
            continue
        lines.append(line)
        line = char.strip()
        if len(lines) == max_lines:
            break
    else:
        if line:
            lines.append(line)
        return lines
    last = lines[-1]
    while last and draw.textlength(last + "…", font=font) > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return lines


def _qr(url: str) -> Image.Image:
    return Image.open(io.BytesIO(qr.png(url, scale=QR_SCALE, border=QR_BORDER))).convert("RGB")


def _picture(image) -> Image.Image:
    """The product's share rendition, at the poster's picture size (a grey square without)."""
    if image is None:
        return Image.new("RGB", (PICTURE_SIDE, PICTURE_SIDE), (238, 232, 228))
    rendition = image.get_rendition(SHARE_RENDITION)
    with rendition.file.open("rb") as handle:
        picture = Image.open(handle).convert("RGB")
    return picture.resize((PICTURE_SIDE, PICTURE_SIDE), Image.Resampling.LANCZOS)


def draw_poster(product: Product, image, url: str) -> bytes:
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    title_font, price_font, unit_font = _font(38), _font(56), _font(28)
    small_font, scan_font, brand_font, tagline_font = _font(26), _font(30), _font(40), _font(22)
    title_lines = _wrap(measure, product.title, title_font, PICTURE_SIDE, TITLE_LINES)
    qr = _qr(url)

    picture_top = HEADER_HEIGHT + 30
    title_top = picture_top + PICTURE_SIDE + 30
    price_top = title_top + 52 * len(title_lines) + 10
    shop_top = price_top + 76
    rule_top = shop_top + 50
    qr_top = rule_top + 30
    height = qr_top + qr.height + MARGIN

    poster = Image.new("RGB", (WIDTH, height), CREAM)
    draw = ImageDraw.Draw(poster)
    # The header: the site's mark and name on its red-to-orange band.
    for x in range(WIDTH):
        t = x / (WIDTH - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(RED, ORANGE, strict=True))
        draw.line([(x, 0), (x, HEADER_HEIGHT - 1)], fill=colour)
    draw.ellipse([MARGIN, 30, MARGIN + 60, 90], fill=(255, 255, 255))
    draw.text((MARGIN + 30, 60), "助", font=_font(34), fill=RED, anchor="mm")
    draw.text((MARGIN + 80, 28), str(SITE_NAME), font=brand_font, fill=(255, 255, 255))
    draw.text((MARGIN + 82, 78), str(SITE_TAGLINE), font=tagline_font, fill=(255, 255, 255))

    poster.paste(_picture(image), (MARGIN, picture_top))
    if image is None:
        draw.text(
            (WIDTH // 2, picture_top + PICTURE_SIDE // 2), _("暂无图片"), font=small_font, fill=MUTED, anchor="mm"
        )

    for n, line in enumerate(title_lines):
        draw.text((MARGIN, title_top + 52 * n), line, font=title_font, fill=INK)
    price = yuan(product.price_fen)
    draw.text((MARGIN, price_top), price, font=price_font, fill=RED)
    unit_left = MARGIN + draw.textlength(price, font=price_font) + 12
    draw.text((unit_left, price_top + 22), f"/ {product.unit}", font=unit_font, fill=MUTED)
    draw.text((MARGIN, shop_top), _("网店：%(shop)s") % {"shop": product.shop.name}, font=small_font, fill=MUTED)
    draw.line([(MARGIN, rule_top), (WIDTH - MARGIN, rule_top)], fill=LINE, width=2)

    qr_left = WIDTH - MARGIN - qr.width
    poster.paste(qr, (qr_left, qr_top))
    draw.text((MARGIN, qr_top + 30), _("长按识别二维码"), font=scan_font, fill=INK)
    draw.text((MARGIN, qr_top + 80), _("查看商品详情，购买即帮扶"), font=small_font, fill=MUTED)
    draw.text((MARGIN, qr_top + 130), str(SITE_NAME), font=small_font, fill=RED)

    out = io.BytesIO()
    poster.save(out, format="PNG", optimize=True)
    return out.getvalue()
