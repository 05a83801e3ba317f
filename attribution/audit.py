"""Reconciling the ledger against orders, payments and refunds (``manage.py audit_ledger``
and the periodic Celery task ``attribution.audit_ledger``).

Every check is a grouped aggregate in the database; Python only compares the figures, so
a million entries take seconds, not hours. What must hold:

1. a paid order line has sale entries adding up to unit price × quantity, and an unpaid
   line has no entries;
2. all entries of a line add up to unit price × (quantity − refunded quantity);
3. a confirmed refund line has reversing entries adding up to minus its amount; a
   pending or failed refund has none;
4. no beneficiary holds less than zero from any line;
5. each entry agrees with its line on the order, the product and whether the product was
   certified at payment;
6. for a paid order, accepted payments add up to what the order says was received,
   confirmed refunds to what it says was refunded, and the entries of its lines to the
   difference.
"""

import time
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from core.money import yuan
from orders.models import Order, OrderLine, OrderStatus
from payments.models import Payment, Refund, RefundLine

from .models import EntryKind, LedgerEntry


@dataclass(frozen=True)
class Discrepancy:
    order_number: str
    what: str
    line_id: int | None = None

    def __str__(self) -> str:
        if self.line_id:
            where = _("订单 %(order)s 明细 %(line)s") % {"order": self.order_number, "line": self.line_id}
        else:
            where = _("订单 %(order)s") % {"order": self.order_number}
        return _("%(where)s：%(what)s") % {"where": where, "what": self.what}


@dataclass
class AuditReport:
    entries: int = 0
    lines: int = 0
    orders: int = 0
    seconds: float = 0.0
    discrepancies: list[Discrepancy] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.discrepancies


def audit_ledger() -> AuditReport:
    started = time.monotonic()
    report = AuditReport()
    found = report.discrepancies

    per_line = {
        row["order_line_id"]: row
        for row in LedgerEntry.objects.values("order_line_id").annotate(
            total=Sum("amount_fen"),
            sales=Sum("amount_fen", filter=Q(kind=EntryKind.SALE), default=0),
            refunds=Sum("amount_fen", filter=Q(kind=EntryKind.REFUND), default=0),
        )
    }
    report.entries = LedgerEntry.objects.count()
    confirmed_refunds = dict(
        RefundLine.objects.filter(refund__status=Refund.Status.CONFIRMED)
        .values("line_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("line_id", "s")
    )
    lines = OrderLine.objects.filter(
        Q(paid_at__isnull=False) | Exists(LedgerEntry.objects.filter(order_line=OuterRef("pk")))
    )
    for line in lines.values(
        "pk",
        "paid_at",
        "unit_price_fen",
        "quantity",
        "refunded_quantity",
        "suborder__order__number",
    ).iterator(chunk_size=5000):
        report.lines += 1
        pk, number = line["pk"], line["suborder__order__number"]
        got = per_line.get(pk)
        if line["paid_at"] is None:
            if got:
                found.append(
                    Discrepancy(number, _("未付款的明细有台账记录 %(amount)s") % {"amount": yuan(got["total"])}, pk)
                )
            continue
        gross = line["unit_price_fen"] * line["quantity"]
        net = line["unit_price_fen"] * (line["quantity"] - line["refunded_quantity"])
        if got is None:
            found.append(
                Discrepancy(number, _("已付款明细没有台账记录（应为 %(amount)s）") % {"amount": yuan(gross)}, pk)
            )
            continue
        if got["sales"] != gross:
            found.append(
                Discrepancy(
                    number,
                    _("销售记账合计 %(got)s，应为 %(want)s") % {"got": yuan(got["sales"]), "want": yuan(gross)},
                    pk,
                )
            )
        if got["total"] != net:
            found.append(
                Discrepancy(
                    number,
                    _("台账净额 %(got)s，应为已付减已退 %(want)s") % {"got": yuan(got["total"]), "want": yuan(net)},
                    pk,
                )
            )
        refunded = confirmed_refunds.get(pk, 0)
        if -got["refunds"] != refunded:
            found.append(
                Discrepancy(
                    number,
                    _("冲减合计 %(got)s，已确认退款 %(want)s") % {"got": yuan(-got["refunds"]), "want": yuan(refunded)},
                    pk,
                )
            )

    _check_refund_lines(found)
    _check_negative_holdings(found)
    _check_entry_attributes(found)
    report.orders = _check_orders(found)
    report.seconds = time.monotonic() - started
    return report


def _check_refund_lines(found: list[Discrepancy]) -> None:
    per_refund_line = dict(
        LedgerEntry.objects.filter(kind=EntryKind.REFUND)
        .values("refund_line_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("refund_line_id", "s")
    )
    rows = RefundLine.objects.filter(
        Q(refund__status=Refund.Status.CONFIRMED) | Exists(LedgerEntry.objects.filter(refund_line=OuterRef("pk")))
    ).values("pk", "line_id", "amount_fen", "refund__status", "refund__order__number")
    for row in rows.iterator(chunk_size=5000):
        booked = -per_refund_line.get(row["pk"], 0)
        number = row["refund__order__number"]
        if row["refund__status"] != Refund.Status.CONFIRMED:
            found.append(
                Discrepancy(
                    number,
                    _("未确认的退款（%(status)s）已冲减 %(amount)s")
                    % {"status": row["refund__status"], "amount": yuan(booked)},
                    row["line_id"],
                )
            )
        elif booked != row["amount_fen"]:
            found.append(
                Discrepancy(
                    number,
                    _("退款明细 %(line)s 冲减 %(booked)s，退款金额 %(amount)s")
                    % {"line": row["pk"], "booked": yuan(booked), "amount": yuan(row["amount_fen"])},
                    row["line_id"],
                )
            )


def _check_negative_holdings(found: list[Discrepancy]) -> None:
    negative = (
        LedgerEntry.objects.values("order_line_id", "beneficiary_key", "order__number")
        .annotate(s=Sum("amount_fen"))
        .filter(s__lt=0)
    )
    for row in negative:
        found.append(
            Discrepancy(
                row["order__number"],
                _("受益方 %(who)s 余额为负（%(amount)s）") % {"who": row["beneficiary_key"], "amount": yuan(row["s"])},
                row["order_line_id"],
            )
        )


def _check_entry_attributes(found: list[Discrepancy]) -> None:
    mismatched = (
        LedgerEntry.objects.exclude(order_id=F("order_line__suborder__order_id"))
        | LedgerEntry.objects.exclude(product_id=F("order_line__product_id"))
        | LedgerEntry.objects.exclude(certified_at_payment=F("order_line__certified_at_payment"))
    )
    seen = set()
    for row in mismatched.values("order_line_id", "order_line__suborder__order__number")[:1000]:
        if row["order_line_id"] in seen:
            continue
        seen.add(row["order_line_id"])
        found.append(
            Discrepancy(
                row["order_line__suborder__order__number"],
                _("台账记录的订单、商品或认定状态与订单明细不一致"),
                row["order_line_id"],
            )
        )


def _check_orders(found: list[Discrepancy]) -> int:
    paid_states = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)
    ledger = dict(LedgerEntry.objects.values("order_id").annotate(s=Sum("amount_fen")).values_list("order_id", "s"))
    accepted = dict(
        Payment.objects.filter(status=Payment.Status.ACCEPTED)
        .values("order_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("order_id", "s")
    )
    refunded = dict(
        Refund.objects.filter(status=Refund.Status.CONFIRMED)
        .values("order_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("order_id", "s")
    )
    checked = 0
    orders = Order.objects.filter(
        Q(status__in=paid_states) | Exists(LedgerEntry.objects.filter(order=OuterRef("pk")))
    ).values("pk", "number", "status", "paid_fen", "refunded_fen", "total_fen")
    for order in orders.iterator(chunk_size=5000):
        checked += 1
        pk, number = order["pk"], order["number"]
        if order["status"] not in paid_states:
            found.append(
                Discrepancy(
                    number,
                    _("订单状态为 %(status)s，却有台账记录 %(amount)s")
                    % {"status": order["status"], "amount": yuan(ledger[pk])},
                )
            )
            continue
        if accepted.get(pk, 0) != order["paid_fen"]:
            received = yuan(accepted.get(pk, 0))
            found.append(
                Discrepancy(
                    number,
                    _("已入账收款 %(received)s，订单记已收 %(paid)s")
                    % {"received": received, "paid": yuan(order["paid_fen"])},
                )
            )
        if order["paid_fen"] != order["total_fen"]:
            found.append(
                Discrepancy(
                    number,
                    _("已付款订单收款 %(paid)s，不等于应付 %(total)s")
                    % {"paid": yuan(order["paid_fen"]), "total": yuan(order["total_fen"])},
                )
            )
        if refunded.get(pk, 0) != order["refunded_fen"]:
            found.append(
                Discrepancy(
                    number,
                    _("已确认退款 %(confirmed)s，订单记已退 %(booked)s")
                    % {"confirmed": yuan(refunded.get(pk, 0)), "booked": yuan(order["refunded_fen"])},
                )
            )
        expected = order["paid_fen"] - order["refunded_fen"]
        if ledger.get(pk, 0) != expected:
            found.append(
                Discrepancy(
                    number,
                    _("台账合计 %(got)s，应为已收减已退 %(want)s")
                    % {"got": yuan(ledger.get(pk, 0)), "want": yuan(expected)},
                )
            )
    return checked


__all__ = ["AuditReport", "Discrepancy", "audit_ledger"]
