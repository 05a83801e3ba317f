"""The invoice state machine: one table of every allowed move of a request, who may ask for
it, and what it needs. ``services.apply`` is the single function that applies one (the
request itself is made by ``services.request_invoice``).

    requested ──issue──▶ issued ──confirm (验票)──▶ confirmed
        │                  └──reject (with a reason)──▶ rejected ──issue──▶ issued
        └──withdraw──▶ withdrawn   (the buyer may then ask again)
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from .states import Status as S


class Actor(StrEnum):
    BUYER = "buyer"  # the order's buyer (signed in, or holding its secret link)
    OPERATOR = "operator"  # an operator of the sub-order's shop
    PLATFORM = "platform"  # a platform administrator


ACTOR_LABELS = {
    Actor.BUYER: _("买家"),
    Actor.OPERATOR: _("商家"),
    Actor.PLATFORM: _("平台"),
}


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    actors: frozenset[Actor]
    needs_note: bool = False  # a reason the person must write (the buyer sending an invoice back)
    needs_issue: bool = False  # the invoice itself: its number, and the file of an electronic one


_B, _O, _P = Actor.BUYER, Actor.OPERATOR, Actor.PLATFORM

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("issue", _("开具发票"), (S.REQUESTED, S.REJECTED), S.ISSUED, frozenset({_O, _P}), needs_issue=True),
        Transition("confirm", _("买家确认发票无误"), (S.ISSUED,), S.CONFIRMED, frozenset({_B})),
        Transition("reject", _("买家退回发票"), (S.ISSUED,), S.REJECTED, frozenset({_B}), needs_note=True),
        Transition("withdraw", _("买家撤销开票申请"), (S.REQUESTED,), S.WITHDRAWN, frozenset({_B})),
    ]
}


def label_of(action: str) -> str:
    if action == "request":
        return str(_("买家申请开票"))
    transition = TRANSITIONS.get(action)
    return str(transition.label) if transition else action


def available(status: str, actors: set[Actor]) -> list[Transition]:
    """The moves one of ``actors`` may ask for on a request in ``status``."""
    return [t for t in TRANSITIONS.values() if status in t.sources and t.actors & actors]
