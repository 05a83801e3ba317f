"""Splitting money among beneficiaries, to the fen. Pure functions, no database.

A line's net amount is split by basis-point shares with the largest-remainder (Hamilton)
method: everyone gets the floor of their exact quota, and the fen left over go one each to
the largest fractional parts (ties to the earlier beneficiary, so the split is
deterministic). The parts always add up to the amount exactly.

A refund is split by the same rule, but no beneficiary may give back more than it still
holds from that line: ``split_refund`` caps each part at what is held and hands the fen a
cap frees to the next-largest remainders. Refunding everything returns exactly what each
holds, so a fully refunded line ends at zero for everyone and nobody ever goes negative.
"""

from collections.abc import Sequence

FULL_BP = 10_000


def split(amount_fen: int, shares_bp: Sequence[int]) -> list[int]:
    """Split ``amount_fen`` (≥ 0) by ``shares_bp``, which must add up to 10,000.

    >>> split(100, [3333, 3333, 3334])
    [33, 33, 34]
    """
    _check(amount_fen, shares_bp)
    quotas = [amount_fen * bp for bp in shares_bp]  # in 1/10,000 fen: exact integers
    parts = [q // FULL_BP for q in quotas]
    left = amount_fen - sum(parts)
    order = sorted(range(len(parts)), key=lambda i: (-(quotas[i] % FULL_BP), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def split_refund(amount_fen: int, shares_bp: Sequence[int], held_fen: Sequence[int]) -> list[int]:
    """How much each beneficiary gives back of a refund of ``amount_fen``: the
    largest-remainder split of the refund, each part capped at ``held_fen`` (what the
    beneficiary still holds from the line). The parts add up to ``amount_fen`` exactly and
    no part exceeds what is held. Raises ``ValueError`` when more is refunded than held."""
    _check(amount_fen, shares_bp)
    if len(held_fen) != len(shares_bp) or any(h < 0 for h in held_fen):
        raise ValueError("held amounts must be one non-negative figure per share")
    if amount_fen > sum(held_fen):
        raise ValueError(f"refund of {amount_fen} fen exceeds the {sum(held_fen)} fen held")
    quotas = [amount_fen * bp for bp in shares_bp]
    parts = [min(q // FULL_BP, h) for q, h in zip(quotas, held_fen, strict=True)]
    left = amount_fen - sum(parts)
    # Hand out the remaining fen one at a time by largest remainder among those who still
    # hold more than they give; a beneficiary at its cap is skipped. Each pass gives at
    # most one fen per beneficiary, so amounts stay as close to the quota as the caps allow.
    while left:
        room = [i for i in range(len(parts)) if parts[i] < held_fen[i]]
        room.sort(key=lambda i: (-(quotas[i] - parts[i] * FULL_BP), i))
        for i in room[:left]:
            parts[i] += 1
        left = amount_fen - sum(parts)
    return parts


def _check(amount_fen: int, shares_bp: Sequence[int]) -> None:
    if not isinstance(amount_fen, int) or amount_fen < 0:
        raise ValueError("amount must be a non-negative integer number of fen")
    if not shares_bp or any(not isinstance(bp, int) or bp < 0 for bp in shares_bp):
        raise ValueError("shares must be non-negative integer basis points")
    if sum(shares_bp) != FULL_BP:
        raise ValueError(f"shares must add up to {FULL_BP} basis points, not {sum(shares_bp)}")
