"""Products in the admin: every operator, officer, buyer and admin sees and changes
exactly the rows their role and scope allow, through every admin URL."""

import pytest
from django.urls import reverse

from catalog.models import Product, ProductImage
from tests.factories import ProductFactory, make_image

from .helpers import product_data, product_data_from, url

pytestmark = pytest.mark.django_db

ADMIN_HOME = "/admin/"


def refused(response) -> bool:
    """Wagtail's permission-denied answer: back to the dashboard, nothing of the row."""
    return response.status_code == 302 and response.url == ADMIN_HOME


def test_operator_lists_only_own_shop_products(world, login):
    client = login(world.op_a)
    response = client.get(url("products:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.product_a.title in html
    assert world.product_b.title not in html
    assert list(response.context["object_list"]) == [world.product_a]


def test_operator_cannot_open_other_shops_product(world, login):
    client = login(world.op_a)
    for name in ("products:edit", "products:inspect", "products:delete", "products:history"):
        response = client.get(url(name, world.product_b.pk))
        assert response.status_code == 404, name
        assert world.product_b.title not in response.content.decode()


def test_operator_cannot_post_edit_to_other_shops_product(world, login):
    before = Product.objects.values().get(pk=world.product_b.pk)
    client = login(world.op_a)
    data = product_data(
        shop=world.shop_a,
        producer=world.producer_a,
        category=world.category,
        origin_region=world.village_a,
        title="被篡改的标题",
        price_yuan="0.01",
    )
    response = client.post(url("products:edit", world.product_b.pk), data)
    assert response.status_code == 404
    assert Product.objects.values().get(pk=world.product_b.pk) == before


def test_operator_cannot_delete_other_shops_product(world, login):
    client = login(world.op_a)
    response = client.post(url("products:delete", world.product_b.pk))
    assert response.status_code == 404
    assert Product.objects.filter(pk=world.product_b.pk).exists()


def test_operator_deletes_own_uncertified_product(world, login):
    draft = ProductFactory(shop=world.product_a.shop, producer=world.product_a.producer, certified=False)
    client = login(world.op_a)
    response = client.post(url("products:delete", draft.pk))
    assert response.status_code == 302
    assert not Product.objects.filter(pk=draft.pk).exists()


def test_certified_product_cannot_be_deleted_only_unlisted(world, login):
    """Its certificate (and later its sales) refer to it: history is kept."""
    client = login(world.op_a)
    response = client.post(url("products:delete", world.product_a.pk), follow=True)
    assert response.status_code == 200
    assert "不能删除" in response.content.decode()
    assert Product.objects.filter(pk=world.product_a.pk).exists()


def test_operator_cannot_pick_other_shops_producer(world, login):
    client = login(world.op_a)
    data = product_data(
        shop=world.shop_a, producer=world.producer_b, category=world.category, origin_region=world.village_a
    )
    response = client.post(url("products:add"), data)
    assert response.status_code == 200
    assert "producer" in response.context["form"].errors
    assert Product.objects.count() == 2


def test_operator_cannot_pick_other_shop(world, login):
    client = login(world.op_a)
    data = product_data(
        shop=world.shop_b, producer=world.producer_b, category=world.category, origin_region=world.village_b
    )
    response = client.post(url("products:add"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"shop", "producer", "origin_region"} <= set(errors)
    assert Product.objects.count() == 2


def test_add_form_offers_only_own_shops_and_producers(world, login):
    client = login(world.op_a)
    response = client.get(url("products:add"))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["shop"].queryset) == [world.shop_a]
    assert list(form.fields["producer"].queryset) == [world.producer_a]
    html = response.content.decode()
    assert world.shop_b.name not in html and world.producer_b.name not in html


def test_producer_must_belong_to_chosen_shop(world, login):
    # Admins may pick any shop and producer, but not a mismatched pair.
    client = login(world.admin)
    data = product_data(
        shop=world.shop_a, producer=world.producer_b, category=world.category, origin_region=world.village_a
    )
    response = client.post(url("products:add"), data)
    assert response.status_code == 200
    assert "producer" in response.context["form"].errors


def test_operator_creates_product_priced_in_yuan(world, login):
    client = login(world.op_a)
    image = make_image()
    data = product_data(
        shop=world.shop_a,
        producer=world.producer_a,
        category=world.category,
        origin_region=world.village_a,
        price_yuan="1,234.56",
        images=[image],
    )
    response = client.post(url("products:add"), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    product = Product.objects.get(title="单县铁棍山药（礼盒）")
    assert product.price_fen == 123456
    assert product.shop == world.shop_a and product.stock == 40
    assert list(ProductImage.objects.filter(product=product).values_list("image_id", flat=True)) == [image.pk]


@pytest.mark.parametrize(
    ("typed", "fen"),
    [("59.9", 5990), ("0.10", 10), ("100", 10000), ("19.99", 1999)],
)
def test_operator_edits_own_product_price(world, login, typed, fen):
    client = login(world.op_a)
    response = client.get(url("products:edit", world.product_a.pk))
    assert response.status_code == 200
    assert response.context["form"].initial["price_yuan"] == "59.90"
    data = product_data_from(world.product_a, price_yuan=typed, stock="7")
    response = client.post(url("products:edit", world.product_a.pk), data)
    assert response.status_code == 302
    world.product_a.refresh_from_db()
    assert (world.product_a.price_fen, world.product_a.stock) == (fen, 7)


@pytest.mark.parametrize("typed", ["59.999", "-1", "abc", "0"])
def test_bad_yuan_amount_is_a_form_error(world, login, typed):
    client = login(world.op_a)
    response = client.post(
        url("products:edit", world.product_a.pk), product_data_from(world.product_a, price_yuan=typed)
    )
    assert response.status_code == 200
    assert "price_yuan" in response.context["form"].errors
    world.product_a.refresh_from_db()
    assert world.product_a.price_fen == 5990


def test_county_officer_reads_own_county_only(world, login):
    client = login(world.officer_a)
    response = client.get(url("products:index"))
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [world.product_a]
    html = response.content.decode()
    assert world.product_b.title not in html
    # Read-only: no add button, no edit or delete links.
    assert reverse("products:add") not in html
    assert url("products:edit", world.product_a.pk) not in html
    assert url("products:delete", world.product_a.pk) not in html
    assert url("products:inspect", world.product_a.pk) in html

    assert client.get(url("products:inspect", world.product_a.pk)).status_code == 200
    other = client.get(url("products:inspect", world.product_b.pk))
    assert other.status_code == 404
    assert world.product_b.title not in other.content.decode()


def test_county_officer_cannot_edit_add_or_delete(world, login):
    client = login(world.officer_a)
    before = Product.objects.values().get(pk=world.product_a.pk)
    assert refused(client.get(url("products:edit", world.product_a.pk)))
    assert refused(client.post(url("products:edit", world.product_a.pk), product_data_from(world.product_a, stock="0")))
    assert refused(client.get(url("products:add")))
    assert refused(client.post(url("products:delete", world.product_a.pk)))
    assert Product.objects.values().get(pk=world.product_a.pk) == before


def test_city_officer_sees_both_counties(world, login):
    response = login(world.city_officer).get(url("products:index"))
    assert set(response.context["object_list"]) == {world.product_a, world.product_b}


def test_buyer_is_refused_the_admin(world, login):
    client = login(world.buyer)
    for path in (reverse("wagtailadmin_home"), url("products:index"), url("products:edit", world.product_a.pk)):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith(reverse("wagtailadmin_login"))


def test_platform_admin_sees_and_edits_all(world, login):
    client = login(world.admin)
    response = client.get(url("products:index"))
    assert set(response.context["object_list"]) == {world.product_a, world.product_b}
    html = response.content.decode()
    assert reverse("products:add") in html
    response = client.post(url("products:edit", world.product_b.pk), product_data_from(world.product_b, stock="3"))
    assert response.status_code == 302
    world.product_b.refresh_from_db()
    assert world.product_b.stock == 3


def test_index_filter_choices_are_scoped(world, login):
    response = login(world.op_a).get(url("products:index"))
    shop_filter = response.context["filters"].form.fields["shop"]
    assert list(shop_filter.queryset) == [world.shop_a]
    # Filtering by another shop's id does not reveal its rows.
    response = login(world.op_a).get(url("products:index"), {"shop": world.shop_b.pk})
    assert world.product_b not in list(response.context["object_list"])


def test_index_shows_price_in_yuan(world, login):
    ProductFactory(shop=world.shop_a, producer=world.producer_a, title="芦笋礼盒", price_fen=123456)
    html = login(world.op_a).get(url("products:index")).content.decode()
    assert "1,234.56" in html and "59.90" in html


@pytest.mark.parametrize("user_name", ["op_a", "officer_a", "admin"])
def test_index_query_count_does_not_grow_with_rows(world, login, django_assert_max_num_queries, user_name):
    user = {"op_a": world.op_a, "officer_a": world.officer_a, "admin": world.admin}[user_name]
    client = login(user)
    client.get(url("products:index"))  # warm per-process caches (content types, site)
    # Session, user, permissions, roles, scope, count, page, row rights, filters: about
    # 16 whatever the page holds; the bound leaves room for a middleware, not for N+1.
    bound = 18
    for total in (3, 30):
        have = Product.objects.filter(shop=world.shop_a).count()
        ProductFactory.create_batch(total - have, shop=world.shop_a, producer=world.producer_a, category=world.category)
        with django_assert_max_num_queries(bound):
            response = client.get(url("products:index"))
        shown = len(response.context["object_list"])
        assert shown == min(total + (1 if user_name == "admin" else 0), 20)


def test_operator_can_choose_and_upload_product_images(world, login):
    # Wagtail images take their permissions per collection; the operator role has them.
    make_image(title="山药主图")
    client = login(world.op_a)
    response = client.get(reverse("wagtailimages_chooser:choose"))
    assert response.status_code == 200
    assert "山药主图" in response.json()["html"]
    assert client.get(reverse("wagtailimages:add")).status_code == 200
    # Officers upload and choose too: their pavilion's banner (core.roles, cms/rights.py).
    assert login(world.officer_a).get(reverse("wagtailimages:add")).status_code == 200


def test_product_with_linkage_history_is_not_deleted(world, login):
    from producers.services import ShareSpec, revise_benefit_linkage

    revise_benefit_linkage(world.product_a, [ShareSpec(share_bp=100, mode="other", household=world.household_a)])
    response = login(world.op_a).post(url("products:delete", world.product_a.pk))
    # Refused by Wagtail's reference index when it knows the linkage (-> dashboard), else
    # by the database's PROTECT (-> back to the list with a message); never a 500.
    assert response.status_code == 302 and response.url in {ADMIN_HOME, reverse("products:index")}
    assert Product.objects.filter(pk=world.product_a.pk).exists()


def test_usage_and_history_views(world, login):
    client = login(world.op_a)
    assert client.get(url("products:history", world.product_a.pk)).status_code == 200
    # Usage lists referring rows across shops: platform administrators only.
    assert refused(client.get(url("products:usage", world.product_a.pk)))
    assert refused(client.get(url("products:usage", world.product_b.pk)))
    assert login(world.admin).get(url("products:usage", world.product_a.pk)).status_code == 200
