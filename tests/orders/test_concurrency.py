"""50 buyers race for 10 units: exactly 10 sold, 40 clear sold-out answers, no deadlock;
a payment racing a checkout on the same products takes the locks in the same order; two
auto-confirm runs at once complete each parcel once.
Real row locks are needed, so this runs on PostgreSQL (skipped on SQLite)."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from catalog.models import Product
from core.errors import DomainError
from orders.models import Order, OrderEvent, OrderLine, SubOrder
from orders.services import SoldOut, apply_transition, auto_confirm_receipts
from orders.transitions import Actor, Target
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


def test_two_auto_confirm_runs_at_once_complete_each_parcel_once(shop_world):
    """Two beat runs (a slow one overlapping the next) and a buyer confirming by hand, at the
    same instant: each shipped parcel is completed exactly once, with one history entry."""
    county = ship_county()
    shipped_on = timezone.now() - dt.timedelta(days=15)
    suborders = []
    for i in range(6):
        order = place_order_for([(shop_world.yam, 1)], ship_region=county)
        confirm_payment(order.pk, amount_fen=order.total_fen, currency="CNY", method="transfer", reference=f"T{i}")
        suborder = order.suborders.get()
        apply_transition(
            Target.SUBORDER,
            suborder.pk,
            "ship",
            by=shop_world.operator_a,
            actor=Actor.OPERATOR,
            carrier="顺丰",
            tracking_number=f"SF{i}",
        )
        suborders.append(suborder)
    SubOrder.objects.filter(pk__in=[s.pk for s in suborders]).update(shipped_at=shipped_on)
    by_hand = suborders[3]

    def buyer_confirms():
        try:
            apply_transition(Target.SUBORDER, by_hand.pk, "complete", by=None, actor=Actor.SYSTEM, note="买家确认")
        except DomainError:  # a run confirmed it first
            return 0
        return 1

    results = race([auto_confirm_receipts, auto_confirm_receipts, buyer_confirms])
    assert [kind for kind, _ in results] == ["ok"] * 3, [v for k, v in results if k == "error"]
    assert sum(v for _, v in results) == 6
    assert set(SubOrder.objects.filter(pk__in=[s.pk for s in suborders]).values_list("status", flat=True)) == {
        "completed"
    }
    assert OrderEvent.objects.filter(action="complete").count() == 6
    assert OrderEvent.objects.filter(action="complete", note="系统自动确认收货").count() in (5, 6)
