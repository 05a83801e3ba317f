"""``?live=<code>`` on any storefront page: the visitor came through an event's link or
QR code, so their session and cart are tagged with the event (``tagging.follow``)."""

from django.contrib import messages

from core.errors import DomainError

from .tagging import SESSION_KEY, follow


class LiveLinkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.GET.get("live") if request.method == "GET" else None
        if code and hasattr(request, "session") and not request.path.startswith(("/admin/", "/django-admin/")):
            previous = (request.session.get(SESSION_KEY) or {}).get("event")
            try:
                event = follow(request, code)
            except DomainError as exc:
                messages.warning(request, str(exc))
            else:
                if previous != event.pk:
                    messages.info(request, f"欢迎来自直播「{event.title}」的朋友！通过本链接下单的订单将计入这场直播。")
        return self.get_response(request)
