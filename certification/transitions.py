"""The certification state machine: one table of allowed transitions and one function
that applies one. Every other module moves an application only through ``apply``."""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from .models import Status


class Actor(StrEnum):
    OPERATOR = "operator"  # an operator of the product's shop
    OFFICER = "officer"  # a bureau officer whose jurisdiction covers the producer's region
    SYSTEM = "system"  # the marketplace itself (the expiry task)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    actor: Actor
    note_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("submit", _("提交申请"), (Status.DRAFT,), Status.SUBMITTED, Actor.OPERATOR),
        Transition("start_review", _("开始审核"), (Status.SUBMITTED,), Status.UNDER_REVIEW, Actor.OFFICER),
        Transition("certify", _("认定通过"), (Status.UNDER_REVIEW,), Status.CERTIFIED, Actor.OFFICER),
        Transition("reject", _("不予认定"), (Status.UNDER_REVIEW,), Status.REJECTED, Actor.OFFICER, True),
        Transition("revoke", _("撤销认定"), (Status.CERTIFIED,), Status.REVOKED, Actor.OFFICER, True),
        Transition("expire", _("有效期届满"), (Status.CERTIFIED,), Status.EXPIRED, Actor.SYSTEM),
    ]
}


def available_actions(status: str, actor: Actor) -> list[Transition]:
    """The transitions ``actor`` could apply to an application in ``status``."""
    return [t for t in TRANSITIONS.values() if status in t.sources and t.actor == actor]
