"""QR codes of share links (segno), one way for every picture that carries one: a live
event's and a campaign's in the admin, and the product share poster."""

import io

import segno
from django.http import HttpResponse


def png(url: str, *, scale: int = 8, border: int = 2) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=border)
    return buf.getvalue()


def png_response(url: str, filename: str) -> HttpResponse:
    """The QR code of ``url`` as a PNG shown in the browser (saved as ``filename``)."""
    response = HttpResponse(png(url), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
