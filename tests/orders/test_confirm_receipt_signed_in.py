"""确认收货 on the signed-in buyer's own order page (/orders/<number>/), not only on the
secret-link page: the same transition through the order services, for the order's own
buyer only (anybody else gets 404 and nothing changes), and only once the parcel shipped."""

import pytest
from django.urls import reverse

from orders.models import FulfilmentStatus, OrderEvent
from orders.services import apply_transition
from orders.transitions import Actor, Target
from payments.services import confirm_payment
from tests.factories import place_order_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(shop_world):
    """The buyer's two-shop order, paid; shop A's parcel shipped, shop B's not yet."""
    order = place_order_for([(shop_world.yam, 2), (shop_world.oil, 1)], user=shop_world.buyer)
    confirm_payment(order.pk, amount_fen=order.total_fen, currency="CNY", method="transfer", reference="ICBC-9")
    sub_a = order.suborders.get(shop=shop_world.shop_a)
    sub_b = order.suborders.get(shop=shop_world.shop_b)
    apply_transition(
        Target.SUBORDER,
        sub_a.pk,
        "ship",
        by=shop_world.operator_a,
        actor=Actor.OPERATOR,
        carrier="中国邮政",
        tracking_number="EMS001",
    )
    return order, sub_a, sub_b


def statuses(order) -> dict:
    return dict(order.suborders.values_list("pk", "status"))


def test_buyer_confirms_receipt_on_the_signed_in_order_page(client, shop_world, shipped):
    order, sub_a, sub_b = shipped
    client.force_login(shop_world.buyer)
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    complete_url = reverse("orders:complete", args=[order.number])
    assert page.count(f'action="{complete_url}"') == 1  # shop A's shipped parcel only
    assert f'name="suborder" value="{sub_a.pk}"' in page and f'name="suborder" value="{sub_b.pk}"' not in page

    response = client.post(complete_url, {"suborder": sub_a.pk}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("orders:detail", args=[order.number])
    assert [str(m) for m in response.context["messages"]] == ["已确认收货，谢谢您的支持！"]
    assert statuses(order) == {sub_a.pk: FulfilmentStatus.COMPLETED, sub_b.pk: FulfilmentStatus.PAID}
    sub_a.refresh_from_db()
    assert sub_a.completed_at is not None
    event = OrderEvent.objects.filter(order=order, suborder=sub_a, action="complete").get()
    assert (event.actor, event.from_status, event.to_status) == (shop_world.buyer, "shipped", "completed")
    assert f'action="{complete_url}"' not in response.content.decode()


def test_a_parcel_not_shipped_cannot_be_confirmed(client, shop_world, shipped):
    order, sub_a, sub_b = shipped
    client.force_login(shop_world.buyer)
    response = client.post(reverse("orders:complete", args=[order.number]), {"suborder": sub_b.pk}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "当前状态为「待发货」，不能执行「确认收货」。可能已被他人处理，请刷新后查看。"
    ]
    assert statuses(order) == {sub_a.pk: FulfilmentStatus.SHIPPED, sub_b.pk: FulfilmentStatus.PAID}
    assert not OrderEvent.objects.filter(action="complete").exists()


def test_another_buyer_gets_404_and_nothing_changes(client, shop_world, shipped):
    order, sub_a, sub_b = shipped
    client.force_login(shop_world.other_buyer)
    url = reverse("orders:complete", args=[order.number])
    assert client.post(url, {"suborder": sub_a.pk}).status_code == 404
    assert client.get(reverse("orders:detail", args=[order.number])).status_code == 404
    # Nor can the owner complete a parcel of somebody else's order through their own number.
    other_order = place_order_for([(shop_world.yam, 1)], user=shop_world.other_buyer)
    client.force_login(shop_world.buyer)
    other_sub = other_order.suborders.get()
    assert client.post(url, {"suborder": other_sub.pk}).status_code == 404
    # An operator or an anonymous visitor is not the buyer either.
    client.force_login(shop_world.operator_a)
    assert client.post(url, {"suborder": sub_a.pk}).status_code == 404
    client.logout()
    anonymous = client.post(url, {"suborder": sub_a.pk})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("orders:login"))
    assert statuses(order) == {sub_a.pk: FulfilmentStatus.SHIPPED, sub_b.pk: FulfilmentStatus.PAID}
    assert not OrderEvent.objects.filter(action="complete").exists()


def test_bad_parcel_id_is_400_and_get_is_refused(client, shop_world, shipped):
    order, sub_a, _sub_b = shipped
    client.force_login(shop_world.buyer)
    url = reverse("orders:complete", args=[order.number])
    assert client.post(url, {"suborder": "abc"}).status_code == 400
    assert client.get(url).status_code == 405
    assert statuses(order)[sub_a.pk] == FulfilmentStatus.SHIPPED


def test_the_secret_link_page_still_confirms_through_its_own_url(client, shop_world, shipped):
    order, sub_a, _sub_b = shipped
    page = client.get(reverse("orders:by_token", args=[order.token])).content.decode()
    assert f'action="{reverse("orders:action", args=[order.token, "complete"])}"' in page
    client.post(reverse("orders:action", args=[order.token, "complete"]), {"suborder": sub_a.pk})
    sub_a.refresh_from_db()
    assert sub_a.status == FulfilmentStatus.COMPLETED
