"""Every bad quantity sent to /cart/add/ or /cart/update/ (negative, zero, fractional,
exponent, text, empty, above the stock) answers with a message saying why and leaves the
cart exactly as it was, for an anonymous and a signed-in buyer alike. Empty used to become
1 silently and 0 was "added"; taking a line out is the cart's 删除 button (/cart/remove/)."""

import pytest
from django.urls import reverse

from orders.models import CartItem

pytestmark = pytest.mark.django_db

QUANTITY_REFUSED = "请填写数量：1 至 9999 之间的整数。购物车未作改动。"
ABOVE_STOCK = "「牡丹籽油」库存仅剩 5 件，请减少数量。"
UNREADABLE = ["-3", "0", "1.5", "1e3", "abc", "", None]  # None: the field left out of the POST
CASES = [
    *[
        (endpoint, raw, QUANTITY_REFUSED)
        for endpoint in ("orders:cart_add", "orders:cart_update")
        for raw in UNREADABLE
    ],
    ("orders:cart_add", "4", ABOVE_STOCK),  # 2 in the cart + 4 > 5
    ("orders:cart_add", "6", ABOVE_STOCK),
    ("orders:cart_update", "6", ABOVE_STOCK),
]


def cart_of(client, buyer) -> dict:
    """{product id: (quantity, price seen)} of the buyer's cart, wherever it is kept."""
    if buyer is not None:
        return {ci.product_id: (ci.quantity, ci.price_fen) for ci in CartItem.objects.filter(user=buyer)}
    return {int(pid): tuple(entry[:2]) for pid, entry in client.session.get("cart", {}).items()}


def post(client, name, product, raw):
    data = {"product_id": product.pk}
    if raw is not None:
        data["quantity"] = raw
    return client.post(reverse(name), data, follow=True)


@pytest.fixture(params=["anonymous", "signed in"])
def buyer(request, client, shop_world):
    if request.param == "signed in":
        client.force_login(shop_world.buyer)
        return shop_world.buyer
    return None


@pytest.mark.parametrize("endpoint, raw, message", CASES)
def test_bad_quantity_is_refused_with_a_message_and_changes_nothing(client, shop_world, buyer, endpoint, raw, message):
    post(client, "orders:cart_add", shop_world.oil, "2")
    post(client, "orders:cart_add", shop_world.yam, "1")
    before = {shop_world.oil.pk: (2, 12800), shop_world.yam.pk: (1, 3880)}
    assert cart_of(client, buyer) == before

    response = post(client, endpoint, shop_world.oil, raw)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [message]
    assert cart_of(client, buyer) == before
    assert '<span class="cart-count">3</span>' in response.content.decode()


def test_good_quantities_add_update_and_remove(client, shop_world, buyer):
    oil, yam = shop_world.oil, shop_world.yam
    added = post(client, "orders:cart_add", oil, "2")
    assert [str(m) for m in added.context["messages"]] == ["已将「牡丹籽油」× 2 加入购物车。"]
    post(client, "orders:cart_add", yam, " 3 ")
    post(client, "orders:cart_add", oil, "3")  # 2 + 3 = the whole stock
    assert cart_of(client, buyer) == {oil.pk: (5, 12800), yam.pk: (3, 3880)}

    post(client, "orders:cart_update", yam, "20")  # the whole stock
    assert cart_of(client, buyer) == {oil.pk: (5, 12800), yam.pk: (20, 3880)}

    page = client.post(reverse("orders:cart_remove"), {"product_id": oil.pk}, follow=True)
    assert page.status_code == 200
    assert cart_of(client, buyer) == {yam.pk: (20, 3880)}
    html = page.content.decode()
    assert 'min="1" max="20" required>' in html
    assert f'formaction="{reverse("orders:cart_remove")}" formnovalidate>删除</button>' in html


def test_remove_with_a_bad_id_says_so_and_keeps_the_cart(client, shop_world):
    post(client, "orders:cart_add", shop_world.oil, "2")
    response = client.post(reverse("orders:cart_remove"), {"product_id": "abc"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["请选择商品。购物车未作改动。"]
    assert cart_of(client, None) == {shop_world.oil.pk: (2, 12800)}


def test_the_product_page_form_requires_a_quantity(client, shop_world):
    html = client.get(shop_world.yam.get_absolute_url()).content.decode()
    assert 'name="quantity" value="1" min="1" max="20" required>' in html
