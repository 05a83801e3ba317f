"""The endpoints the directly contracted providers (WeChat Pay, Alipay) call."""

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import direct
from .direct_models import Provider


@csrf_exempt  # the provider's signature is the proof, not a browser session
@require_POST
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    """A provider's asynchronous notification (支付结果通知 / 异步通知): verified by its
    client, stored once, applied (``direct.handle_notification``)."""
    if provider not in Provider.values:
        raise Http404
    return direct.handle_notification(provider, request)
