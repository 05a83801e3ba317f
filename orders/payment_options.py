"""Which payment methods the checkout offers. That is the payments app's to decide (it
knows which providers are configured), and payments sits above orders, so it registers
its answer here when it starts (``payments/apps.py``) and the checkout asks through
``offered_methods``. Without it, bank transfer — which needs no provider — is all there is."""

from collections.abc import Callable

from .models import PaymentMethod

_source: Callable[[], list[str]] | None = None


def offer_methods_from(source: Callable[[], list[str]]) -> None:
    global _source
    _source = source


def offered_methods() -> list[str]:
    return _source() if _source is not None else [PaymentMethod.TRANSFER.value]


def online_payment_offered() -> bool:
    """Whether any method other than bank transfer is on offer (card, Alipay, WeChat Pay)."""
    return any(method != PaymentMethod.TRANSFER for method in offered_methods())
