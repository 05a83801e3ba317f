"""What the attribution ledger announces: entries were just booked (a sale's split, a
refund's reversal). The report summaries (``reports``, a layer above) receive it and add
the entries up in the same transaction (``reports/apps.py``), so summaries and ledger
commit or roll back together. The whole path from a paid line: ``orders/events.py``."""

from django.dispatch import Signal

# sender=LedgerEntry; kwargs: entries (the LedgerEntry rows just written, saved).
entries_booked = Signal()
