"""售后 on the buyer's order page: each parcel's after-sales requests and, where the buyer
may still ask, the link to ask. Requests are the aftersales app's (it sits above orders and
payments: an accepted request goes through the payments app's refund path), so it registers
its answer here when it starts (``aftersales/apps.py``); the order page asks through
``after_sales_of``. Without it the page offers no 申请售后."""

from collections.abc import Callable
from dataclasses import dataclass, field

from .models import Order


@dataclass(frozen=True)
class RequestSummary:
    number: str
    kind: str  # 仅退款 / 退货退款
    status: str  # 待商家处理 …
    amount_fen: int
    url: str


@dataclass(frozen=True)
class ParcelAfterSales:
    new_url: str = ""  # "" when no more can be asked for this parcel
    requests: list[RequestSummary] = field(default_factory=list)


_source: Callable[[Order, str | None], dict[int, ParcelAfterSales]] | None = None


def after_sales_from(source: Callable[[Order, str | None], dict[int, ParcelAfterSales]]) -> None:
    global _source
    _source = source


def after_sales_of(order: Order, token: str | None) -> dict[int, ParcelAfterSales]:
    """{sub-order id: its requests and the link to ask} for the buyer (signed in, or holding
    the secret ``token``); empty with no after-sales app to answer."""
    if _source is None:
        return {}
    return _source(order, token)
