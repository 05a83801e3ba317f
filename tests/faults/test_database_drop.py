"""PostgreSQL drops the checkout's connection while ``orders.services.place_order`` holds
its locks: nothing of the order stays, the buyer gets an error page at once, and trying
again places the order.

The pause is the database's own: the test holds a row lock (FOR UPDATE) on the benefit
linkage of one of the products. The checkout locks its products, inserts the order, its
sub-orders and lines, reserves the stock, and then waits at COMMIT, where PostgreSQL checks
the lines' (deferred) foreign keys and needs a share lock on that linkage row. The test
then terminates the checkout's backend (``pg_terminate_backend``), as a database restart
or failover would."""

import threading
from types import SimpleNamespace

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from catalog.models import Product
from orders.models import Order, OrderEvent, OrderLine, OrderStatus, SubOrder
from producers.models import BenefitLinkage
from producers.selectors import linkage_in_force
from tests.processes import wait_for

from .conftest import checkout_post

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

HANG_SECONDS = 60  # a request still running after this is a hang


def backends_waiting_for_a_lock() -> list[tuple[int, str]]:
    """(pid, query) of the other backends of this database waiting for a lock."""
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps showing its first pg_stat_activity snapshot.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchall()


def test_checkout_whose_connection_is_terminated_leaves_nothing_and_a_retry_succeeds(postgres_only, ledger_world):
    w = ledger_world
    address = SimpleNamespace(province=w.city.parent, city=w.city, county=w.county_a)
    buyer = Client(raise_request_exception=False)
    for product, quantity in ((w.yam, 2), (w.oil, 1)):
        response = buyer.post(reverse("orders:cart_add"), {"product_id": product.pk, "quantity": quantity})
        assert response.status_code == 302
    answer = {}

    def check_out():
        try:
            answer["response"] = buyer.post(reverse("orders:checkout"), checkout_post(address))
        finally:
            connections.close_all()

    with transaction.atomic():
        BenefitLinkage.objects.select_for_update().get(pk=linkage_in_force(w.oil).pk)
        thread = threading.Thread(target=check_out, name="checkout")
        thread.start()
        wait_for(backends_waiting_for_a_lock, "checkout waiting for the linkage row at commit")
        ((checkout_backend, query),) = backends_waiting_for_a_lock()
        assert query.strip().upper() == "COMMIT"  # everything is written, nothing committed
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [checkout_backend])
        thread.join(HANG_SECONDS)
        assert not thread.is_alive(), f"the checkout request hung for {HANG_SECONDS} s"

    response = answer["response"]
    assert response.status_code == 500
    assert "服务器开小差了" in response.content.decode()
    # Nothing of the order stays: no rows, no stock taken.
    assert (Order.objects.count(), SubOrder.objects.count(), OrderLine.objects.count()) == (0, 0, 0)
    assert not OrderEvent.objects.exists()
    stock = dict(Product.objects.filter(pk__in=[w.yam.pk, w.oil.pk]).values_list("pk", "stock"))
    assert stock == {w.yam.pk: 500, w.oil.pk: 500}

    # The cart is still there: trying again places the order.
    response = buyer.post(reverse("orders:checkout"), checkout_post(address))
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("orders:by_token", args=[order.token])
    assert (order.status, order.total_fen) == (OrderStatus.AWAITING_PAYMENT, 2 * 3880 + 12800)
    lines = sorted(OrderLine.objects.values_list("product_id", "quantity"))
    assert lines == sorted([(w.yam.pk, 2), (w.oil.pk, 1)])
    stock = dict(Product.objects.filter(pk__in=[w.yam.pk, w.oil.pk]).values_list("pk", "stock"))
    assert stock == {w.yam.pk: 498, w.oil.pk: 499}
