"""The payment state machines: which status may follow which, as tables, each applied by
one function. Nothing else sets these status fields once the row exists.

- **A marketplace refund** (``Refund.status``): ``REFUND_TRANSITIONS``, applied by
  ``services._move_refund``. A refund starts *pending* and ends *confirmed* (the money went
  back) or *failed* (it did not); it never leaves either. Asking again for the step already
  taken changes nothing (a webhook and its redeliveries confirm a refund once).
- **Stripe's PaymentIntent** (``StripePaymentIntent.status``) and **Stripe's refund**
  (``StripeRefund.status``): ``INTENT_TRANSITIONS`` and ``STRIPE_REFUND_TRANSITIONS``,
  applied by ``stripe_gateway._move``. These copy what Stripe reports, so a row is keyed by
  the status reported and says from which stored statuses it may be taken. Two rules hold
  for both: a terminal status (``TERMINAL`` on each model) never moves again, and a report
  older than the stored one (``status_at``) never overwrites it. One exception: a
  *succeeded* PaymentIntent is taken whatever is stored and however late it arrives,
  because the money has been received and must be booked (``services.confirm_payment``
  is idempotent and flags money the order no longer expects).

Not a transition: whether a ``Payment`` is *accepted* or *flagged* is decided once, when
``services.confirm_payment`` creates it (right amount, currency and order state, or not),
and never changes afterwards: a flagged payment is never counted and waits for a person
to check it."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Refund
from .stripe_models import StripePaymentIntent, StripeRefund

R = Refund.Status
PI = StripePaymentIntent.Status
S = StripeRefund.Status


# --- the marketplace refund ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One step of a marketplace refund. A refund in ``target`` already is where the step
    leads, and asking again changes nothing. A refund in any other state outside
    ``sources`` has moved on the other way: ``refused`` is the message the step is refused
    with, or, when empty, the step quietly changes nothing."""

    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    refused: str = ""


REFUND_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        # The money went back (Stripe's webhook, or a bank refund recorded by hand).
        Transition("confirm", _("确认退款"), (R.PENDING,), R.CONFIRMED, refused=_("该退款已失败，不能确认。")),
        # The provider refused it: it stops counting against what may still be refunded.
        # A refund already confirmed stays confirmed.
        Transition("fail", _("退款失败"), (R.PENDING,), R.FAILED),
    ]
}


# --- the state at Stripe ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StripeTransition:
    """Stripe reports ``target``: the stored status may become it when it is one of
    ``sources`` and the stored report is no newer than this one (``even_if_older``: however
    old this one is)."""

    target: str
    sources: tuple[str, ...]
    even_if_older: bool = False

    def allows(self, status: str, status_at: int, at: int) -> bool:
        """Whether a row in ``status``, reported at ``status_at``, may take this report made
        at ``at`` (all Unix times). ``_move`` asks the same of the database row."""
        return status in self.sources and (self.even_if_older or status_at <= at)


_OPEN_INTENT = tuple(s for s in PI if s not in StripePaymentIntent.TERMINAL)
_ANY_INTENT = tuple(PI)

INTENT_TRANSITIONS: dict[str, StripeTransition] = {
    t.target: t
    for t in [
        # While open, the intent follows Stripe's latest report, in any order: a buyer may
        # fail, retry, be asked to authenticate, and so on.
        StripeTransition(PI.REQUIRES_PAYMENT_METHOD, _OPEN_INTENT),
        StripeTransition(PI.REQUIRES_CONFIRMATION, _OPEN_INTENT),
        StripeTransition(PI.REQUIRES_ACTION, _OPEN_INTENT),
        StripeTransition(PI.PROCESSING, _OPEN_INTENT),
        StripeTransition(PI.REQUIRES_CAPTURE, _OPEN_INTENT),
        StripeTransition(PI.CANCELED, _OPEN_INTENT),
        # Money received: always taken, even over a canceled intent or a newer report.
        StripeTransition(PI.SUCCEEDED, _ANY_INTENT, even_if_older=True),
    ]
}

_OPEN_REFUND = tuple(s for s in S if s not in StripeRefund.TERMINAL)

STRIPE_REFUND_TRANSITIONS: dict[str, StripeTransition] = {
    t.target: t
    for t in [
        StripeTransition(S.PENDING, _OPEN_REFUND),
        StripeTransition(S.REQUIRES_ACTION, _OPEN_REFUND),
        StripeTransition(S.SUCCEEDED, _OPEN_REFUND),
        StripeTransition(S.FAILED, _OPEN_REFUND),
        StripeTransition(S.CANCELED, _OPEN_REFUND),
    ]
}


def intent_transition(status: str) -> StripeTransition:
    """The row for a PaymentIntent reported in ``status``. A status Stripe adds later (not
    in the table) is stored like an open one."""
    return INTENT_TRANSITIONS.get(status) or StripeTransition(status, _OPEN_INTENT)


def stripe_refund_transition(status: str) -> StripeTransition:
    """The row for a Stripe refund reported in ``status``; an unknown status as an open one."""
    return STRIPE_REFUND_TRANSITIONS.get(status) or StripeTransition(status, _OPEN_REFUND)
