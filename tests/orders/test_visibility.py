"""Who sees which order: buyers their own (signed in, or by the secret link), operators
their shops' sub-orders with shipping details only, officers nothing; admin pages for
shipping, receipts and refunds over HTTP; query counts of the list pages."""

import pytest
from django.urls import reverse

from orders.models import Order, SubOrder
from payments.services import confirm_payment
from tests.factories import ProductFactory, place_order_for, valid_credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_shop_order(shop_world):
    return place_order_for(
        [(shop_world.yam, 2), (shop_world.oil, 1)],
        user=shop_world.buyer,
        buyer_type="union",
        organisation_name="单县总工会",
        tax_id=valid_credit_code(),
        email="union@example.cn",
    )


def test_buyer_sees_own_order_and_gets_404_for_anothers(client, shop_world, two_shop_order):
    client.force_login(shop_world.buyer)
    assert client.get(reverse("orders:detail", args=[two_shop_order.number])).status_code == 200
    page = client.get(reverse("orders:list")).content.decode()
    assert two_shop_order.number in page
    client.force_login(shop_world.other_buyer)
    assert client.get(reverse("orders:detail", args=[two_shop_order.number])).status_code == 404
    assert two_shop_order.number not in client.get(reverse("orders:list")).content.decode()


def test_order_list_needs_sign_in(client, shop_world):
    response = client.get(reverse("orders:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("orders:login"))


def test_secret_link_opens_the_order_and_a_wrong_token_is_404(client, shop_world, two_shop_order):
    assert client.get(reverse("orders:by_token", args=[two_shop_order.token])).status_code == 200
    wrong = two_shop_order.token[:-1] + ("A" if two_shop_order.token[-1] != "A" else "B")
    assert client.get(reverse("orders:by_token", args=[wrong])).status_code == 404
    assert client.get(reverse("orders:by_token", args=["short"])).status_code == 404


def test_buyer_cancels_by_link_but_not_anothers_order(client, shop_world, two_shop_order):
    other = place_order_for([(shop_world.yam, 1)], user=shop_world.other_buyer)
    client.force_login(shop_world.buyer)
    # A made-up token for the other buyer's order: 404, nothing changes.
    response = client.post(reverse("orders:action", args=["x" * 43, "cancel"]))
    assert response.status_code == 404
    assert Order.objects.get(pk=other.pk).status == "awaiting_payment"
    response = client.post(reverse("orders:action", args=[two_shop_order.token, "cancel"]), follow=True)
    assert "订单已取消" in response.content.decode()
    assert Order.objects.get(pk=two_shop_order.pk).status == "cancelled"


def test_order_list_query_count(client, shop_world, django_assert_max_num_queries):
    tea = ProductFactory(shop=shop_world.shop_b, title="单县绿茶", stock=50)
    for _ in range(8):
        place_order_for([(shop_world.yam, 1), (tea, 1)], user=shop_world.buyer)
    client.force_login(shop_world.buyer)
    client.get(reverse("orders:list"))  # warm the per-process caches (site, catalogue, live and stories URLs)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("orders:list"))
    assert response.content.decode().count('class="order-card"') == 8


def assert_refused(response):
    """Wagtail turns PermissionDenied in an admin view into a redirect to the dashboard
    with a "no permission" message."""
    assert response.status_code == 302 and response["Location"] == "/admin/"


# --- the admin ---------------------------------------------------------------------------------------------


def test_operator_sees_only_own_shops_suborders_with_shipping_details_only(client, shop_world, two_shop_order):
    client.force_login(shop_world.operator_a)
    page = client.get(reverse("orders_admin:suborders")).content.decode()
    assert "铁棍山药" in page and "牡丹籽油" not in page
    mine = SubOrder.objects.get(order=two_shop_order, shop=shop_world.shop_a)
    theirs = SubOrder.objects.get(order=two_shop_order, shop=shop_world.shop_b)
    detail = client.get(reverse("orders_admin:suborder", args=[mine.pk])).content.decode()
    assert "13812345678" in detail and "城关街道人民路 8 号" in detail  # recipient and address
    for private in ("union@example.cn", "单县总工会", "牡丹籽油"):
        assert private not in detail
    assert client.get(reverse("orders_admin:suborder", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("orders_admin:suborder_transition", args=[theirs.pk, "ship"]),
        {"carrier": "顺丰", "tracking_number": "1"},
    )
    assert response.status_code == 404
    # The whole order (buyer, tax data, money) is the platform's: another shop is in it.
    assert_refused(client.get(reverse("orders_admin:order", args=[two_shop_order.pk])))
    assert_refused(client.get(reverse("orders_admin:orders")))


def test_operator_of_another_shop_gets_404_for_the_order(client, shop_world):
    order = place_order_for([(shop_world.yam, 1)])
    client.force_login(shop_world.operator_b)
    assert client.get(reverse("orders_admin:order", args=[order.pk])).status_code == 404
    response = client.post(reverse("orders_admin:receipt", args=[order.pk]), {"amount": "38.80", "reference": "B1"})
    assert response.status_code == 404
    assert Order.objects.get(pk=order.pk).paid_fen == 0


@pytest.mark.parametrize("who", ["officer", "buyer"])
def test_officers_and_buyers_are_refused_the_order_admin(client, shop_world, two_shop_order, who):
    client.force_login(getattr(shop_world, who))
    sub = two_shop_order.suborders.first()
    urls = [
        reverse("orders_admin:suborders"),
        reverse("orders_admin:suborder", args=[sub.pk]),
        reverse("orders_admin:orders"),
        reverse("orders_admin:order", args=[two_shop_order.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        # Officers reach the admin and are refused (Wagtail's "no permission" redirect to
        # the dashboard); buyers are not let into the admin at all (sent to its login).
        expected = "/admin/" if who == "officer" else "/admin/login/"
        assert response["Location"].split("?")[0] == expected, url


def test_admin_records_partial_receipts_over_http_and_over_payment_is_refused(client, shop_world, two_shop_order):
    client.force_login(shop_world.admin)
    url = reverse("orders_admin:receipt", args=[two_shop_order.pk])
    response = client.post(url, {"amount": "100.00", "reference": "ICBC-001"}, follow=True)
    assert "已登记收款，尚欠 ¥105.60" in response.content.decode()
    response = client.post(url, {"amount": "105.61", "reference": "ICBC-002"}, follow=True)
    assert "登记金额超过待收金额：待收 ¥105.60，不能多收" in response.content.decode()
    response = client.post(url, {"amount": "10.5x", "reference": "ICBC-003"}, follow=True)
    assert "不是有效的金额" in response.content.decode()
    response = client.post(url, {"amount": "105.60", "reference": "ICBC-004"}, follow=True)
    assert "订单已付清" in response.content.decode()
    two_shop_order.refresh_from_db()
    assert (two_shop_order.status, two_shop_order.paid_fen) == ("paid", 20560)
    assert list(two_shop_order.payments.values_list("reference", flat=True)) == ["ICBC-001", "ICBC-004"]


def test_operator_of_a_single_shop_order_records_receipt_ships_and_refunds(client, shop_world):
    order = place_order_for([(shop_world.yam, 3)])
    client.force_login(shop_world.operator_a)
    sub = order.suborders.get()
    response = client.post(
        reverse("orders_admin:receipt", args=[order.pk]),
        {"amount": "116.40", "reference": "BANK-9", "back": reverse("orders_admin:suborder", args=[sub.pk])},
    )
    assert response["Location"] == reverse("orders_admin:suborder", args=[sub.pk])
    assert Order.objects.get(pk=order.pk).status == "paid"
    response = client.post(
        reverse("orders_admin:suborder_transition", args=[sub.pk, "ship"]),
        {"carrier": "中国邮政", "tracking_number": "EMS123"},
        follow=True,
    )
    assert "已发货" in response.content.decode()
    line = sub.lines.get()
    response = client.post(
        reverse("orders_admin:refund", args=[order.pk]),
        {f"qty_{line.pk}": "1", "reference": "RF-9", "reason": "破损"},
        follow=True,
    )
    assert "退款已登记" in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("partially_refunded", 3880)
    # Buyer's page shows the parcel shipped.
    page = client.get(reverse("orders:by_token", args=[order.token])).content.decode()
    assert "EMS123" in page and "已发货" in page


def test_admin_suborder_list_query_count(client, shop_world, django_assert_max_num_queries):
    for i in range(10):
        product = ProductFactory(shop=shop_world.shop_a if i % 2 else shop_world.shop_b, stock=5)
        order = place_order_for([(product, 1), (shop_world.yam, 1)])
        confirm_payment(order.pk, amount_fen=order.total_fen, currency="CNY", method="transfer", reference=f"B{i}")
    client.force_login(shop_world.operator_a)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("orders_admin:suborders")).content.decode()
    assert page.count("orders/sub/") == 10
    client.force_login(shop_world.admin)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("orders_admin:suborders")).content.decode()
    assert page.count("orders/sub/") == 15  # 10 of shop_a + 5 of shop_b
    with django_assert_max_num_queries(30):
        page = client.get(reverse("orders_admin:orders")).content.decode()
    assert page.count("orders/order/") == 10
