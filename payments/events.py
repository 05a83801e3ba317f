"""What the refund path announces to apps above payments: a refund's money went back
(``services.confirm_refund``) or the provider refused it (``services.fail_refund``). The
after-sales app listens, to close the request that started the refund. Sent inside the
transaction that moved the refund (under ``lock_order``), once per move."""

from django.dispatch import Signal

# sender=Refund; kwargs: refund (confirmed, lines booked, order updated).
refund_confirmed = Signal()

# sender=Refund; kwargs: refund (failed; it no longer counts against what may be refunded).
refund_failed = Signal()
