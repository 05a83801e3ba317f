"""50 buyers race for 10 units: exactly 10 sold, 40 clear sold-out answers, no deadlock;
and a payment racing a checkout on the same products takes the locks in the same order.
Real row locks are needed, so this runs on PostgreSQL (skipped on SQLite)."""

import pytest
from django.db import connection

from catalog.models import Product
from orders.models import Order, OrderLine
from orders.services import SoldOut
from payments.services import confirm_payment
from tests.concurrency import race
from tests.factories import ProductFactory, place_order_for, ship_county

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races are tested on PostgreSQL")


def test_fifty_buyers_race_for_ten_units(shop_world):
    product = ProductFactory(shop=shop_world.shop_a, title="限量阿胶", stock=10)
    county = ship_county()
    results = race([lambda: place_order_for([(product, 1)], ship_region=county) for _ in range(50)])
    oks = [v for kind, v in results if kind == "ok"]
    errors = [v for kind, v in results if kind == "error"]
    assert len(oks) == 10
    assert len(errors) == 40
    assert all(isinstance(e, SoldOut) and "已售罄" in str(e) for e in errors), {type(e) for e in errors}
    assert Product.objects.get(pk=product.pk).stock == 0
    assert OrderLine.objects.filter(product=product).count() == 10
    assert Order.objects.count() == 10


def test_payments_and_checkouts_on_shared_products_do_not_deadlock(shop_world):
    """Orders holding both products get paid while new checkouts of both products run:
    payment locks order → products by pk, checkout locks products by pk; no cycle."""
    a = ProductFactory(shop=shop_world.shop_a, stock=100)
    b = ProductFactory(shop=shop_world.shop_b, stock=100)
    county = ship_county()
    orders = [place_order_for([(b, 1), (a, 1)], ship_region=county) for _ in range(10)]
    jobs = []
    for i, order in enumerate(orders):
        jobs.append(
            lambda o=order, i=i: confirm_payment(
                o.pk, amount_fen=o.total_fen, currency="CNY", method="card", reference=f"pi_{i}"
            )
        )
        jobs.append(lambda: place_order_for([(a, 1), (b, 1)], ship_region=county))
    results = race(jobs)
    assert [kind for kind, _ in results] == ["ok"] * 20, [v for k, v in results if k == "error"]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.stock, b.stock, a.units_sold, b.units_sold) == (80, 80, 10, 10)
