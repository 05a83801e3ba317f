"""Alipay notifications racing on PostgreSQL: ten deliveries of one notification at the
same moment, each in its own thread and database connection, with the return page's query
(``direct.sync_order``) racing them. Exactly one stored notification, one payment; no
deadlock, no 500.

SQLite serialises all writers with a database lock, so these need PostgreSQL
(``DATABASE_URL=postgres://...``) and are skipped on SQLite."""

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from orders.models import Order, OrderLine, OrderStatus, PaymentMethod
from payments import direct
from payments.direct_models import DirectTrade, ProviderNotification
from payments.models import Payment
from tests.concurrency import race

from .alipay_endpoint import post_notification
from .conftest import place_stripe_order

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (DATABASE_URL)"),
]


def values(results: list[tuple[str, object]]) -> list:
    """The value each thread returned, or the exception it raised (the assertions show it)."""
    return [value for _kind, value in results]


def paid_trade(endpoint) -> tuple[Order, DirectTrade]:
    order = place_stripe_order(method=PaymentMethod.ALIPAY)
    checkout = direct.start_payment(order, "alipay", device="desktop", request=RequestFactory().get("/"))
    endpoint.open(checkout.redirect_url)
    trade = DirectTrade.objects.get(order=order)
    endpoint.pay(trade.out_trade_no)
    return order, trade


def test_ten_simultaneous_deliveries_and_a_query_book_one_payment(alipay_endpoint):
    order, trade = paid_trade(alipay_endpoint)
    form = alipay_endpoint.paid_notification(trade.out_trade_no)

    workers = [lambda: post_notification(Client(), form) for _ in range(10)]
    workers.append(lambda: direct.sync_order(Order.objects.get(pk=order.pk), "alipay"))
    results = values(race(workers))

    answers, synced = results[:10], results[10]
    assert [(getattr(a, "status_code", a), getattr(a, "content", None)) for a in answers] == [(200, b"success")] * 10
    assert synced is True
    assert ProviderNotification.objects.count() == 1
    [payment] = Payment.objects.all()
    assert (payment.method, payment.reference, payment.amount_fen, payment.status) == (
        "alipay",
        form["trade_no"],
        13230,
        Payment.Status.ACCEPTED,
    )
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, 13230)
    lines = OrderLine.objects.filter(suborder__order=order).select_related("product")
    assert sorted((line.quantity, line.product.units_sold) for line in lines) == [(1, 1), (2, 2)]
    trade.refresh_from_db()
    assert (trade.status, trade.transaction_id) == ("paid", form["trade_no"])


def test_distinct_notifications_of_one_trade_at_once_do_not_deadlock(alipay_endpoint):
    """Paid and closed notifications of the same trade, each several times at once, with
    queries: the trade ends paid, one payment."""
    order, trade = paid_trade(alipay_endpoint)
    paid = alipay_endpoint.paid_notification(trade.out_trade_no)
    closed = alipay_endpoint.closed_notification(trade.out_trade_no)

    workers = [lambda f=f: post_notification(Client(), f) for f in [closed, paid] * 4]
    workers += [lambda: direct.sync_order(Order.objects.get(pk=order.pk), "alipay") for _ in range(2)]
    results = values(race(workers))

    assert [getattr(r, "status_code", r) for r in results[:8]] == [200] * 8
    assert all(r is True or r is False for r in results[8:]), results[8:]
    assert ProviderNotification.objects.count() == 2
    assert Payment.objects.count() == 1
    trade.refresh_from_db()
    order.refresh_from_db()
    assert (trade.status, order.status) == ("paid", OrderStatus.PAID)
