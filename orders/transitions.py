"""The order state machine: one table of allowed transitions and one function
(``services.apply_transition``) that applies one.

Two kinds of row move: the **order** (payment state) and each shop's **sub-order**
(fulfilment state). A transition names which it moves, from which states, to which, and
who may ask for it. Payment services ask for ``pay``/``refund`` as the system; they never
set a status field themselves."""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from .states import FulfilmentStatus as F
from .states import OrderStatus as O


class Actor(StrEnum):
    BUYER = "buyer"  # the buyer of the order (signed in, or holding its secret link)
    OPERATOR = "operator"  # an operator of the sub-order's shop
    ADMIN = "admin"  # a platform administrator
    SYSTEM = "system"  # payment handling, expiry


class Target(StrEnum):
    ORDER = "order"
    SUBORDER = "suborder"


@dataclass(frozen=True)
class Transition:
    target: Target
    action: str
    label: str
    sources: tuple[str, ...]
    to: str
    actors: frozenset[Actor]


_SYS = frozenset({Actor.SYSTEM})

TRANSITIONS: dict[tuple[Target, str], Transition] = {
    (t.target, t.action): t
    for t in [
        # The order: payment state.
        # An organisation's order above its threshold: its approver (procurement checks who)
        # approves it — stock is reserved then — or returns it with a reason.
        Transition(Target.ORDER, "approve", _("审批通过"), (O.AWAITING_APPROVAL,), O.AWAITING_PAYMENT, _SYS),
        Transition(Target.ORDER, "return", _("退回"), (O.AWAITING_APPROVAL,), O.RETURNED, _SYS),
        # An order on terms (the organisation pays N days after acceptance) ships unpaid.
        Transition(Target.ORDER, "approve_on_terms", _("审批通过"), (O.AWAITING_APPROVAL,), O.ON_TERMS, _SYS),
        Transition(Target.ORDER, "pay", _("确认收款"), (O.AWAITING_PAYMENT, O.ON_TERMS), O.PAID, _SYS),
        # Cancelling an order on terms is refused once a parcel has shipped (services._cancel).
        Transition(
            Target.ORDER,
            "cancel",
            _("取消订单"),
            (O.AWAITING_APPROVAL, O.AWAITING_PAYMENT, O.ON_TERMS),
            O.CANCELLED,
            frozenset({Actor.BUYER, Actor.ADMIN, Actor.SYSTEM}),
        ),
        Transition(
            Target.ORDER, "refund_part", _("部分退款"), (O.PAID, O.PARTIALLY_REFUNDED), O.PARTIALLY_REFUNDED, _SYS
        ),
        Transition(Target.ORDER, "refund_full", _("全额退款"), (O.PAID, O.PARTIALLY_REFUNDED), O.REFUNDED, _SYS),
        # A shop's sub-order: fulfilment state.
        Transition(Target.SUBORDER, "approve", _("审批通过"), (F.AWAITING_APPROVAL,), F.AWAITING_PAYMENT, _SYS),
        Transition(Target.SUBORDER, "approve_on_terms", _("审批通过"), (F.AWAITING_APPROVAL,), F.ON_TERMS, _SYS),
        # Paid: a parcel not yet shipped moves on; one already shipped or accepted stays
        # where it is (services.mark_order_paid moves only the parcels this row applies to).
        Transition(Target.SUBORDER, "pay", _("待发货"), (F.AWAITING_PAYMENT, F.ON_TERMS), F.PAID, _SYS),
        Transition(
            Target.SUBORDER,
            "cancel",
            _("取消"),
            (F.AWAITING_APPROVAL, F.AWAITING_PAYMENT, F.ON_TERMS),
            F.CANCELLED,
            _SYS,
        ),
        Transition(
            Target.SUBORDER,
            "ship",
            _("发货"),
            (F.PAID, F.ON_TERMS),
            F.SHIPPED,
            frozenset({Actor.OPERATOR, Actor.ADMIN}),
        ),
        Transition(
            Target.SUBORDER,
            "complete",
            _("确认收货"),
            (F.SHIPPED,),
            F.COMPLETED,
            frozenset({Actor.BUYER, Actor.OPERATOR, Actor.ADMIN, Actor.SYSTEM}),
        ),
        # An organisation's purchaser checks the parcel on delivery (验收; procurement
        # checks who and records the result): accepted, it is complete like a received one.
        Transition(Target.SUBORDER, "accept", _("验收"), (F.SHIPPED,), F.COMPLETED, _SYS),
        # All its lines refunded: nothing left to ship or already returned.
        Transition(Target.SUBORDER, "refund", _("退款"), (F.PAID, F.SHIPPED, F.COMPLETED), F.REFUNDED, _SYS),
    ]
}


def available_actions(target: Target, status: str, actors: set[Actor]) -> list[Transition]:
    """Transitions of ``target`` in ``status`` that one of ``actors`` may ask for."""
    return [t for t in TRANSITIONS.values() if t.target == target and status in t.sources and t.actors & actors]
