"""The intake API an offline point's till reports its sales to, with the point's token
(``Authorization: Bearer <token>``). Thin: the rules live in ``services``."""

from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from core import parsing, tokens

from . import services
from .models import IntakeBatch, OfflinePoint

# A batch is at most services.MAX_ROWS rows of a few short fields each: far below this.
MAX_BODY_BYTES = 512 * 1024


def _json(status: int, body: dict, **headers) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@csrf_exempt
def report_sales(request, code: str):
    """POST ``{"sales": [rows]}`` for point ``code``. 201 booked (``new`` rows), 200 nothing
    new (every row already booked), 400 a row refused (``errors``: row, sale_id, field,
    reason; nothing booked), 401 missing or unknown token, 403 another point's token or a
    point stopped, 404 no such point, 405 not POST, 409 a sale id already booked with other
    content, 429 too many batches this minute (``Retry-After``)."""
    if request.method != "POST":
        return _json(405, {"error": gettext("只接受 POST")}, Allow="POST")
    now = timezone.now()
    try:
        raw = tokens.token_from_header(request.headers.get("Authorization", ""))
        point = OfflinePoint.objects.filter(code=code).first()
        if point is None:
            return _json(404, {"error": gettext("没有这个网点")})
        services.authorise(raw, point)
    except tokens.TokenRefused as exc:
        headers = {"WWW_Authenticate": 'Bearer realm="offline"'} if exc.status == 401 else {}
        return _json(exc.status, {"error": str(exc)}, **headers)
    wait = services.within_rate(point, now)
    if wait:
        return _json(429, {"error": gettext("请求过于频繁")}, Retry_After=str(wait))
    OfflinePoint.objects.filter(pk=point.pk).update(token_last_used_at=now)
    try:
        payload = parsing.json_body(request, max_bytes=MAX_BODY_BYTES)
        items = services.items_of(payload)
    except parsing.BadInput as exc:
        return _json(400, {"error": str(exc)})
    except services.BatchRefused as exc:
        return _json(exc.status, {"error": gettext("整批被拒绝，未入账任何一行"), "errors": exc.errors})
    try:
        booked = services.record_batch(point.pk, items, source=IntakeBatch.Source.API, now=now)
    except services.BatchRefused as exc:
        return _json(
            exc.status,
            {
                "error": gettext("整批被拒绝，未入账任何一行"),
                "batch": exc.batch.pk if exc.batch else None,
                "errors": exc.errors,
            },
        )
    return _json(
        201 if booked.new else 200,
        {"batch": booked.batch.pk, "new": booked.new, "repeated": booked.repeated},
    )
