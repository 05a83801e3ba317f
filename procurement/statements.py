"""An organisation's monthly statement (对账单): what its finance people reconcile against the
bank and the invoices, month by month (calendar months in Asia/Shanghai).

**Which orders a month shows.** A real 对账单 shows the month's activity and the balance
carried, so an order of the unit is on the statement of month M when it was placed before M
ended and

* it was placed in M; or
* money moved on it in M: a payment received (accepted, not one flagged for checking) or a
  refund confirmed; or
* one of its parcels was accepted (验收) in M, or an invoice of it was issued in M; or
* it was still unpaid when M began (the balance carried: placed earlier, neither cancelled
  nor returned by then, total above what had been received by then).

An order paid and settled in an earlier month, with nothing happening to it in M, is not on
M's statement; an order cancelled or returned before M began neither.

**What each figure means** (integer fen; every figure is dated, so a past month's statement
reads the same whenever it is printed):

* *paid* / *refunded*: the payments received / refunds confirmed in M;
* *unpaid at month end* (月末未付): the total less what was received before M ended — nought
  for an order cancelled or returned by then; an order still waiting for approval counts (it
  stands until it is approved or returned);
* *opening* (期初未付): the same at the start of M, for the orders carried in;
* *ordered* (本月下单): the totals of the orders placed in M, less those cancelled or returned
  by the end of M;
* *cancelled* (期初未付订单本月取消): what was unpaid of carried orders cancelled or
  returned in M;
  so that opening + ordered − paid − cancelled = unpaid at month end, to the fen. A refund
  gives money back on a paid order and does not change what is unpaid;
* *due date* (付款期限), for an order on terms (pays N days after acceptance) whose every
  parcel was settled (accepted, received, cancelled or refunded) by the end of M: the last
  Shanghai day to pay; *overdue* when that day ended before M did (or before now, for the
  month in progress) with money still unpaid.

The statuses shown are those at the end of M, read from the order's history (``OrderEvent``)
and the invoice's (``InvoiceStep``); an acceptance or an invoice made after M is not shown.

Reads only: a list of months is one pass over the orders that can be on any of them, with a
fixed number of queries whatever the number of orders (prefetched)."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from core.days import day_start
from invoices.models import Invoice, InvoiceStep
from invoices.states import Status as InvoiceStatus
from orders.models import OrderEvent, SubOrder
from orders.states import FulfilmentStatus, OrderStatus
from payments.models import Payment, Refund

from .models import Acceptance, AcceptanceResult, Organisation, OrganisationOrder

MONTHS_LISTED = 12
FIRST_YEAR = 2000
# An order in one of these owes nothing.
CLOSED = (OrderStatus.CANCELLED, OrderStatus.RETURNED)
# A parcel in one of these has nothing more to accept: an order on terms falls due from the last.
SETTLED_PARCELS = (FulfilmentStatus.COMPLETED, FulfilmentStatus.CANCELLED, FulfilmentStatus.REFUNDED)
# An invoice in one of these carries a number the buyer holds.
NUMBERED = (InvoiceStatus.ISSUED, InvoiceStatus.CONFIRMED)

Month = tuple[int, int]


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """[00:00 of its first day, 00:00 of the next month's) in Asia/Shanghai."""
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return day_start(dt.date(year, month, 1)), day_start(following)


def months_back(count: int = MONTHS_LISTED, today: dt.date | None = None) -> list[Month]:
    """This month and the ``count - 1`` before it, newest first."""
    today = today or timezone.localdate()
    year, month = today.year, today.month
    months = []
    for _i in range(count):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def parse_month(raw) -> Month | None:
    """``"2026-03"`` → (2026, 3); None for anything else, a month before 2000 or one that has
    not begun (Asia/Shanghai)."""
    raw = str(raw or "")
    if len(raw) != 7 or raw[4] != "-" or not (raw[:4] + raw[5:]).isascii() or not (raw[:4] + raw[5:]).isdigit():
        return None
    year, month = int(raw[:4]), int(raw[5:])
    today = timezone.localdate()
    if not 1 <= month <= 12 or year < FIRST_YEAR or (year, month) > (today.year, today.month):
        return None
    return year, month


def status_at(events, moment: dt.datetime, current: str) -> str:
    """A row's status at ``moment`` from its history (oldest first): the last move before it;
    before the first move, the status that move started from; with no history, ``current``."""
    before = [e for e in events if e.at < moment]
    if before:
        return before[-1].to_status
    if events and events[0].from_status:
        return events[0].from_status
    return current


@dataclass
class Parcel:
    shop: str
    subtotal_fen: int
    status: str  # its fulfilment status at month end, as shown
    acceptance: str = ""  # the result, when accepted before month end
    accepted_on: dt.date | None = None
    invoice_kind: str = ""
    invoice_status: str = ""
    invoice_number: str = ""


@dataclass
class StatementOrder:
    number: str
    placed_at: dt.datetime  # Asia/Shanghai
    purchaser: str
    status: str  # at month end, as shown
    total_fen: int
    paid_fen: int  # received in the month
    refunded_fen: int  # refunded in the month
    opening_fen: int  # unpaid when the month began (0 unless carried in)
    outstanding_fen: int  # unpaid at month end
    placed_in_month: bool
    closed: bool  # cancelled or returned by month end
    terms_days: int | None = None
    due_on: dt.date | None = None  # the last day to pay, once its clock started by month end
    overdue: bool = False
    parcels: list[Parcel] = field(default_factory=list)

    @property
    def placed_on(self) -> dt.date:
        return self.placed_at.date()


@dataclass
class Statement:
    organisation: Organisation
    year: int
    month: int
    start: dt.datetime
    end: dt.datetime
    generated_at: dt.datetime  # Asia/Shanghai
    orders: list[StatementOrder] = field(default_factory=list)
    opening_fen: int = 0
    ordered_fen: int = 0
    paid_fen: int = 0
    refunded_fen: int = 0
    cancelled_fen: int = 0
    outstanding_fen: int = 0
    overdue_fen: int = 0

    @property
    def key(self) -> str:
        """As the URLs spell it: 2026-03."""
        return f"{self.year}-{self.month:02d}"

    @property
    def last_day(self) -> dt.date:
        return (self.end - dt.timedelta(days=1)).date()

    @property
    def in_progress(self) -> bool:
        """The month has not ended yet: its figures run to the time generated."""
        return self.generated_at < self.end


def _candidates(organisation: Organisation, start: dt.datetime, end: dt.datetime):
    """The unit's orders that may be on the statement of a month in [start, end): one query
    for them, and one per prefetched relation, whatever their number."""
    order = OuterRef("order_id")

    def within(prefix: str) -> dict:
        return {f"{prefix}__gte": start, f"{prefix}__lt": end}

    moved = (
        Q(placed_at__gte=start)
        | Exists(Payment.objects.filter(order=order, status=Payment.Status.ACCEPTED, **within("received_at")))
        | Exists(Refund.objects.filter(order=order, status=Refund.Status.CONFIRMED, **within("confirmed_at")))
        | Exists(Acceptance.objects.filter(suborder__order=order, **within("accepted_at")))
        | Exists(Invoice.objects.filter(order=order, **within("issued_at")))
    )
    # Possibly unpaid when the range began: not paid in full before it, not closed before it
    # (the exact figure is worked out per month below).
    carried = (Q(order__paid_at__isnull=True) | Q(order__paid_at__gte=start)) & ~Exists(
        OrderEvent.objects.filter(order=order, suborder__isnull=True, to_status__in=CLOSED, at__lt=start)
    )
    return (
        OrganisationOrder.objects.filter(organisation=organisation, placed_at__lt=end)
        .filter(moved | carried)
        .select_related("order", "purchaser")
        .prefetch_related(
            Prefetch("order__suborders", queryset=SubOrder.objects.select_related("shop", "acceptance").order_by("pk")),
            Prefetch(
                "order__events",
                queryset=OrderEvent.objects.only("order_id", "suborder_id", "from_status", "to_status", "at").order_by(
                    "at", "pk"
                ),
            ),
            Prefetch(
                "order__payments",
                queryset=Payment.objects.filter(status=Payment.Status.ACCEPTED, received_at__lt=end).only(
                    "order_id", "amount_fen", "received_at"
                ),
            ),
            Prefetch(
                "order__refunds",
                queryset=Refund.objects.filter(status=Refund.Status.CONFIRMED, confirmed_at__lt=end).only(
                    "order_id", "amount_fen", "confirmed_at"
                ),
            ),
            Prefetch(
                "order__invoices",
                queryset=Invoice.objects.filter(created_at__lt=end)
                .only("order_id", "suborder_id", "kind", "status", "number", "created_at", "issued_at")
                .order_by("created_at", "pk")
                .prefetch_related(
                    Prefetch(
                        "steps",
                        queryset=InvoiceStep.objects.only("invoice_id", "from_status", "to_status", "at").order_by(
                            "at", "pk"
                        ),
                    )
                ),
            ),
        )
        .order_by("placed_at", "pk")
    )


def _acceptance(suborder: SubOrder) -> Acceptance | None:
    try:
        return suborder.acceptance
    except ObjectDoesNotExist:
        return None


def _parcel(suborder: SubOrder, events, invoices, end: dt.datetime) -> tuple[Parcel, str]:
    status = status_at(events, end, suborder.status)
    parcel = Parcel(
        shop=suborder.shop.name, subtotal_fen=suborder.subtotal_fen, status=str(FulfilmentStatus(status).label)
    )
    acceptance = _acceptance(suborder)
    if acceptance is not None and acceptance.accepted_at < end:
        parcel.acceptance = str(AcceptanceResult(acceptance.result).label)
        parcel.accepted_on = timezone.localtime(acceptance.accepted_at).date()
    # The parcel's invoice as it stood at month end: the latest asked for by then and not withdrawn.
    for invoice in reversed(invoices):
        invoice_status = status_at(list(invoice.steps.all()), end, invoice.status)
        if invoice_status == InvoiceStatus.WITHDRAWN:
            continue
        parcel.invoice_kind = invoice.get_kind_display()
        parcel.invoice_status = str(InvoiceStatus(invoice_status).label)
        parcel.invoice_number = invoice.number if invoice_status in NUMBERED else ""
        break
    return parcel, status


def _on_statement(link: OrganisationOrder, start: dt.datetime, end: dt.datetime, now: dt.datetime):
    """The order as month [start, end) shows it, or None when it is not on that statement."""
    order = link.order
    if link.placed_at >= end:
        return None
    events = list(order.events.all())
    order_events = [e for e in events if e.suborder_id is None]
    payments = list(order.payments.all())
    refunds = list(order.refunds.all())
    paid_before = sum(p.amount_fen for p in payments if p.received_at < start)
    paid_by_end = sum(p.amount_fen for p in payments if p.received_at < end)
    refunded = sum(r.amount_fen for r in refunds if start <= r.confirmed_at < end)
    placed_in_month = link.placed_at >= start
    opening = 0
    if not placed_in_month and status_at(order_events, start, order.status) not in CLOSED:
        opening = max(0, order.total_fen - paid_before)
    status = status_at(order_events, end, order.status)
    closed = status in CLOSED
    outstanding = 0 if closed else max(0, order.total_fen - paid_by_end)

    invoices_by_parcel: dict[int, list] = {}
    for invoice in order.invoices.all():
        invoices_by_parcel.setdefault(invoice.suborder_id, []).append(invoice)
    parcels, settled, touched = [], True, False
    for suborder in order.suborders.all():
        parcel, parcel_status = _parcel(
            suborder,
            [e for e in events if e.suborder_id == suborder.pk],
            invoices_by_parcel.get(suborder.pk, []),
            end,
        )
        parcels.append(parcel)
        settled = settled and parcel_status in SETTLED_PARCELS
        acceptance = _acceptance(suborder)
        touched = touched or (acceptance is not None and start <= acceptance.accepted_at < end)
    touched = touched or any(i.issued_at and start <= i.issued_at < end for i in order.invoices.all())
    paid = paid_by_end - paid_before
    if not (placed_in_month or paid or refunded or opening or touched):
        return None

    row = StatementOrder(
        number=order.number,
        placed_at=timezone.localtime(link.placed_at),
        purchaser=link.purchaser.get_full_name() or link.purchaser.get_username(),
        status=str(OrderStatus(status).label),
        total_fen=order.total_fen,
        paid_fen=paid,
        refunded_fen=refunded,
        opening_fen=opening,
        outstanding_fen=outstanding,
        placed_in_month=placed_in_month,
        closed=closed,
        terms_days=order.payment_terms_days,
        parcels=parcels,
    )
    if order.payment_terms_days and settled and not closed and parcels:
        # Due by the end of the day before ``payment_due_at`` (orders.services.terms_due_at).
        row.due_on = timezone.localtime(order.payment_due_at).date() - dt.timedelta(days=1)
        row.overdue = outstanding > 0 and order.payment_due_at < min(end, now)
    return row


def statements(organisation: Organisation, months: list[Month]) -> list[Statement]:
    """The statements of ``months`` (any order), in that order: one pass over the orders."""
    if not months:
        return []
    bounds = [month_bounds(year, month) for year, month in months]
    links = list(_candidates(organisation, min(b[0] for b in bounds), max(b[1] for b in bounds)))
    now = timezone.now()
    result = []
    for (year, month), (start, end) in zip(months, bounds, strict=True):
        statement = Statement(
            organisation=organisation,
            year=year,
            month=month,
            start=start,
            end=end,
            generated_at=timezone.localtime(now),
        )
        for link in links:
            row = _on_statement(link, start, end, now)
            if row is None:
                continue
            statement.orders.append(row)
            statement.opening_fen += row.opening_fen
            statement.paid_fen += row.paid_fen
            statement.refunded_fen += row.refunded_fen
            statement.outstanding_fen += row.outstanding_fen
            if row.placed_in_month and not row.closed:
                statement.ordered_fen += row.total_fen
            if row.opening_fen and row.closed:
                statement.cancelled_fen += row.opening_fen
            if row.overdue:
                statement.overdue_fen += row.outstanding_fen
        result.append(statement)
    return result


def statement(organisation: Organisation, year: int, month: int) -> Statement:
    return statements(organisation, [(year, month)])[0]
