"""Refuses, before any view or lookup runs, a request carrying a NUL character anywhere a
view could pass it to the database: the path, the query string, the cookies, form fields.
PostgreSQL cannot store NUL in text and answers a query holding one with an error (it was a
500 on any page, anonymous or not); no legitimate client sends one."""

from django.utils.translation import gettext

from .parsing import BadInput

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(query_dict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query_dict.lists())


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or "\x00" in request.path_info
            or _has_nul(request.GET)
            or any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items())
            or (request.method == "POST" and request.content_type in FORM_TYPES and _has_nul(request.POST))
        ):
            raise BadInput(gettext("请求中含有不允许的字符（NUL）。"))
        return self.get_response(request)
