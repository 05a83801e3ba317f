"""Where a buyer paying by bank transfer sends the money, and what they write in the
transfer's note. That is the payments app's to decide (it owns the platform's payee
setting and the transfer receipts staff match against), and payments sits above orders,
so it registers its answer here when it starts (``payments/apps.py``); the order page,
the order e-mails and the payment notice ask through ``transfer_details``. Without it
there is no payee to name and the page says the shop will send the details."""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Order, PaymentMethod


@dataclass(frozen=True)
class Payee:
    account_name: str  # 户名
    bank: str  # 开户行
    account_number: str  # 账号
    shop_name: str = ""  # the shop's own account; "" for the platform's


@dataclass(frozen=True)
class TransferDetails:
    reference_code: str  # 转账识别码: what the buyer writes in the transfer's note
    payee: Payee | None  # None: no account configured, the shop or platform sends it


_source: Callable[[Order], TransferDetails] | None = None


def transfer_details_from(source: Callable[[Order], TransferDetails]) -> None:
    global _source
    _source = source


def transfer_details(order: Order) -> TransferDetails | None:
    """The payee and reference code of a bank-transfer order (None for other methods, or
    with no payments app to answer)."""
    if _source is None or order.payment_method != PaymentMethod.TRANSFER:
        return None
    return _source(order)
