"""The payment providers, behind one interface (``base.PaymentProvider``), and which one
takes which method.

* Stripe (``stripe.StripeProvider``) takes card, and Alipay and WeChat Pay *through
  Stripe*, when its three keys are set.
* WeChat Pay and Alipay contracted directly (``payments.direct.DirectProvider`` with the
  clients in ``wechat.py`` and ``alipay.py``) take their own method when their settings are
  complete — and then take it *instead of* Stripe: where both are configured, Alipay and
  WeChat Pay go direct and Stripe keeps cards.
* Bank transfer needs no provider and is always offered."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import DomainError
from orders.models import PaymentMethod

from .base import PaymentProvider


def _stripe() -> PaymentProvider:
    from .stripe import StripeProvider

    return StripeProvider()


def _direct(code: str) -> PaymentProvider:
    from payments.direct import DirectProvider

    return DirectProvider(code)


def provider_for(method: str) -> PaymentProvider | None:
    """The configured provider that takes ``method`` (a ``PaymentMethod`` value), or None
    (bank transfer, an offline sale, or nothing configured for it)."""
    if method in (PaymentMethod.WECHAT_PAY, PaymentMethod.ALIPAY):
        direct = _direct(method)
        if direct.configured():
            return direct
    stripe = _stripe()
    if method in stripe.methods and stripe.configured():
        return stripe
    return None


def offered_methods() -> list[str]:
    """The methods the checkout offers, in the order it shows them: WeChat Pay and Alipay
    first (what buyers in China use), card, then bank transfer (always)."""
    online = (PaymentMethod.WECHAT_PAY, PaymentMethod.ALIPAY, PaymentMethod.CARD)
    return [m.value for m in online if provider_for(m) is not None] + [PaymentMethod.TRANSFER.value]


def provider_that_took(order) -> PaymentProvider | None:
    """The provider that took ``order``'s money, for a refund the way it came: a direct
    provider when its trade's transaction id is the accepted payment's reference, Stripe
    for any other card / Alipay / WeChat Pay payment (an order paid through Stripe before
    WeChat Pay or Alipay was contracted directly still refunds through Stripe); None for a
    bank transfer or an offline sale. Whether that provider is still configured is its
    own ``refund``'s to say (it refuses with a message)."""
    from payments.direct_models import DirectTrade
    from payments.models import Payment

    method = order.payment_method
    if method not in (PaymentMethod.WECHAT_PAY, PaymentMethod.ALIPAY, PaymentMethod.CARD):
        return None
    payment = Payment.objects.filter(order=order, status=Payment.Status.ACCEPTED, method=method).order_by("pk").first()
    if payment is None:  # nothing taken yet: whoever takes the method now
        return provider_for(method) or _stripe()
    direct = DirectTrade.objects.filter(provider=method, transaction_id=payment.reference).exists()
    return _direct(method) if direct else _stripe()


def refund_provider(order) -> PaymentProvider:
    """``provider_that_took(order)``, for a refund the way the money came (the admin's
    原路退款 and an after-sales request's): ``DomainError`` when there is none."""
    provider = provider_that_took(order)
    if provider is None:
        raise DomainError(_("该订单没有可原路退回的在线支付。"))
    return provider
