"""QR codes of share links (segno), one way for every picture that carries one: a live
event's and a campaign's in the admin, the product share poster, and the trace labels
(drawn as vector runs, ``dark_runs``, so a sheet of 2,000 labels takes seconds, not a minute
of PNG encoding)."""

import io

import segno
from django.http import HttpResponse


def png(url: str, *, scale: int = 8, border: int = 2) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=border)
    return buf.getvalue()


def dark_runs(url: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The QR code of ``url`` as ``(size, runs)``: its width in modules (no quiet zone) and
    each horizontal run of dark modules as ``(row, first column, length)``, row 0 at the top."""
    code = segno.make(url, error="m")
    runs = []
    size = 0
    for row, line in enumerate(code.matrix):
        size = len(line)
        col = 0
        while col < size:
            if line[col]:
                start = col
                while col < size and line[col]:
                    col += 1
                runs.append((row, start, col - start))
            else:
                col += 1
    return size, runs


def png_response(url: str, filename: str) -> HttpResponse:
    """The QR code of ``url`` as a PNG shown in the browser (saved as ``filename``)."""
    response = HttpResponse(png(url), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def svg_inline(text: str, *, title: str = "") -> str:
    """The QR code of ``text`` as an inline ``<svg>`` element (no width or height: a
    ``viewBox``, so the page's CSS sizes it), for a page that shows a code to scan (the
    WeChat Pay Native page). Presentation attributes only, no ``style``: fits the
    storefront's strict Content-Security-Policy."""
    return segno.make(text, error="m").svg_inline(scale=1, border=2, omitsize=True, light="#fff", title=title or None)
