"""Signing in by SMS code or registering merges like the password does: the anonymous cart
goes into the account, and the orders placed in this browser without an account become the
account's while their secret links keep working. Another account's order is never taken."""

import pytest
from django.urls import reverse

from core import sms
from core.roles import Role
from orders.models import CartItem, Order
from tests.factories import UserFactory

from .conftest import checkout_post

pytestmark = pytest.mark.django_db

MOBILE = "13800138001"


@pytest.fixture(autouse=True)
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def add(client, product, quantity=1):
    return client.post(reverse("orders:cart_add"), {"product_id": product.pk, "quantity": quantity})


def code_for(client, purpose) -> str:
    assert client.post(reverse("accounts:send_code"), {"mobile": MOBILE, "purpose": purpose}).status_code == 200
    return sms.outbox[-1].params["code"]


def place_anonymous_order(client, world) -> Order:
    add(client, world.oil, 1)
    assert client.post(reverse("orders:checkout"), checkout_post(world)).status_code == 302
    return Order.objects.latest("pk")


def test_sign_in_by_code_merges_the_cart_and_claims_this_browsers_orders(client, shop_world):
    member = UserFactory(username=MOBILE, mobile=MOBILE, roles=[Role.BUYER])
    CartItem.objects.create(user=member, product=shop_world.yam, quantity=1, price_fen=3880)
    order = place_anonymous_order(client, shop_world)
    assert order.user_id is None
    add(client, shop_world.yam, 2)

    response = client.post(reverse("accounts:login_sms"), {"mobile": MOBILE, "code": code_for(client, "login")})
    assert response.status_code == 302

    items = {ci.product_id: ci.quantity for ci in CartItem.objects.filter(user=member)}
    assert items == {shop_world.yam.pk: 3}
    assert client.session["cart"] == {}
    order.refresh_from_db()
    assert order.user == member
    assert order.number in client.get(reverse("orders:list")).content.decode()
    assert client.get(reverse("orders:detail", args=[order.number])).status_code == 200
    assert client.get(reverse("orders:by_token", args=[order.token])).status_code == 200


def test_registering_merges_the_cart_and_claims_the_order(client, shop_world):
    order = place_anonymous_order(client, shop_world)
    add(client, shop_world.yam, 2)
    data = {
        "mobile": MOBILE,
        "code": code_for(client, "register"),
        "password1": "pw-5678-word",
        "password2": "pw-5678-word",
    }
    assert client.post(reverse("accounts:register"), data).status_code == 302
    order.refresh_from_db()
    assert order.user.mobile == MOBILE
    assert {ci.product_id: ci.quantity for ci in CartItem.objects.filter(user=order.user)} == {shop_world.yam.pk: 2}


def test_an_order_of_another_account_stays_with_it(client, shop_world):
    member = UserFactory(username=MOBILE, mobile=MOBILE, roles=[Role.BUYER])
    client.force_login(shop_world.other_buyer)
    theirs = place_anonymous_order(client, shop_world)  # placed signed in: it is theirs
    assert theirs.user == shop_world.other_buyer
    client.post(reverse("accounts:logout"))
    session = client.session
    session["recent_orders"] = [theirs.token]  # as if the token were kept in this browser
    session.save()
    assert (
        client.post(reverse("accounts:login_sms"), {"mobile": MOBILE, "code": code_for(client, "login")}).status_code
        == 302
    )
    theirs.refresh_from_db()
    assert theirs.user == shop_world.other_buyer
    assert client.get(reverse("orders:detail", args=[theirs.number])).status_code == 404
    assert member.orders.count() == 0
