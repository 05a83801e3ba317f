"""Addresses anywhere in China: the address-region table (all 31 provinces, whatever the
producer Region tree holds), buyers in 广东 and 北京 checking out, the regions endpoint,
bad codes, and the signed-in buyer's address book with its rules and refusals."""

import re

import pytest
from django.urls import reverse

from orders.models import MAX_ADDRESSES, Address, AddressRegion, Order
from producers.models import Region
from tests.factories import AddressFactory, UserFactory, address_county

from .conftest import checkout_post

pytestmark = pytest.mark.django_db

REGIONS = reverse("orders:region_children")


def add_to_cart(client, product, quantity=1):
    return client.post(reverse("orders:cart_add"), {"product_id": product.pk, "quantity": quantity})


def individual(world, **overrides) -> dict:
    """An individual buyer's checkout form, shipping to ``overrides``' region."""
    data = checkout_post(
        world,
        contact_name="陈静",
        email="chenjing@example.cn",
        mobile="13800138000",
        buyer_type="individual",
        organisation_name="",
        tax_id="",
        recipient_name="陈静",
        recipient_mobile="13800138000",
    )
    data.update(overrides)
    return data


def no_producer_regions_in(*provinces: str) -> None:
    for code in provinces:
        assert not Region.objects.filter(code__startswith=code).exists()


# --- the address-region table -----------------------------------------------------------------------------


def test_address_regions_cover_all_of_china_in_three_levels():
    counts = {level: AddressRegion.objects.filter(level=level).count() for level in (1, 2, 3)}
    assert counts == {1: 31, 2: 369, 3: 2978}
    # Every city has a county, every county a city: a buyer always picks three levels.
    assert not AddressRegion.objects.filter(level=2, children__isnull=True).exists()
    assert not AddressRegion.objects.filter(level=3, parent__level=1).exists()
    names = dict(AddressRegion.objects.filter(level=3).values_list("code", "full_name"))
    assert names["440106"] == "广东省 广州市 天河区"
    assert names["110101"] == "北京市 东城区"  # the municipality, not 北京市 市辖区 东城区
    assert names["500229"] == "重庆市 城口县"  # Chongqing's 县 joined to its one city
    assert names["419001"] == "河南省 济源市"  # 省直辖县级行政区划: a city whose county is itself
    assert names["441900"] == "广东省 东莞市"
    assert not AddressRegion.objects.filter(name__in=["市辖区", "县", "省直辖县级行政区划"]).exists()


# --- the regions endpoint ---------------------------------------------------------------------------------


def test_regions_endpoint_serves_each_level_in_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(REGIONS, {"parent": "4401"})
    assert response.status_code == 200
    assert "max-age=86400" in response["Cache-Control"] and "public" in response["Cache-Control"]
    regions = response.json()["regions"]
    assert len(regions) == 11  # 广州市: 荔湾 越秀 海珠 天河 白云 黄埔 番禺 花都 南沙 从化 增城
    assert regions[3] == {"code": "440106", "name": "天河区"}
    assert len(client.get(REGIONS).json()["regions"]) == 31
    assert len(client.get(REGIONS, {"parent": "44"}).json()["regions"]) == 21
    assert client.get(REGIONS, {"parent": "11"}).json() == {"regions": [{"code": "1101", "name": "北京市"}]}
    assert len(client.get(REGIONS, {"parent": "5001"}).json()["regions"]) == 38
    assert client.get(REGIONS, {"parent": "419001"}).json() == {"regions": [{"code": "419001", "name": "济源市"}]}


@pytest.mark.parametrize("parent", ["abc", "4", "440", "44010", "4401060", "44 01", "１１", "4" * 13])
def test_regions_endpoint_refuses_a_malformed_code_with_400(client, parent):
    response = client.get(REGIONS, {"parent": parent})
    assert response.status_code == 400
    assert response.json()["regions"] == [] and response.json()["error"]


@pytest.mark.parametrize("parent", ["99", "4499", "440106"])  # unknown, unknown, a county (no children)
def test_regions_endpoint_answers_404_for_a_code_without_children(client, parent):
    response = client.get(REGIONS, {"parent": parent})
    assert response.status_code == 404 and response.json()["regions"] == []


# --- checking out from anywhere in China ------------------------------------------------------------------


@pytest.mark.parametrize(
    "province, city, county, full_name",
    [
        ("44", "4401", "440106", "广东省 广州市 天河区"),
        ("11", "1101", "110101", "北京市 东城区"),
    ],
)
def test_buyer_outside_the_producer_provinces_checks_out(client, shop_world, province, city, county, full_name):
    no_producer_regions_in("44", "11")
    add_to_cart(client, shop_world.yam, 2)
    data = individual(shop_world, province=province, city=city, county=county, ship_detail="体育西路 191 号 3 楼")
    form_page = client.get(reverse("orders:checkout")).content.decode()
    assert '<option value="44">广东省</option>' in form_page and '<option value="11">北京市</option>' in form_page
    response = client.post(reverse("orders:checkout"), data)
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("orders:by_token", args=[order.token])
    assert (order.ship_region_code, order.ship_region_name, order.ship_detail) == (
        county,
        full_name,
        "体育西路 191 号 3 楼",
    )
    assert (order.recipient_name, order.recipient_mobile, order.total_fen) == ("陈静", "13800138000", 2 * 3880)
    page = client.get(response["Location"]).content.decode()
    assert f"陈静 13800138000，{full_name} 体育西路 191 号 3 楼" in page


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"province": "44", "city": "4401", "county": "110101"}, "county"),  # Beijing's county under Guangzhou
        ({"province": "44", "city": "1101", "county": "110101"}, "city"),  # Beijing's city under Guangdong
        ({"province": "99", "city": "4401", "county": "440106"}, "province"),
        ({"province": "44", "city": "4401", "county": "abc"}, "county"),
        ({"province": "44", "city": "4401", "county": ""}, "county"),
        ({"province": "４４", "city": "4401", "county": "440106"}, "province"),
        ({"province": "44" * 400, "city": "4401", "county": "440106"}, "province"),
    ],
)
def test_a_bad_region_at_checkout_is_a_form_error_and_keeps_the_cart(client, shop_world, overrides, field):
    add_to_cart(client, shop_world.yam)
    response = client.post(reverse("orders:checkout"), individual(shop_world, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert Order.objects.count() == 0
    assert client.session["cart"] == {str(shop_world.yam.pk): [1, 3880]}


# --- the address book -------------------------------------------------------------------------------------


def address_post(**overrides) -> dict:
    data = {
        "recipient_name": "陈静",
        "mobile": "13800138000",
        "province": "44",
        "city": "4401",
        "county": "440106",
        "detail": "体育西路 191 号",
    }
    data.update(overrides)
    return data


@pytest.fixture
def buyer(role_groups):
    return UserFactory(username="chenjing")


@pytest.fixture
def other(role_groups):
    return UserFactory(username="other-buyer")


def test_first_address_is_the_default_and_a_new_default_replaces_it(client, buyer):
    client.force_login(buyer)
    response = client.post(reverse("orders:address_add"), address_post())
    assert response.status_code == 302 and response["Location"] == reverse("orders:addresses")
    first = Address.objects.get(user=buyer)
    assert (first.recipient_name, first.mobile, first.region.code, first.detail, first.is_default) == (
        "陈静",
        "13800138000",
        "440106",
        "体育西路 191 号",
        True,
    )
    client.post(reverse("orders:address_add"), address_post(province="11", city="1101", county="110101"))
    assert Address.objects.filter(user=buyer, is_default=True).get() == first  # not asked: stays
    client.post(reverse("orders:address_add"), address_post(detail="新地址 1 号", is_default="on"))
    assert Address.objects.filter(user=buyer, is_default=True).get().detail == "新地址 1 号"
    assert Address.objects.filter(user=buyer).count() == 3


def test_set_default_edit_and_delete_keep_exactly_one_default(client, buyer):
    client.force_login(buyer)
    home = AddressFactory(user=buyer, detail="家", is_default=True)
    work = AddressFactory(user=buyer, detail="单位", is_default=False, region=address_county("110101"))
    assert client.post(reverse("orders:address_default", args=[work.pk])).status_code == 302
    assert list(Address.objects.filter(user=buyer, is_default=True).values_list("detail", flat=True)) == ["单位"]
    # Unticking the default's box does not leave the book without one.
    client.post(reverse("orders:address_edit", args=[work.pk]), address_post(detail="单位 2 楼"))
    work.refresh_from_db()
    assert (work.detail, work.region.code, work.is_default) == ("单位 2 楼", "440106", True)
    assert client.post(reverse("orders:address_delete", args=[work.pk])).status_code == 302
    home.refresh_from_db()
    assert home.is_default and Address.objects.filter(user=buyer).count() == 1
    client.post(reverse("orders:address_delete", args=[home.pk]))
    assert not Address.objects.filter(user=buyer).exists()


def test_edit_form_shows_the_saved_region(client, buyer):
    client.force_login(buyer)
    address = AddressFactory(user=buyer, region=address_county("110101"))
    page = client.get(reverse("orders:address_edit", args=[address.pk])).content.decode()
    assert '<option value="11" selected>北京市</option>' in page
    assert '<option value="1101" selected>北京市</option>' in page
    assert '<option value="110101" selected>东城区</option>' in page


def test_the_book_holds_at_most_twenty(client, buyer):
    client.force_login(buyer)
    AddressFactory(user=buyer, is_default=True)
    AddressFactory.create_batch(MAX_ADDRESSES - 1, user=buyer, is_default=False)
    response = client.post(reverse("orders:address_add"), address_post())
    assert response.status_code == 200
    assert "地址簿最多保存 20 个地址" in response.content.decode()
    assert Address.objects.filter(user=buyer).count() == MAX_ADDRESSES
    page = client.get(reverse("orders:addresses")).content.decode()
    assert "地址簿已满" in page and reverse("orders:address_add") not in page


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"mobile": "1380013800"}, "mobile"),
        ({"mobile": "23800138000"}, "mobile"),
        ({"recipient_name": " "}, "recipient_name"),
        ({"county": "110101"}, "county"),
        ({"city": "", "county": ""}, "city"),
        ({"detail": "路" * 201}, "detail"),
    ],
)
def test_bad_address_is_a_form_error(client, buyer, overrides, field):
    client.force_login(buyer)
    response = client.post(reverse("orders:address_add"), address_post(**overrides))
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert not Address.objects.exists()


def test_address_list_shows_own_addresses_in_a_fixed_number_of_queries(client, buyer, other, django_assert_num_queries):
    client.force_login(buyer)
    AddressFactory(user=buyer, is_default=True, recipient_name="陈静", region=address_county("440106"))
    AddressFactory(user=other, is_default=True, recipient_name="别人家", detail="别人的地址")
    client.get(reverse("orders:addresses"))  # warm the session
    # session, user, the addresses with their regions; the page frame: two permission reads
    # (Wagtail user bar), the cart count (the categories are kept: catalog/caching.py)
    with django_assert_num_queries(6):
        page = client.get(reverse("orders:addresses")).content.decode()
    AddressFactory.create_batch(5, user=buyer, is_default=False, region=address_county("110101"))
    with django_assert_num_queries(6):
        page = client.get(reverse("orders:addresses")).content.decode()
    assert page.count('class="address-card') == 6
    assert "广东省 广州市 天河区" in page and "北京市 东城区" in page
    assert "别人家" not in page and "别人的地址" not in page


@pytest.mark.parametrize(
    "name, method",
    [("address_edit", "get"), ("address_edit", "post"), ("address_delete", "get"), ("address_delete", "post")]
    + [("address_default", "post")],
)
def test_another_buyers_address_is_a_404_and_unchanged(client, buyer, other, name, method):
    theirs = AddressFactory(user=other, is_default=False, detail="别人的地址")
    AddressFactory(user=other, is_default=True)
    client.force_login(buyer)
    response = getattr(client, method)(reverse(f"orders:{name}", args=[theirs.pk]), address_post(is_default="on"))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.detail, theirs.region.code, theirs.is_default) == ("别人的地址", "371722", False)
    assert Address.objects.filter(user=other).count() == 2 and not Address.objects.filter(user=buyer).exists()


@pytest.mark.parametrize(
    "name, method",
    [("addresses", "get"), ("address_add", "get"), ("address_add", "post"), ("address_edit", "get")]
    + [("address_delete", "post"), ("address_default", "post")],
)
def test_signed_out_visitor_is_sent_to_sign_in(client, other, name, method):
    address = AddressFactory(user=other)
    args = [] if name in ("addresses", "address_add") else [address.pk]
    response = getattr(client, method)(reverse(f"orders:{name}", args=args), address_post())
    assert response.status_code == 302 and response["Location"].startswith(reverse("orders:login"))
    assert Address.objects.count() == 1


@pytest.mark.parametrize("pk", ["abc", "0", "-1", "99999999999999999999999"])
def test_a_bad_address_id_is_a_400(client, buyer, pk):
    client.force_login(buyer)
    assert client.get(f"/orders/addresses/{pk}/edit/").status_code == 400
    assert client.post(f"/orders/addresses/{pk}/default/").status_code == 400


# --- the address book at checkout -------------------------------------------------------------------------


def test_checkout_offers_the_default_address_and_ships_to_a_saved_one(client, shop_world):
    buyer = shop_world.buyer
    AddressFactory(user=buyer, is_default=True, detail="菏泽家里")
    beijing = AddressFactory(
        user=buyer, is_default=False, recipient_name="陈静", mobile="13900139000", region=address_county("110101")
    )
    client.force_login(buyer)
    add_to_cart(client, shop_world.oil)
    page = client.get(reverse("orders:checkout")).content.decode()
    assert "［默认］" in page and "北京市 东城区" in page and "使用新地址" in page
    assert page.index("菏泽家里") < page.index("北京市 东城区")  # the default first, chosen
    # 使用新地址 is a radio of its own (not only the help text), so the new-address fields can be shown.
    assert re.search(r'<input type="radio" name="address" value="" [^>]*>\s*使用新地址', page)
    data = individual(shop_world, address=beijing.pk, province="", city="", county="", ship_detail="")
    data.update(recipient_name="", recipient_mobile="")
    response = client.post(reverse("orders:checkout"), data)
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.ship_region_code, order.ship_region_name, order.ship_detail) == (
        "110101",
        "北京市 东城区",
        "城关街道人民路 8 号",
    )
    assert (order.recipient_name, order.recipient_mobile, order.user) == ("陈静", "13900139000", buyer)
    assert Address.objects.filter(user=buyer).count() == 2  # nothing added


def test_checkout_refuses_another_buyers_saved_address(client, shop_world):
    theirs = AddressFactory(user=shop_world.other_buyer, region=address_county("110101"))
    AddressFactory(user=shop_world.buyer)
    client.force_login(shop_world.buyer)
    add_to_cart(client, shop_world.oil)
    response = client.post(reverse("orders:checkout"), individual(shop_world, address=theirs.pk))
    assert response.status_code == 200 and response.context["form"].errors["address"]
    assert Order.objects.count() == 0


def test_a_new_address_typed_at_checkout_is_saved_once_when_asked(client, shop_world):
    buyer = shop_world.buyer
    client.force_login(buyer)
    add_to_cart(client, shop_world.yam)
    page = client.get(reverse("orders:checkout")).content.decode()
    assert 'name="save_address" id="id_save_address" checked' in page  # an empty book: ticked
    guangzhou = individual(shop_world, province="44", city="4401", county="440106", save_address="on")
    assert client.post(reverse("orders:checkout"), guangzhou).status_code == 302
    saved = Address.objects.get(user=buyer)
    assert (saved.recipient_name, saved.mobile, saved.region.code, saved.detail, saved.is_default) == (
        "陈静",
        "13800138000",
        "440106",
        "园艺街道 1 号",
        True,
    )
    add_to_cart(client, shop_world.yam)
    client.post(reverse("orders:checkout"), guangzhou | {"address": ""})  # the same address again
    add_to_cart(client, shop_world.yam)
    client.post(reverse("orders:checkout"), guangzhou | {"address": "", "save_address": ""})  # not asked
    assert Order.objects.count() == 3 and Address.objects.filter(user=buyer).count() == 1


def test_a_full_book_does_not_cost_the_order(client, shop_world):
    buyer = shop_world.buyer
    AddressFactory(user=buyer, is_default=True)
    AddressFactory.create_batch(MAX_ADDRESSES - 1, user=buyer, is_default=False)
    client.force_login(buyer)
    add_to_cart(client, shop_world.yam)
    data = individual(shop_world, address="", province="11", city="1101", county="110101", save_address="on")
    response = client.post(reverse("orders:checkout"), data, follow=True)
    assert Order.objects.get().ship_region_code == "110101"
    assert "收货地址未保存：地址簿最多保存 20 个地址" in response.content.decode()
    assert Address.objects.filter(user=buyer).count() == MAX_ADDRESSES


# --- after a transactional test -----------------------------------------------------------------------------


@pytest.mark.parametrize("run", [1, 2])
@pytest.mark.django_db(transaction=True)
def test_address_regions_are_there_in_transactional_tests_one_after_another(run):
    """A transactional test empties every table at its end; the next one gets the address
    regions back (tests/conftest.py writes them in bulk after the serialized state)."""
    assert AddressRegion.objects.count() == 31 + 369 + 2978
    assert address_county("440106").parent.parent.name == "广东省"
