"""发票 on the buyer's order page: each parcel's invoice request (its state) and, where the
buyer may ask, the link to ask. Invoices are the invoices app's (it sits above orders and
payments), so it registers its answer here when it starts (``invoices/apps.py``); the order
page asks through ``invoices_of``. Without it the page offers no 申请开票."""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Order


@dataclass(frozen=True)
class ParcelInvoice:
    status: str = ""  # 待开票 / 已开票 / 已确认 / 被退回; "" when none was asked
    kind: str = ""  # 普通发票 / 增值税专用发票
    amount_fen: int | None = None  # once issued
    url: str = ""  # the request's page (download, 验票)
    new_url: str = ""  # "" when no invoice can be asked for this parcel now


_source: Callable[[Order, str | None], dict[int, ParcelInvoice]] | None = None


def invoices_from(source: Callable[[Order, str | None], dict[int, ParcelInvoice]]) -> None:
    global _source
    _source = source


def invoices_of(order: Order, token: str | None) -> dict[int, ParcelInvoice]:
    """{sub-order id: its invoice request and the link to ask} for the buyer (signed in, or
    holding the secret ``token``); empty with no invoices app to answer."""
    if _source is None:
        return {}
    return _source(order, token)
