"""The JSON endpoint the stream operator's tooling pushes viewer samples to, with a
per-event token (``Authorization: Bearer <token>``). Thin: rules live in ``metrics``."""

from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from core import parsing, tokens

from . import metrics
from .models import LiveEvent

# A batch is at most metrics.MAX_BATCH samples of a few fields each: far below this.
MAX_BODY_BYTES = 256 * 1024


def _json_error(status: int, message: str, errors: list | None = None, **headers) -> JsonResponse:
    body = {"error": message}
    if errors is not None:
        body["errors"] = errors
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@csrf_exempt
def push_samples(request, code: str):
    """POST viewer samples for event ``code`` with ``Authorization: Bearer <token>``.
    201 stored, 200 nothing new (all already stored), 400 bad payload (reason per field),
    401 missing or unknown token, 403 revoked or another event's token, 404 no such
    event, 405 not POST, 409 a time already stored with other numbers, 429 rate limit."""
    if request.method != "POST":
        return _json_error(405, gettext("只接受 POST"), Allow="POST")
    now = timezone.now()
    try:
        raw = tokens.token_from_header(request.headers.get("Authorization", ""))
        event = LiveEvent.objects.filter(code=(code or "").upper()).first()
        if event is None:
            return _json_error(404, gettext("没有这场直播"))
        token = metrics.authorise(raw, event)
    except tokens.TokenRefused as exc:
        headers = {"WWW_Authenticate": 'Bearer realm="live"'} if exc.status == 401 else {}
        return _json_error(exc.status, str(exc), **headers)
    wait = metrics.within_rate(token, now)
    if wait:
        return _json_error(429, gettext("请求过于频繁"), Retry_After=str(wait))
    try:
        payload = parsing.json_body(request, max_bytes=MAX_BODY_BYTES, require_object=False)
    except parsing.BadInput as exc:
        return _json_error(400, str(exc))
    try:
        result = metrics.record_samples(event.pk, metrics.items_of(payload), token=token, now=now)
    except metrics.SamplesRefused as exc:
        return _json_error(exc.status, gettext("数据被拒绝"), exc.errors)
    return JsonResponse(
        {"stored": result.stored, "duplicates": result.duplicates}, status=201 if result.stored else 200
    )
