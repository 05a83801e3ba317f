"""Cart and checkout through HTTP: what may enter the cart, the sign-in merge, one order
split per shop with its snapshot, validation that keeps the form filled, and the
re-check at checkout (price changed, sold out, no longer available)."""

import pytest
from django.core import mail
from django.urls import reverse

from catalog.models import Product
from orders.models import CartItem, Order, OrderStatus
from tests.factories import ProductFactory, valid_credit_code

from .conftest import checkout_post

pytestmark = pytest.mark.django_db


def add(client, product, quantity=1):
    return client.post(reverse("orders:cart_add"), {"product_id": product.pk, "quantity": quantity}, follow=True)


def test_anonymous_cart_holds_products_of_two_shops(client, shop_world):
    add(client, shop_world.yam, 2)
    response = add(client, shop_world.oil, 1)
    assert response.status_code == 200
    assert client.session["cart"] == {str(shop_world.yam.pk): [2, 3880], str(shop_world.oil.pk): [1, 12800]}
    page = client.get(reverse("orders:cart")).content.decode()
    assert "朱楼村电商服务站" in page and "东庄村电商服务站" in page
    assert "205.60" in page  # 2 × 38.80 + 128.00
    assert '<span class="cart-count">3</span>' in page


@pytest.mark.parametrize(
    "change, message",
    [
        ({"stock": 0}, "已售罄或已下架"),
        ({"is_listed": False}, "已售罄或已下架"),
    ],
)
def test_unpurchasable_product_cannot_enter_cart(client, shop_world, change, message):
    Product.objects.filter(pk=shop_world.yam.pk).update(**change)
    response = add(client, shop_world.yam)
    assert message in response.content.decode()
    assert client.session.get("cart", {}) == {}


def test_uncertified_product_cannot_enter_cart(client, shop_world):
    product = ProductFactory(shop=shop_world.shop_a, certified=False)
    assert "已售罄或已下架" in add(client, product).content.decode()
    assert client.session.get("cart", {}) == {}


def test_quantity_above_stock_or_below_one_is_refused(client, shop_world):
    response = add(client, shop_world.oil, 6)
    assert "库存仅剩 5 件" in response.content.decode()
    assert "请填写数量：1 至 9999 之间的整数。" in add(client, shop_world.oil, 0).content.decode()
    add(client, shop_world.oil, 4)
    assert "库存仅剩 5 件" in add(client, shop_world.oil, 2).content.decode()  # 4 + 2 > 5
    assert client.session["cart"] == {str(shop_world.oil.pk): [4, 12800]}


def test_signed_in_cart_is_stored_and_session_cart_merges_on_sign_in(client, shop_world):
    buyer = shop_world.buyer
    CartItem.objects.create(user=buyer, product=shop_world.yam, quantity=1, price_fen=3880)
    add(client, shop_world.yam, 2)
    add(client, shop_world.oil, 1)
    response = client.post(reverse("orders:login"), {"username": buyer.username, "password": "pass-1234-word"})
    assert response.status_code == 302
    items = {ci.product_id: ci.quantity for ci in CartItem.objects.filter(user=buyer)}
    assert items == {shop_world.yam.pk: 3, shop_world.oil.pk: 1}
    assert client.session["cart"] == {}
    add(client, shop_world.oil, 1)
    assert CartItem.objects.get(user=buyer, product=shop_world.oil).quantity == 2


def test_checkout_makes_one_order_split_per_shop_with_snapshot(client, shop_world, django_capture_on_commit_callbacks):
    add(client, shop_world.yam, 2)
    add(client, shop_world.oil, 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orders:checkout"), checkout_post(shop_world))
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("orders:by_token", args=[order.token])
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert order.buyer_type == "budget_unit" and order.organisation_name == "单县财政局"
    assert order.tax_id == valid_credit_code()
    assert order.total_fen == 2 * 3880 + 12800
    assert order.ship_region_code == "371722" and order.ship_region_name == "山东省 菏泽市 单县"
    subs = {s.shop_id: s for s in order.suborders.all()}
    assert set(subs) == {shop_world.shop_a.pk, shop_world.shop_b.pk}
    assert subs[shop_world.shop_a.pk].subtotal_fen == 7760
    assert subs[shop_world.shop_b.pk].subtotal_fen == 12800
    line = subs[shop_world.shop_a.pk].lines.get()
    certificate = shop_world.yam.certificates.get()
    assert (line.title, line.unit_price_fen, line.quantity, line.certificate_number) == (
        "铁棍山药",
        3880,
        2,
        certificate.number,
    )
    shop_world.yam.refresh_from_db()
    shop_world.oil.refresh_from_db()
    assert (shop_world.yam.stock, shop_world.oil.stock) == (18, 4)  # reserved
    assert client.session["cart"] == {}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["unit@example.cn"]
    assert order.number in mail.outbox[0].subject and order.token in mail.outbox[0].body
    page = client.get(response["Location"]).content.decode()
    assert "对公转账" in page and order.number in page


def test_snapshot_keeps_the_linkage_version_in_force(shop_world):
    from producers.models import BenefitLinkage
    from producers.services import ShareSpec, revise_benefit_linkage
    from tests.factories import CollectiveFactory, place_order_for

    collective = CollectiveFactory()
    revise_benefit_linkage(
        shop_world.yam,
        [ShareSpec(collective=collective, share_bp=10000, mode="purchase")],
        by=shop_world.operator_a,
        note="初始",
    )
    linkage = BenefitLinkage.objects.get(product=shop_world.yam)
    order = place_order_for([(shop_world.yam, 1)])
    assert order.suborders.get().lines.get().linkage == linkage


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"mobile": "12345678901"}, "mobile", "请输入11位中国大陆手机号"),
        ({"recipient_mobile": "1381234567"}, "recipient_mobile", "请输入11位中国大陆手机号"),
        ({"tax_id": "91371722MA3C4D5E6X"}, "tax_id", "校验位不正确"),
        ({"organisation_name": ""}, "organisation_name", "单位采购须填写单位名称"),
        ({"tax_id": ""}, "tax_id", "须填写纳税人识别号"),
        ({"county": "110101"}, "county", "选择一个有效的选项"),  # Beijing's, not a county of 菏泽市
    ],
)
def test_validation_errors_keep_the_form_filled(client, shop_world, overrides, field, message):
    add(client, shop_world.yam, 1)
    response = client.post(reverse("orders:checkout"), checkout_post(shop_world, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    page = response.content.decode()
    assert 'value="园艺街道 1 号"' in page and 'value="李会计"' in page
    assert f'<option value="{shop_world.county.code}" selected>' in page or field == "county"
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=shop_world.yam.pk).stock == 20


def test_individual_needs_no_tax_id(client, shop_world):
    add(client, shop_world.yam, 1)
    data = checkout_post(shop_world, buyer_type="individual", organisation_name="", tax_id="")
    response = client.post(reverse("orders:checkout"), data)
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.buyer_type, order.organisation_name, order.tax_id) == ("individual", "", "")


def test_checkout_reports_price_change_and_sold_out_and_keeps_the_rest(client, shop_world):
    gone = ProductFactory(shop=shop_world.shop_b, title="阿胶糕", stock=3)
    add(client, shop_world.yam, 2)
    add(client, shop_world.oil, 3)
    add(client, gone, 1)
    Product.objects.filter(pk=shop_world.yam.pk).update(price_fen=4200)
    Product.objects.filter(pk=shop_world.oil.pk).update(stock=2)
    Product.objects.filter(pk=gone.pk).update(is_listed=False)

    response = client.post(reverse("orders:checkout"), checkout_post(shop_world))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "「铁棍山药」价格已由 ¥38.80 变为 ¥42.00" in errors
    assert "「牡丹籽油」库存不足，数量已由 3 件调整为 2 件" in errors
    assert "「阿胶糕」已售罄或不再销售" in errors
    assert 'value="园艺街道 1 号"' in response.content.decode()
    assert Order.objects.count() == 0
    # The rest of the cart is kept, updated; confirming again places the order.
    assert client.session["cart"] == {str(shop_world.yam.pk): [2, 4200], str(shop_world.oil.pk): [2, 12800]}
    response = client.post(reverse("orders:checkout"), checkout_post(shop_world))
    assert response.status_code == 302
    assert Order.objects.get().total_fen == 2 * 4200 + 2 * 12800


def test_sold_out_between_review_and_order_is_a_clear_refusal(shop_world):
    from core.errors import DomainError
    from tests.factories import place_order_for

    with pytest.raises(DomainError, match="已售罄/库存不足：「牡丹籽油」库存不足，仅剩 5 件"):
        place_order_for([(shop_world.yam, 1), (shop_world.oil, 6)])
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=shop_world.yam.pk).stock == 20  # nothing half-reserved


def test_region_endpoint_lists_children(client, shop_world):
    """Every county of 菏泽市 from the address-region table, not only the one the producer tree has."""
    response = client.get(reverse("orders:region_children"), {"parent": shop_world.city.code})
    regions = response.json()["regions"]
    assert len(regions) == 11 and {"code": "371722", "name": "单县"} in regions  # with its two 开发区
    assert client.get(reverse("orders:region_children"), {"parent": "99"}).status_code == 404


def test_empty_cart_checkout_redirects_to_cart(client, shop_world):
    response = client.get(reverse("orders:checkout"))
    assert response.status_code == 302 and response["Location"] == reverse("orders:cart")
