"""Seeded generators for the demo data: identifiers, names, prices and benefit shares.
Each takes the ``random.Random`` to draw from, never the global one."""

import random
from dataclasses import dataclass

from core.validators import credit_code_check_char
from producers.models import BenefitMode, Household, Producer

from .data import GIVEN_NAMES, GUIZHOU_SURNAMES, SURNAMES

# Characters allowed in a unified social credit code (GB 32100: no I, O, Z, S, V).
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Registration authority and entity type, the first two characters of the code:
# 91 enterprise, 93 farmers' cooperative (market regulation), N2 village collective
# economic organisation (agriculture and rural affairs).
CREDIT_CODE_PREFIX = {
    Producer.Kind.ENTERPRISE: "91",
    Producer.Kind.WORKSHOP: "91",
    Producer.Kind.COOPERATIVE: "93",
    Producer.Kind.COLLECTIVE: "N2",
}
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def _org_code_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, kind: str, county_code: str, used: set[str]) -> str:
    """A valid, unused unified social credit code for an organisation of ``kind``
    registered in ``county_code``: prefix, 6-digit division code, a 9-character
    organisation code (``MA`` + 6 characters + its own check) and the GB 32100 check."""
    while True:
        body = "MA" + "".join(rng.choice(_CODE_CHARS) for _ in range(6))
        first17 = CREDIT_CODE_PREFIX[kind] + county_code + body + _org_code_check(body)
        code = first17 + credit_code_check_char(first17)
        if code not in used:
            used.add(code)
            return code


def person_name(rng: random.Random, *, village_surname: str = "", guizhou: bool = False) -> str:
    """A plausible rural Chinese name; in many villages one surname dominates."""
    if village_surname and rng.random() < 0.4:
        surname = village_surname
    else:
        surname = rng.choice(GUIZHOU_SURNAMES if guizhou else SURNAMES)
    return surname + rng.choice(GIVEN_NAMES)


_STATUSES = [Household.Status.LIFTED_OUT] * 7 + [Household.Status.MONITORED] * 2 + [Household.Status.REGISTERED_POOR]


def household_status(rng: random.Random) -> str:
    return rng.choice(_STATUSES)


def demo_price(rng: random.Random, base_fen: int) -> int:
    """``base_fen`` moved by up to ±10 %, then priced the way shops do: ending in .90."""
    yuan = max(1, round(base_fen * rng.uniform(0.9, 1.1) / 100))
    return yuan * 100 - 10


_HOUSEHOLD_MODES = [
    BenefitMode.GUARANTEED_PURCHASE,
    BenefitMode.GUARANTEED_PURCHASE,
    BenefitMode.EMPLOYMENT,
    BenefitMode.EMPLOYMENT,
    BenefitMode.DIVIDEND,
    BenefitMode.LEASING,
    BenefitMode.PROCESSING,
    BenefitMode.SEEDLINGS,
    BenefitMode.TECHNICAL,
]
_COLLECTIVE_MODES = [BenefitMode.DIVIDEND, BenefitMode.DIVIDEND, BenefitMode.LEASING]


@dataclass(frozen=True)
class ShareDraw:
    """One drawn share: ``beneficiary`` is whatever the caller passed in (a model or a key)."""

    beneficiary: object
    is_collective: bool
    share_bp: int
    mode: str


def draw_shares(rng: random.Random, households: list, collective=None) -> list[ShareDraw]:
    """Who benefits from one product and by how much: 1 to 6 of ``households`` and,
    usually, the village ``collective``. Basis points add up to at most 10,000 and are
    often uneven (a 3-way equal split of 7,000 leaves 1 bp with the producer), as real
    linkages are."""
    chosen = rng.sample(households, rng.randint(1, min(6, len(households)))) if households else []
    with_collective = collective is not None and (not chosen or rng.random() < 0.85)
    total = 10_000 if rng.random() < 0.1 else rng.randint(2_500, 9_000)
    collective_bp = 0
    if with_collective:
        collective_bp = rng.choice([500, 800, 1000, 1200, 1500, 2000]) if chosen else total
        collective_bp = min(collective_bp, total - len(chosen))
    household_total = total - collective_bp
    if not chosen:
        parts: list[int] = []
    elif rng.random() < 0.25:
        parts = [household_total // len(chosen)] * len(chosen)  # equal split; the remainder stays with the producer
    else:
        cuts = sorted(rng.sample(range(1, household_total), len(chosen) - 1))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, household_total], strict=True)]
    draws = [ShareDraw(h, False, bp, rng.choice(_HOUSEHOLD_MODES)) for h, bp in zip(chosen, parts, strict=True)]
    if with_collective:
        draws.append(ShareDraw(collective, True, collective_bp, rng.choice(_COLLECTIVE_MODES)))
    return draws
