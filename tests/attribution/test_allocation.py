"""The split rule itself: largest remainder, to the fen, and refunds never taking a
beneficiary below zero (pure functions, many random cases)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attribution.allocation import FULL_BP, split, split_refund


@st.composite
def share_sets(draw, max_size=12):
    """1..12 shares adding up to 10,000 bp, zero shares allowed."""
    n = draw(st.integers(1, max_size))
    cuts = sorted(draw(st.lists(st.integers(0, FULL_BP), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, FULL_BP]
    return [bounds[i + 1] - bounds[i] for i in range(n)]


def test_examples():
    assert split(100, [3333, 3333, 3334]) == [33, 33, 34]
    assert split(1001, [3333, 3333, 3334]) == [334, 333, 334]
    assert split(1, [3000, 3000, 4000]) == [0, 0, 1]
    assert split(2, [5000, 5000]) == [1, 1]
    assert split(1, [5000, 5000]) == [1, 0]  # a tie goes to the earlier beneficiary
    assert split(11640, [3000, 2500, 1000, 1500, 2000]) == [3492, 2910, 1164, 1746, 2328]


def test_refund_split_caps_at_what_is_held():
    # Split of 1 fen would go to the first; it holds nothing, so the next largest takes it.
    assert split_refund(1, [5000, 5000], [0, 1]) == [0, 1]
    assert split_refund(3, [3333, 3333, 3334], [1, 1, 1]) == [1, 1, 1]


@pytest.mark.parametrize(
    "amount, shares, message",
    [(-1, [10000], "non-negative"), (5, [5000, 4000], "add up"), (5, [], "shares"), (1.5, [10000], "integer")],
)
def test_bad_input_is_refused(amount, shares, message):
    with pytest.raises(ValueError, match=message):
        split(amount, shares)


def test_refund_above_holdings_is_refused():
    with pytest.raises(ValueError, match="exceeds"):
        split_refund(5, [5000, 5000], [2, 2])


@given(amount=st.integers(0, 10**9), shares=share_sets())
def test_split_adds_up_and_stays_within_one_fen_of_the_quota(amount, shares):
    parts = split(amount, shares)
    assert sum(parts) == amount
    for part, bp in zip(parts, shares, strict=True):
        quota = amount * bp / FULL_BP
        assert quota - 1 < part < quota + 1
        assert part >= 0


@given(
    unit=st.integers(1, 50_000),
    quantity=st.integers(1, 12),
    shares=share_sets(),
    refunds=st.lists(st.integers(1, 12), max_size=8),
)
def test_any_sequence_of_refunds_keeps_every_holding_exact_and_non_negative(unit, quantity, shares, refunds):
    held = split(unit * quantity, shares)
    left = quantity
    for qty in refunds:
        qty = min(qty, left)
        if qty == 0:
            break
        back = split_refund(unit * qty, shares, held)
        assert sum(back) == unit * qty
        held = [h - b for h, b in zip(held, back, strict=True)]
        left -= qty
        assert sum(held) == unit * left
        assert min(held) >= 0
    if left == 0:
        assert held == [0] * len(shares)
