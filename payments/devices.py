"""How paying works on the buyer's device, for the checkout and the pay pages.

The device is ``payments.direct.device_of`` (phone or desktop, from the User-Agent). One
more case matters: WeChat's in-app browser (User-Agent ``MicroMessenger``), where a
WeChat Pay H5 page is refused by WeChat (it wants JSAPI pay, which is not built) and
Alipay's pages do not open at all. The checkout says so for those two methods, and the
pay page refuses to start a trade that cannot work there."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from orders.models import PaymentMethod

from .direct import device_of
from .providers import provider_for

_WALLETS = (PaymentMethod.WECHAT_PAY, PaymentMethod.ALIPAY)


def in_wechat_browser(request: HttpRequest) -> bool:
    return "micromessenger" in request.headers.get("User-Agent", "").lower()


def blocked_in_wechat(method: str) -> bool:
    """Whether ``method`` cannot be paid from inside WeChat's in-app browser."""
    return method in _WALLETS


def wechat_browser_message(method: str) -> str:
    if method == PaymentMethod.ALIPAY:
        return _("在微信内无法打开支付宝：请点右上角“…”选择“在浏览器打开”后付款，或改用其他付款方式。")
    return _("在微信内暂不支持网页微信支付：请点右上角“…”选择“在浏览器打开”后付款，或改用其他付款方式。")


def how_paying_works(method: str, request: HttpRequest) -> str:
    """One sentence for the checkout: how ``method`` is paid on this device, or ""."""
    if method not in _WALLETS:
        return ""
    if in_wechat_browser(request):
        return wechat_browser_message(method)
    provider = provider_for(method)
    if provider is None:
        return ""
    phone = device_of(request) == "phone"
    if provider.code != method:  # through Stripe's payment page
        if method == PaymentMethod.WECHAT_PAY:
            return _("在 Stripe 付款页用微信扫码支付。")
        return _("在 Stripe 付款页跳转支付宝付款。")
    if method == PaymentMethod.WECHAT_PAY:
        return _("跳转微信支付：下单后在微信中确认付款。") if phone else _("扫码支付：下单后用微信扫描页面上的二维码。")
    return _("跳转支付宝：下单后在支付宝中确认付款。") if phone else _("跳转支付宝收银台：扫码或登录支付宝账户付款。")


def checkout_notes(request: HttpRequest, methods: list[str]) -> dict[str, str]:
    """The checkout's notes (``orders.payment_options.method_notes``)."""
    notes = {method: how_paying_works(method, request) for method in methods}
    return {method: note for method, note in notes.items() if note}
