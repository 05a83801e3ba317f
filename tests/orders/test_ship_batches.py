"""Shipping from a batch (traceability): the operator picks each line's batch among the
product's open ones (the oldest with enough units left proposed); shipping records it in the
same transaction, or refuses with a message and saves nothing; the buyer's order page links
each traced line's trace page (溯源)."""

import re

import pytest

from orders.models import Order, OrderLine, SubOrder
from payments import services as payments
from tests.factories import place_order_for
from tests.trace_batches import make_batch, ship_parcel
from traceability.hooks import shipped_units

pytestmark = pytest.mark.django_db


def paid_order(world, products_quantities):
    order = place_order_for(products_quantities)
    payments.record_transfer_receipt(order.pk, amount_fen=order.total_fen, reference=f"B{order.pk}", by=world.admin)
    return Order.objects.get(pk=order.pk)


def _options(html: str) -> list[tuple[str, bool]]:
    """(option text, selected) of the batch selects on the shipping form."""
    return [
        (re.sub(r"\s+", " ", text).strip(), "selected" in attrs)
        for attrs, text in re.findall(r"<option value=\"\d+\"([^>]*)>([^<]*)</option>", html)
    ]


def test_the_form_proposes_the_oldest_open_batch_with_enough_units(shop_world, client):
    yam = shop_world.yam
    make_batch(yam, code="CLOSED0001", days_ago=40, closed=True)
    short = make_batch(yam, code="SHORT00001", days_ago=30, quantity=2)
    enough = make_batch(yam, code="ENOUGH0001", days_ago=20, quantity=50)
    make_batch(yam, code="NEWER00001", days_ago=5, quantity=50)
    make_batch(yam, code="FUTURE0001", days_ago=-3, quantity=50)
    make_batch(shop_world.oil, code="OILBATCH01", days_ago=60)
    order = paid_order(shop_world, [(yam, 3)])
    suborder = order.suborders.get()

    client.force_login(shop_world.operator_a)
    html = client.get(f"/admin/orders/sub/{suborder.pk}/").content.decode()
    options = _options(html)
    assert [text.split("（")[0] for text, _sel in options] == ["SHORT00001", "ENOUGH0001", "NEWER00001"]
    assert [sel for _t, sel in options] == [False, True, False]
    assert "剩 2 件" in options[0][0] and "剩 50 件" in options[1][0]
    assert short.pk and enough.pk


def test_shipping_records_the_chosen_batch_through_the_form(shop_world, client):
    batch = make_batch(shop_world.yam, quantity=10)
    order = paid_order(shop_world, [(shop_world.yam, 3)])
    suborder = order.suborders.get()
    line = suborder.lines.get()

    client.force_login(shop_world.operator_a)
    response = client.post(
        f"/admin/orders/sub/{suborder.pk}/ship/",
        {"carrier": "顺丰速运", "tracking_number": "SF77", f"batch_{line.pk}": str(batch.pk)},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    suborder.refresh_from_db()
    assert (suborder.status, line.batch_id) == ("shipped", batch.pk)
    assert shipped_units(batch.pk) == 3
    page = client.get(f"/admin/orders/sub/{suborder.pk}/").content.decode()
    assert f"批次 {batch.code}" in page


def test_a_batch_of_another_product_is_refused_and_nothing_is_saved(shop_world, client):
    oil_batch = make_batch(shop_world.oil, quantity=10)
    order = paid_order(shop_world, [(shop_world.yam, 1)])
    suborder = order.suborders.get()
    line = suborder.lines.get()

    client.force_login(shop_world.operator_a)
    response = client.post(
        f"/admin/orders/sub/{suborder.pk}/ship/",
        {"carrier": "顺丰速运", "tracking_number": "SF78", f"batch_{line.pk}": str(oil_batch.pk)},
        follow=True,
    )
    assert "所选批次不属于该商品" in response.content.decode()
    suborder.refresh_from_db()
    line.refresh_from_db()
    assert (suborder.status, suborder.carrier, suborder.shipped_at, line.batch_id) == ("paid", "", None, None)
    assert shipped_units(oil_batch.pk) == 0


def test_a_batch_without_units_left_is_refused_and_nothing_is_saved(shop_world):
    batch = make_batch(shop_world.yam, quantity=5)
    first = paid_order(shop_world, [(shop_world.yam, 4)])
    first_parcel = first.suborders.get()
    ship_parcel(first_parcel, shop_world.operator_a, batches={first_parcel.lines.get().pk: batch.pk})
    assert shipped_units(batch.pk) == 4

    second = paid_order(shop_world, [(shop_world.yam, 2)])
    parcel = second.suborders.get()
    line = parcel.lines.get()
    from core.errors import DomainError

    with pytest.raises(DomainError, match="仅剩 1 件，不足本行的 2 件"):
        ship_parcel(parcel, shop_world.operator_a, batches={line.pk: batch.pk})
    parcel.refresh_from_db()
    line.refresh_from_db()
    assert (parcel.status, parcel.tracking_number, line.batch_id) == ("paid", "", None)
    assert shipped_units(batch.pk) == 4
    # A closed batch is refused too, even with units left.
    closed = make_batch(shop_world.yam, quantity=50, closed=True)
    with pytest.raises(DomainError, match="已关闭或尚未生产"):
        ship_parcel(parcel, shop_world.operator_a, batches={line.pk: closed.pk})
    assert SubOrder.objects.get(pk=parcel.pk).status == "paid"


def test_a_product_without_batches_ships_untraced(shop_world):
    order = paid_order(shop_world, [(shop_world.oil, 1)])
    parcel = order.suborders.get()
    ship_parcel(parcel, shop_world.operator_b)
    parcel.refresh_from_db()
    assert parcel.status == "shipped"
    assert OrderLine.objects.get(suborder=parcel).batch_id is None


def test_the_buyers_order_page_links_the_trace_page_of_each_traced_line(shop_world, client):
    batch = make_batch(shop_world.yam, code="YAMTRACE23", quantity=10)
    order = paid_order(shop_world, [(shop_world.yam, 2), (shop_world.oil, 1)])
    yam_parcel = order.suborders.get(shop=shop_world.shop_a)
    oil_parcel = order.suborders.get(shop=shop_world.shop_b)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "trace-link" not in page  # nothing shipped yet

    ship_parcel(yam_parcel, shop_world.operator_a, batches={yam_parcel.lines.get().pk: batch.pk})
    ship_parcel(oil_parcel, shop_world.operator_b)  # no batch: untraced
    page = client.get(order.get_absolute_url()).content.decode()
    links = re.findall(r'<a class="trace-link" href="([^"]+)"[^>]*>([^<]+)</a>', page)
    assert links == [("/trace/YAMTRACE23/", "溯源")]


@pytest.mark.parametrize("raw", ["²", "1e3", "-4", "9" * 30])
def test_an_unreadable_batch_is_refused_with_a_message(shop_world, client, raw):
    make_batch(shop_world.yam, quantity=10)
    order = paid_order(shop_world, [(shop_world.yam, 1)])
    suborder = order.suborders.get()
    line = suborder.lines.get()
    client.force_login(shop_world.operator_a)
    response = client.post(
        f"/admin/orders/sub/{suborder.pk}/ship/",
        {"carrier": "顺丰速运", "tracking_number": "SF79", f"batch_{line.pk}": raw},
        follow=True,
    )
    assert response.status_code == 200 and "生产批次须" in response.content.decode()
    suborder.refresh_from_db()
    assert (suborder.status, suborder.tracking_number) == ("paid", "")
