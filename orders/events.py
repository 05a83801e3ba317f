"""What buying announces to the apps above it: a line became paid, part of a line was
refunded. The attribution ledger and the report summaries live above orders, so orders
does not call them; it sends these events and they act — synchronously, in the same
transaction and under the same ``lock_order``, so an exception anywhere rolls the payment
back with everything it wrote.

How a paid line becomes ledger entries and report figures, step by step:

1. ``payments.services.confirm_payment`` books money received for an order and hands it to
   ``orders.services.record_money_received``;
2. when the order total is in, ``orders.services.mark_order_paid`` moves the order and its
   sub-orders to paid, and ``mark_line_paid`` snapshots each line as it is at this moment —
   the certificate valid now (only a product certified at payment counts as consumption
   support) and the benefit-linkage version in force — and counts the units sold
   (``catalog.services.count_sold``);
3. ``line_paid`` (below) is sent; ``attribution`` receives it (``attribution/apps.py``) and
   writes the line's ledger entries: its amount split over the linkage's beneficiaries by
   largest remainder, the producer taking the rest (``attribution.services.write_sale_entries``);
4. the ledger sends ``attribution.events.entries_booked`` with the new entries; ``reports``
   receives it and adds them to the summary tables (``reports.services.apply_entries``).

A confirmed refund goes the same way: ``payments.services.confirm_refund`` →
``orders.services.book_refund`` → ``mark_line_refunded`` → ``line_refunded`` →
``attribution.services.write_refund_entries`` (reversing entries) → ``entries_booked`` →
the summaries.

A parcel that ships announces ``parcel_shipped``; ``reports`` counts its paid lines of
certified products as traced or untraced (the batch each was packed from) in its 溯源
summary (``reports.services.count_traced_lines``).

Nothing listening would lose sales silently, so ``orders/checks.py`` refuses to start
without a receiver of each event."""

from django.dispatch import Signal

# sender=OrderLine; kwargs: line (just paid, snapshots set), order (locked), product (locked).
line_paid = Signal()

# sender=OrderLine; kwargs: line, refund_line (payments' row: quantity and amount of this
# refund for the line), order (locked), product (locked), at (when the refund was confirmed).
line_refunded = Signal()

# sender=SubOrder; kwargs: suborder (just shipped, its lines' batches recorded), order (locked).
parcel_shipped = Signal()
