"""The read-only JSON endpoint of the report, for an officer's own tools.

``GET /api/reports/?period=…&date=…&region=…`` takes the dashboard's parameters and
returns the same tables (money in integer fen). Authentication: a personal token in
``Authorization: Bearer <token>`` (made and revoked in the admin under 报表接口令牌), or
the admin session. When a token is sent only the token counts. Scoping is the
dashboard's: an officer's jurisdiction, whatever the parameters say."""

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .access import report_jurisdiction
from .exports import report_json
from .filters import ReportFilterError, parse_filters
from .selectors import build_report
from .services import user_for_token


def _error(message: str, status: int) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="reports"'
    return response


def _api_user(request):
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None, _("只支持 Authorization: Bearer <令牌>。")
        user = user_for_token(token.strip())
        return user, None if user else _("令牌无效或已吊销。")
    if request.user.is_authenticated:
        return request.user, None
    return None, _("请登录或提供接口令牌。")


@require_GET
def report(request):
    user, problem = _api_user(request)
    if user is None:
        return _error(problem, 401)
    try:
        jurisdiction = report_jurisdiction(user)
    except PermissionDenied as exc:
        return _error(str(exc) or _("无权查看报表。"), 403)
    try:
        filters = parse_filters(request.GET, jurisdiction)
    except ReportFilterError as exc:
        return _error(str(exc), 400)
    return JsonResponse(
        report_json(build_report(filters)), encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False}
    )
