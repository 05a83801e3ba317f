"""Payments at the same moment on PostgreSQL, whose lines meet the same summary rows in
opposite orders (the same households from products of two shops): every payment goes
through, none deadlocks, and the summaries equal a rebuild from the ledger.

SQLite serialises all writers, so this needs PostgreSQL (``DATABASE_URL=postgres://...``)."""

import pytest
from django.db import connection

from payments import services as payments
from producers.models import BenefitMode
from producers.services import ShareSpec, revise_benefit_linkage
from reports.services import summary_differences
from tests.concurrency import race
from tests.factories import CategoryFactory, ProducerFactory, ProductFactory, ShopFactory, place_order_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (DATABASE_URL)"),
]


def test_simultaneous_payments_crossing_summary_rows_neither_deadlock_nor_lose_a_fen(ledger_world):
    w = ledger_world
    # Two shops of the same village, each selling one product for zhang (category B) and
    # one for li (category A). An order of zhang's product from shop 0 and li's from shop 1
    # updates li's category-A rows, then zhang's category-B rows (sub-orders are paid
    # newest first); the other pairing updates zhang's B rows, then li's A rows. Without
    # the summaries' lock, two such payments at the same moment deadlock.
    shops = [ShopFactory(region=w.village_a, name=f"同村网店{i}") for i in range(2)]
    category = {w.li.pk: CategoryFactory(slug="cat-a"), w.zhang.pk: CategoryFactory(slug="cat-b")}
    products = {}
    for i, shop in enumerate(shops):
        producer = ProducerFactory(shop=shop, region=w.village_a, kind="cooperative")
        for household in (w.zhang, w.li):
            product = ProductFactory(
                shop=shop, producer=producer, category=category[household.pk], price_fen=1000 + 10 * i, stock=1000
            )
            revise_benefit_linkage(product, [ShareSpec(6000, BenefitMode.EMPLOYMENT, household=household)])
            products[(i, household.pk)] = product
    orders = []
    for n in range(16):
        if n % 2:
            items = [(products[(0, w.zhang.pk)], 1 + n % 3), (products[(1, w.li.pk)], 1)]
        else:
            items = [(products[(0, w.li.pk)], 1), (products[(1, w.zhang.pk)], 1 + n % 3)]
        orders.append(place_order_for(items))

    def pay(order):
        return lambda: payments.record_transfer_receipt(
            order.pk, amount_fen=order.total_fen, reference=f"RACE-{order.pk}", by=w.admin
        )

    results = race([pay(order) for order in orders])

    assert [kind for kind, _value in results] == ["ok"] * len(orders), [v for k, v in results if k == "error"]
    assert summary_differences() == []
