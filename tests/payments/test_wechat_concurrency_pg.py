"""WeChat Pay notifications at the same moment on PostgreSQL: each in its own thread and
database connection (``tests.concurrency.race``), through the notify URL with Django's test
client, against the local WeChat endpoint. One stored notification per event, one
payment; no 500, no deadlock.

SQLite serialises all writers with a database lock, so these need PostgreSQL
(``DATABASE_URL=postgres://...``) and are skipped on SQLite."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from orders.models import OrderLine, OrderStatus, PaymentMethod
from payments import direct
from payments.models import DirectTrade, Payment, ProviderNotification
from tests.concurrency import race

from .conftest import place_stripe_order
from .wechat_endpoint import post_notification

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (DATABASE_URL)"),
]

WECHAT = "wechat_pay"
TOTAL = 13230


def values(results: list[tuple[str, object]]) -> list:
    """The value each thread returned, or the exception it raised (the assertions show it)."""
    return [value for _kind, value in results]


def paid_at_wechat(endpoint):
    """An order whose QR trade the buyer paid at WeChat: (order, out_trade_no, transaction id)."""
    order = place_stripe_order(method=PaymentMethod.WECHAT_PAY)
    trade = direct.open_trade(order.pk, WECHAT, "native")
    direct.client_for(WECHAT).create(
        trade, description="消费帮扶商城订单", client_ip="203.0.113.7", return_url="http://x/"
    )
    return order, trade.out_trade_no, endpoint.pay(trade.out_trade_no)


def test_ten_simultaneous_deliveries_of_one_notification_make_one_payment(wechat_endpoint):
    order, out_trade_no, transaction_id = paid_at_wechat(wechat_endpoint)
    headers, body = wechat_endpoint.paid_notification(out_trade_no)

    answers = values(race([lambda: post_notification(Client(), headers, body) for _ in range(10)]))

    assert [getattr(a, "status_code", a) for a in answers] == [204] * 10
    assert ProviderNotification.objects.count() == 1
    assert ProviderNotification.objects.get().processed_at is not None
    [payment] = Payment.objects.all()
    assert (payment.method, payment.reference, payment.amount_fen, payment.status) == (
        WECHAT,
        transaction_id,
        TOTAL,
        "accepted",
    )
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, TOTAL)
    lines = OrderLine.objects.filter(suborder__order=order).select_related("product")
    assert sorted((line.quantity, line.product.units_sold) for line in lines) == [(1, 1), (2, 2)]


def test_notifications_queries_and_reconciliation_racing_book_one_payment(wechat_endpoint):
    """Two deliveries of the payment (WeChat gave the second its own id), each posted three
    times, the return page's query three times and the reconciliation twice, all at once."""
    order, out_trade_no, transaction_id = paid_at_wechat(wechat_endpoint)
    DirectTrade.objects.update(created_at=timezone.now() - dt.timedelta(minutes=20))
    first = wechat_endpoint.paid_notification(out_trade_no)
    second = wechat_endpoint.paid_notification(out_trade_no)

    workers = [lambda n=n: post_notification(Client(), *n) for n in [first, second] * 3]
    workers += [lambda: direct.sync_order(order, WECHAT) for _ in range(3)]
    workers += [direct.reconcile_direct_payments for _ in range(2)]
    results = values(race(workers))

    assert [getattr(r, "status_code", r) for r in results[:6]] == [204] * 6
    assert results[6:9] == [True] * 3
    assert all(isinstance(r, dict) and r["errors"] == 0 for r in results[9:]), results[9:]
    assert ProviderNotification.objects.count() == 2
    assert list(Payment.objects.values_list("reference", "status")) == [(transaction_id, "accepted")]
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, TOTAL)
    assert DirectTrade.objects.get().status == "paid"


def test_a_payment_and_a_closed_report_at_once_leave_the_order_paid(wechat_endpoint):
    order, out_trade_no, transaction_id = paid_at_wechat(wechat_endpoint)
    paid = wechat_endpoint.paid_notification(out_trade_no)
    closed_resource = dict(wechat_endpoint.transaction(out_trade_no), trade_state="CLOSED")
    closed = wechat_endpoint.notification("TRANSACTION.SUCCESS", closed_resource)

    results = values(race([lambda n=n: post_notification(Client(), *n) for n in [closed, paid] * 4]))

    assert [getattr(r, "status_code", r) for r in results] == [204] * 8
    assert ProviderNotification.objects.count() == 2
    assert Payment.objects.count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert DirectTrade.objects.get().status == "paid"
