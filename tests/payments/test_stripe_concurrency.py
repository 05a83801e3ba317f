"""Concurrent redelivery on PostgreSQL: many deliveries of one event at the same moment,
each in its own thread and database connection, and the reconciliation task racing the
webhook. Exactly one stored event, one payment; no deadlock, no 500.

SQLite serialises all writers with a database lock, so these need PostgreSQL
(``DATABASE_URL=postgres://...``) and are skipped on SQLite."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from orders.models import OrderLine, OrderStatus
from payments import stripe_gateway
from payments.models import Payment, StripeEvent, StripePaymentIntent
from payments.tasks import reconcile_stripe_payments
from tests.concurrency import race

from .conftest import deliver, place_stripe_order

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (DATABASE_URL)"),
]


def values(results: list[tuple[str, object]]) -> list:
    """The value each thread returned, or the exception it raised (the assertions show it)."""
    return [value for _kind, value in results]


def test_twelve_simultaneous_deliveries_of_one_event_make_one_payment(fake_stripe):
    order = place_stripe_order()
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    event = fake_stripe.pay(record.intent_id, "wechat_pay")

    answers = values(race([lambda: deliver(Client(), event) for _ in range(12)]))

    assert [getattr(a, "status_code", a) for a in answers] == [200] * 12
    assert sorted(a.json()["duplicate"] for a in answers) == [False] + [True] * 11
    assert StripeEvent.objects.count() == 1
    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.APPLIED
    [payment] = Payment.objects.all()
    assert (payment.method, payment.amount_fen, payment.status) == ("wechat_pay", 13230, "accepted")
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, 13230)
    lines = OrderLine.objects.filter(suborder__order=order).select_related("product")
    assert sorted((line.quantity, line.product.units_sold) for line in lines) == [(1, 1), (2, 2)]


def test_webhook_deliveries_and_reconciliation_racing_book_one_payment(fake_stripe):
    order = place_stripe_order()
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    event = fake_stripe.pay(record.intent_id)
    StripePaymentIntent.objects.filter(pk=record.pk).update(created_at=timezone.now() - dt.timedelta(minutes=30))

    workers = [lambda: deliver(Client(), event) for _ in range(4)] + [reconcile_stripe_payments for _ in range(4)]
    results = values(race(workers))

    assert [getattr(r, "status_code", None) for r in results[:4]] == [200] * 4
    assert all(isinstance(r, dict) and r["errors"] == 0 for r in results[4:]), results[4:]
    assert Payment.objects.count() == 1
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, 13230)


def test_distinct_events_for_one_order_processed_at_once_do_not_deadlock(fake_stripe):
    """A failure and the success of the same intent, each delivered several times at once:
    the order ends paid, the intent succeeded."""
    order = place_stripe_order()
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    failed = fake_stripe.decline(record.intent_id)
    succeeded = fake_stripe.pay(record.intent_id)

    results = values(race([lambda e=e: deliver(Client(), e) for e in [failed, succeeded] * 4]))

    assert [getattr(r, "status_code", r) for r in results] == [200] * 8
    assert StripeEvent.objects.count() == 2
    assert Payment.objects.count() == 1
    record.refresh_from_db()
    assert record.status == "succeeded"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
