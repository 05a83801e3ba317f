"""Which payment methods the checkout offers, and what it says about paying with each on
the buyer's device. That is the payments app's to decide (it knows which providers are
configured and how each pays on a phone or a desktop), and payments sits above orders, so
it registers its answers here when it starts (``payments/apps.py``) and the checkout asks
through ``offered_methods`` and ``method_notes``. Without it, bank transfer — which needs
no provider — is all there is, with nothing to add."""

from collections.abc import Callable

from django.http import HttpRequest

from .models import PaymentMethod

_source: Callable[[], list[str]] | None = None
_notes: Callable[[HttpRequest, list[str]], dict[str, str]] | None = None


def offer_methods_from(source: Callable[[], list[str]]) -> None:
    global _source
    _source = source


def offered_methods() -> list[str]:
    return _source() if _source is not None else [PaymentMethod.TRANSFER.value]


def online_payment_offered() -> bool:
    """Whether any method other than bank transfer is on offer (card, Alipay, WeChat Pay)."""
    return any(method != PaymentMethod.TRANSFER for method in offered_methods())


def describe_methods_from(source: Callable[[HttpRequest, list[str]], dict[str, str]]) -> None:
    global _notes
    _notes = source


def method_notes(request: HttpRequest, methods: list[str]) -> dict[str, str]:
    """{method: a sentence on how paying with it works on this buyer's device} for those of
    ``methods`` that have one."""
    return _notes(request, methods) if _notes is not None else {}
