"""A Celery worker is SIGKILLed in the middle of booking a Stripe payment: the payment is
applied exactly once afterwards.

The pause is taken on the database side, in the middle of the paying transaction: the
test holds the report summaries' advisory lock (``reports.services.SUMMARY_LOCK_KEY``),
which ``apply_entries`` takes after ``confirm_payment`` has locked the order and its
products, stored the Payment, marked the lines paid and written the first line's ledger
entries. The worker (prefork pool, as in production) waits there, uncommitted, and is
killed. Its transaction never commits. The message is acknowledged only when the task is
done (``acks_late``):

* whole worker killed (parent and pool process, as when the machine loses them): the
  message goes back to the queue after the visibility timeout and a new worker applies it;
* pool process killed: the worker's parent puts the message back at once
  (``reject_on_worker_lost``) and its next pool process applies it.

Without ``acks_late`` the prefork parent acknowledges before the task runs, and both
tests fail: the event is left unprocessed (until reconciliation, 15 minutes later)."""

import os
import signal
import time
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from attribution.models import LedgerEntry
from catalog.models import Product
from orders.models import Order, OrderLine, OrderStatus
from payments import stripe_gateway
from payments.models import Payment, StripeEvent
from reports.services import SUMMARY_LOCK_KEY
from tests.factories import place_order_for
from tests.payments.conftest import PUBLISHABLE_KEY, SECRET_KEY, WEBHOOK_SECRET, deliver
from tests.processes import sending_app, start_celery_worker, wait_for

from .conftest import backend_alive, backends_waiting_for_advisory_lock

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 5  # seconds before an unacknowledged message goes back to the queue


def assert_nothing_booked(order, event_id: str, yam) -> None:
    assert StripeEvent.objects.get(event_id=event_id).processed_at is None
    assert not Payment.objects.filter(order=order).exists()
    assert not LedgerEntry.objects.filter(order=order).exists()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT
    assert Product.objects.get(pk=yam.pk).units_sold == 0


@pytest.mark.parametrize("killed", ["whole worker", "pool process"])
def test_worker_killed_while_booking_a_stripe_payment_books_it_exactly_once(
    killed, postgres_only, redis_broker_url, ledger_world, fake_stripe, client, settings, tmp_path, capsys
):
    w = ledger_world
    order = place_order_for([(w.yam, 2), (w.oil, 1)], method="card")  # 2 × 38.80 + 128.00
    record, _secret = stripe_gateway.ensure_payment_intent(order)
    event = fake_stripe.pay(record.intent_id, "wechat_pay")

    queue = f"test-faults-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "workers.log"
    worker_env = {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": fake_stripe.url,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }
    workers = []

    def start_worker():
        worker = start_celery_worker(
            broker_url=redis_broker_url, queue=queue, log_path=log_path, env=worker_env, pool="prefork"
        )
        workers.append(worker)
        return worker

    try:
        with sending_app(redis_broker_url, queue, settings):
            worker = start_worker()
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [SUMMARY_LOCK_KEY])
            try:
                assert deliver(client, event).status_code == 200  # stored; the task is sent after commit
                delivered_at = time.monotonic()
                wait_for(
                    lambda: backends_waiting_for_advisory_lock(SUMMARY_LOCK_KEY),
                    "worker waiting inside the paying transaction",
                    alive=worker.process,
                )
                (worker_backend,) = backends_waiting_for_advisory_lock(SUMMARY_LOCK_KEY)
                if killed == "whole worker":
                    worker.kill()
                else:
                    (pool_process,) = worker.pool_processes()
                    os.kill(pool_process, signal.SIGKILL)
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [SUMMARY_LOCK_KEY])

            # The killed process's transaction dies with its connection.
            wait_for(lambda: not backend_alive(worker_backend), "end of the killed process's database session")
            if killed == "whole worker":
                assert_nothing_booked(order, event["id"], w.yam)
                # Never acknowledged: once the visibility timeout has passed, a new worker
                # takes the message back from Redis.
                wait_for(lambda: time.monotonic() - delivered_at > VISIBILITY_TIMEOUT + 1, "visibility timeout")
                worker = start_worker()
            # A new worker starts (Django, the prefork pool) and then takes the message back on one
            # of its restore cycles: on a loaded CI machine that once took more than a minute.
            worker.wait_until(
                lambda: StripeEvent.objects.filter(event_id=event["id"], processed_at__isnull=False).exists(),
                "Stripe event processed after the kill",
                seconds=180,
            )
    finally:
        for started in workers:
            started.stop()
        # pytest shows a test's output only when it failed: the workers' log.
        print(f"--- celery workers' log ({log_path}) ---\n{log_path.read_text() if log_path.exists() else ''}")

    row = StripeEvent.objects.get(event_id=event["id"])
    assert (row.outcome, row.last_error) == (StripeEvent.Outcome.APPLIED, "")
    payments = list(Payment.objects.filter(order=order).values_list("status", "method", "amount_fen", "reference"))
    assert payments == [(Payment.Status.ACCEPTED, "wechat_pay", 20560, record.intent_id)]
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, 20560)
    # Each line's entries once: yam 7760 fen to three households, the collective and the
    # cooperative (30/25/10/15 % and the rest); oil 12800 to 陈芳 (40 %) and its producer.
    yam_line = OrderLine.objects.get(suborder__order=order, product=w.yam)
    oil_line = OrderLine.objects.get(suborder__order=order, product=w.oil)
    entries = sorted(LedgerEntry.objects.filter(order=order).values_list("order_line_id", "amount_fen"))
    assert entries == sorted(
        [(yam_line.pk, a) for a in (2328, 1940, 776, 1164, 1552)] + [(oil_line.pk, a) for a in (5120, 7680)]
    )
    assert (Product.objects.get(pk=w.yam.pk).units_sold, Product.objects.get(pk=w.oil.pk).units_sold) == (2, 1)
    assert Product.objects.get(pk=w.yam.pk).stock == 498

    capsys.readouterr()
    call_command("audit_ledger")
    assert "0 discrepancies" in capsys.readouterr().out
    call_command("rebuild_report_summaries", "--check")  # exits 1 on any difference
