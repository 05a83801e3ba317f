"""The attribution tests run on the ledger world of tests/worlds.py (the ``ledger_world``
fixture of tests/conftest.py): one cooperative in 单县 selling yam through its village shop,
three registered households and the village collective sharing its sales, and a second shop
in 成武县 with one household of its own. Here: a few sales on top of it."""

import pytest

from orders.models import OrderLine
from tests.worlds import LedgerWorld, buy_and_pay, refund_lines

__all__ = ["buy_and_pay", "refund_lines"]  # the tests import them from here


@pytest.fixture
def sales(ledger_world) -> LedgerWorld:
    """Two yam orders (3 + 2 boxes), one oil order, a refund of one yam box."""
    w = ledger_world
    first = buy_and_pay(w, [(w.yam, 3), (w.oil, 1)], buyer_type="union")
    buy_and_pay(w, [(w.yam, 2)])
    refund_lines(w, first, {OrderLine.objects.get(suborder__order=first, product=w.yam): 1})
    return w
