"""The payment state machines: which status may follow which, as tables, each applied by
one function. Nothing else sets these status fields once the row exists.

- **A marketplace refund** (``Refund.status``): ``REFUND_TRANSITIONS``, applied by
  ``services._move_refund``. A refund starts *pending* and ends *confirmed* (the money went
  back) or *failed* (it did not); it never leaves either. Asking again for the step already
  taken changes nothing (a webhook and its redeliveries confirm a refund once).

Not a transition: whether a ``Payment`` is *accepted* or *flagged* is decided once, when
``services.confirm_payment`` creates it (right amount, currency and order state, or not),
and never changes afterwards: a flagged payment is never counted and waits for a person
to check it."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Refund

R = Refund.Status


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
        Transition("confirm", _("确认退款"), (R.PENDING,), R.CONFIRMED, refused="该退款已失败，不能确认。"),
        # The provider refused it: it stops counting against what may still be refunded.
        # A refund already confirmed stays confirmed.
        Transition("fail", _("退款失败"), (R.PENDING,), R.FAILED),
    ]
}
