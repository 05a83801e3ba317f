"""Product pictures for the demo: a coloured card with the product's Chinese name, drawn
with Pillow and stored as Wagtail images. No photo files ship with the project."""

import io
import math
from functools import lru_cache
from pathlib import Path

from django.core.files.images import ImageFile
from PIL import Image, ImageDraw, ImageFont
from wagtail.images import get_image_model
from wagtail.models import Collection

from .data import DEMO_COLLECTION_NAME

CARD_SIZE = (600, 600)
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
]


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """A font that can draw Chinese, or None: the cards are then drawn without text."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return None


@lru_cache(maxsize=16)
def _font(size: int):
    path = cjk_font_path()
    return ImageFont.truetype(path, size) if path else None


def _mix(colour: tuple[int, int, int], other: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    return tuple(round(c + (o - c) * amount) for c, o in zip(colour, other, strict=True))


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, max_width: int) -> list[str]:
    """Break Chinese text into lines that fit, of even length (any character may start a
    line, but a lone last character looks wrong)."""
    greedy, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) > max_width and line:
            greedy.append(line)
            line = char
        else:
            line += char
    greedy += [line] if line else []
    per_line = math.ceil(len(text) / len(greedy)) if greedy else 0
    even = [text[i : i + per_line] for i in range(0, len(text), per_line)] if per_line else []
    if len(even) == len(greedy) and all(draw.textlength(x, font=font) <= max_width for x in even):
        return even
    return greedy


def card_png(title: str, subtitle: str, colour: tuple[int, int, int], variant: int = 0) -> bytes:
    """A square PNG: background in ``colour``, a lighter disc, the title large and the
    subtitle (place, unit) small. ``variant`` 1 gives a second, darker look."""
    width, height = CARD_SIZE
    background = colour if variant == 0 else _mix(colour, (0, 0, 0), 0.35)
    image = Image.new("RGB", CARD_SIZE, background)
    draw = ImageDraw.Draw(image)
    disc = _mix(background, (255, 255, 255), 0.25)
    band = 90
    if variant == 0:
        draw.ellipse((width * 0.12, height * 0.08, width * 0.88, height * 0.84), fill=disc)
    else:
        draw.rounded_rectangle((45, 75, width - 45, height - band - 30), radius=45, outline=disc, width=10)
    draw.rectangle((0, height - band, width, height), fill=_mix(background, (0, 0, 0), 0.3))
    title_font, small_font = _font(72), _font(30)
    if title_font is not None:
        lines = _wrap(draw, title, title_font, width - 120)[:3]
        line_height = 88
        top = (height - band - line_height * len(lines)) / 2
        for i, line in enumerate(lines):
            draw.text((width / 2, top + i * line_height), line, font=title_font, fill="white", anchor="ma")
        draw.text((width / 2, height - band / 2), subtitle, font=small_font, fill="white", anchor="mm")
        draw.text((30, 22), "消费帮扶", font=small_font, fill=_mix(background, (255, 255, 255), 0.6))
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


BANNER_SIZE = (1200, 480)


def banner_png(title: str, subtitle: str, colour: tuple[int, int, int]) -> bytes:
    """A wide banner (1200×480): ``colour`` fading to a darker shade, discs of light, the
    title large and the subtitle below it, left-aligned so phones' crops keep them. With no
    title, only the background (for a banner block, which sets its own words over it)."""
    width, height = BANNER_SIZE
    image = Image.new("RGB", BANNER_SIZE, colour)
    draw = ImageDraw.Draw(image)
    dark = _mix(colour, (0, 0, 0), 0.35)
    for x in range(width):
        draw.line((x, 0, x, height), fill=_mix(colour, dark, x / width))
    for cx, cy, r in ((980, 120, 170), (1110, 360, 120), (820, 420, 90)):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_mix(colour, (255, 255, 255), 0.18))
    title_font, small_font = _font(84), _font(38)
    if title_font is not None and title:
        lines = _wrap(draw, title, title_font, width - 420)[:2]
        for i, line in enumerate(lines):
            draw.text((80, 130 + i * 100), line, font=title_font, fill="white")
        draw.text((80, 150 + len(lines) * 100), subtitle, font=small_font, fill=_mix(colour, (255, 255, 255), 0.75))
        draw.text((80, 60), "消费帮扶", font=small_font, fill=_mix(colour, (255, 255, 255), 0.6))
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def demo_collection() -> Collection:
    """The Wagtail collection holding every demo picture, so a reset finds them all."""
    existing = Collection.objects.filter(name=DEMO_COLLECTION_NAME).first()
    if existing is not None:
        return existing
    return Collection.get_first_root_node().add_child(name=DEMO_COLLECTION_NAME)


def save_wagtail_image(title: str, png: bytes, filename: str, collection: Collection):
    image = get_image_model()(title=title, file=ImageFile(io.BytesIO(png), name=filename), collection=collection)
    # Size and hash now, as the admin's upload form does, rather than on first render.
    image._set_image_file_metadata()
    image.save()
    return image
