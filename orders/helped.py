"""帮扶明细 ("your order helped"): what each paid line of an order did for the villages it
benefits — which villages, how many households and village collectives, and the fen that
went to each kind. That is the attribution ledger's to say (its entries, net of refund
reversals), and attribution sits above orders, so it registers its answer here when it
starts (``attribution/apps.py``); the buyer's order page asks through ``helped_by_line``.
Without it the page shows no 帮扶明细.

What it carries is counts, village names and sums only: never a household's name or
registration number (buyers are not entitled to them, ``producers/masking.py``)."""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Order, OrderStatus

# Orders whose money arrived: the ledger has entries for them.
PAID_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED})


@dataclass(frozen=True)
class LineHelped:
    """One order line's part in the ledger, net of reversals."""

    villages: tuple[str, ...]  # the villages of the households and collectives it benefits, e.g. "朱楼村（单县）"
    households: int  # households with a net amount from the line
    collectives: int  # village collectives with a net amount from the line
    household_fen: int
    collective_fen: int
    producer_fen: int  # the producer's unallocated remainder (生产主体留存)

    @property
    def total_fen(self) -> int:
        return self.household_fen + self.collective_fen + self.producer_fen


_source: Callable[[Order], dict[int, LineHelped]] | None = None


def helped_from(source: Callable[[Order], dict[int, LineHelped]]) -> None:
    global _source
    _source = source


def helped_by_line(order: Order) -> dict[int, LineHelped]:
    """{order line id: what it did} for a paid order; empty before payment (or a cancelled
    order), or with no ledger to answer."""
    if _source is None or order.status not in PAID_STATUSES:
        return {}
    return _source(order)
