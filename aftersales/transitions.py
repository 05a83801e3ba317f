"""The after-sales state machine: one table of every allowed move of a request, who may ask
for it, and what it needs. ``services.apply`` is the single function that applies one.

    requested ──accept_refund──▶ refunding ──refunded──▶ refunded
        │  └──accept_return──▶ awaiting_return ──ship_return──▶ return_shipped ──receive_return──▶ refunding
        ├──refuse──▶ refused ──dispute──▶ escalated ──platform_refund──▶ refunding
        │               └──close_refused (no dispute in time)──▶ closed      ├──platform_return──▶ awaiting_return
        ├──escalate (shop did not answer in time)──▶ escalated                └──platform_refuse──▶ closed
        └──withdraw──▶ withdrawn   (also from awaiting_return and refused)
    return_shipped ──escalate (shop did not confirm the parcel in time)──▶ escalated
    awaiting_return ──close_return_overdue (buyer did not send it back in time)──▶ closed
    refunding ──refund_failed (the provider refused the refund)──▶ escalated
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from .states import Kind
from .states import Status as S


class Actor(StrEnum):
    BUYER = "buyer"  # the order's buyer (signed in, or holding its secret link)
    OPERATOR = "operator"  # an operator of the request's shop
    PLATFORM = "platform"  # a platform administrator
    SYSTEM = "system"  # the deadline clock, the refund's outcome


ACTOR_LABELS = {
    Actor.BUYER: _("买家"),
    Actor.OPERATOR: _("商家"),
    Actor.PLATFORM: _("平台"),
    Actor.SYSTEM: _("系统"),
}


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    actors: frozenset[Actor]
    kinds: frozenset[str] = frozenset(Kind.values)
    needs_note: bool = False  # a reason / decision the person must write (refuse, platform decisions)


_B, _O, _P, _SYS = Actor.BUYER, Actor.OPERATOR, Actor.PLATFORM, Actor.SYSTEM

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "accept_refund",
            _("商家同意退款"),
            (S.REQUESTED,),
            S.REFUNDING,
            frozenset({_O, _P}),
            frozenset({Kind.REFUND_ONLY}),
        ),
        Transition(
            "accept_return",
            _("商家同意退货"),
            (S.REQUESTED,),
            S.AWAITING_RETURN,
            frozenset({_O, _P}),
            frozenset({Kind.RETURN}),
        ),
        Transition("refuse", _("商家拒绝"), (S.REQUESTED,), S.REFUSED, frozenset({_O}), needs_note=True),
        Transition(
            "withdraw", _("买家撤销申请"), (S.REQUESTED, S.AWAITING_RETURN, S.REFUSED), S.WITHDRAWN, frozenset({_B})
        ),
        Transition(
            "ship_return",
            _("买家已寄回商品"),
            (S.AWAITING_RETURN,),
            S.RETURN_SHIPPED,
            frozenset({_B}),
            frozenset({Kind.RETURN}),
        ),
        Transition(
            "receive_return",
            _("商家确认收到退货"),
            (S.RETURN_SHIPPED,),
            S.REFUNDING,
            frozenset({_O, _P}),
            frozenset({Kind.RETURN}),
        ),
        Transition("dispute", _("买家申请平台介入"), (S.REFUSED,), S.ESCALATED, frozenset({_B})),
        Transition(
            "escalate", _("商家超时未处理，转平台处理"), (S.REQUESTED, S.RETURN_SHIPPED), S.ESCALATED, frozenset({_SYS})
        ),
        Transition(
            "close_return_overdue", _("买家超时未寄回，售后关闭"), (S.AWAITING_RETURN,), S.CLOSED, frozenset({_SYS})
        ),
        Transition("close_refused", _("买家未申请平台介入，售后关闭"), (S.REFUSED,), S.CLOSED, frozenset({_SYS})),
        Transition("platform_refund", _("平台判定退款"), (S.ESCALATED,), S.REFUNDING, frozenset({_P}), needs_note=True),
        Transition(
            "platform_return",
            _("平台判定退货退款"),
            (S.ESCALATED,),
            S.AWAITING_RETURN,
            frozenset({_P}),
            frozenset({Kind.RETURN}),
            needs_note=True,
        ),
        Transition(
            "platform_refuse", _("平台判定不予退款"), (S.ESCALATED,), S.CLOSED, frozenset({_P}), needs_note=True
        ),
        Transition("refunded", _("退款完成"), (S.REFUNDING,), S.REFUNDED, frozenset({_SYS})),
        Transition("refund_failed", _("退款失败，转平台处理"), (S.REFUNDING,), S.ESCALATED, frozenset({_SYS})),
    ]
}

# What a request's deadline runs out into, by state (``services.move_overdue``).
ON_DEADLINE = {
    S.REQUESTED: "escalate",
    S.RETURN_SHIPPED: "escalate",
    S.AWAITING_RETURN: "close_return_overdue",
    S.REFUSED: "close_refused",
}


def label_of(action: str) -> str:
    if action == "request":
        return str(_("买家申请售后"))
    transition = TRANSITIONS.get(action)
    return str(transition.label) if transition else action


def available(status: str, kind: str, actors: set[Actor]) -> list[Transition]:
    """The moves one of ``actors`` may ask for on a request of ``kind`` in ``status``."""
    return [t for t in TRANSITIONS.values() if status in t.sources and kind in t.kinds and t.actors & actors]
