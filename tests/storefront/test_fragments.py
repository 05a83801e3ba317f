"""Product cards kept rendered for every visitor (cms/fragments.py), with the page cache off:
a kept card costs no picture query and no template, and every change a card shows is on
the very next request, signed in or not."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Product
from certification.models import Certificate
from cms import fragments
from core import page_cache
from core.days import day_start
from producers.services import ShareSpec, revise_benefit_linkage
from tests.admin.helpers import product_data_from, url
from tests.factories import (
    CollectiveFactory,
    HouseholdFactory,
    ProductImageFactory,
    UserFactory,
    certify_product,
    review_for,
)

from .builders import link_households, make_product

pytestmark = pytest.mark.django_db

PICTURE_TABLES = ("catalog_productimage", "wagtailimages_rendition")


@pytest.fixture(autouse=True)
def fragments_on(settings):
    settings.FRAGMENT_CACHE = True
    settings.PAGE_CACHE = False


@pytest.fixture
def yam(storefront, shop, categories, producer):
    return make_product(
        shop, categories["tubers"], producer=producer, title="单县铁棍山药", price_fen=5990, stock=40, with_image=True
    )


@pytest.fixture
def jujube(storefront, shop, categories, producer):
    return make_product(
        shop, categories["fruit_veg"], producer=producer, title="冬枣", price_fen=3000, stock=9, with_image=True
    )


@pytest.fixture
def buyer_client():
    client = Client()
    client.force_login(UserFactory())
    return client


def get(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def picture_queries(sqls):
    return [sql for sql in sqls if any(table in sql for table in PICTURE_TABLES)]


def cards(html):
    return re.findall(r'<article class="card".*?</article>', html, re.S)


def kept_cards():
    return [key for key in cache._cache if fragments.FRAGMENT_PREFIX in key]  # locmem's own table


def test_kept_cards_cost_no_picture_query_and_look_the_same(yam, jujube, buyer_client, settings):
    first, first_sqls = get(buyer_client, "/products/")  # renders and keeps the cards (and warms the menus)
    assert len(picture_queries(first_sqls)) == 2  # the pictures, their renditions
    settings.FRAGMENT_CACHE = False
    rendered, rendered_sqls = get(buyer_client, "/products/")
    settings.FRAGMENT_CACHE = True
    kept, kept_sqls = get(buyer_client, "/products/")
    assert picture_queries(kept_sqls) == []
    assert len(kept_sqls) == len(rendered_sqls) - 3  # the products in full, their pictures, renditions
    assert cards(kept) == cards(rendered) == cards(first)
    assert len(cards(kept)) == 2
    assert re.search(r'<img src="/media/images/[^"]+" srcset="[^"]+ 200w, [^"]+ 400w"', cards(kept)[0])


def test_the_same_cards_serve_the_list_a_category_a_shop_and_the_home_page(yam, jujube, shop, buyer_client):
    get(buyer_client, "/products/")
    for path in ("/products/category/fruit-veg/", f"/products/shop/{shop.slug}/"):
        html, sqls = get(buyer_client, path)
        assert picture_queries(sqls) == [], path
        assert "单县铁棍山药" in html


def test_off_with_one_setting(yam, settings, buyer_client):
    settings.FRAGMENT_CACHE = False
    get(buyer_client, "/products/")
    _html, sqls = get(buyer_client, "/products/")
    assert len(picture_queries(sqls)) == 2
    assert kept_cards() == []


# --- every change a card shows, on the next request ------------------------------------------------------------------


def test_price_changed_in_the_admin(yam, jujube, buyer_client):
    get(buyer_client, "/products/")
    admin = Client()
    admin.force_login(UserFactory(roles=["platform_admin"]))
    response = admin.post(url("products:edit", yam.pk), product_data_from(yam, price_yuan="66.60"))
    assert response.status_code == 302
    html, sqls = get(buyer_client, "/products/")
    assert "66.60" in html and "59.90" not in html
    assert len(picture_queries(sqls)) == 2  # the changed card only is rendered again...
    assert "30.00" in html  # ...the other one is the kept one


def test_title_changed(yam, buyer_client):
    get(buyer_client, "/products/")
    yam.title = "单县铁棍山药（礼盒）"
    yam.save()
    assert "单县铁棍山药（礼盒）" in get(buyer_client, "/products/")[0]


def test_shop_renamed(yam, shop, buyer_client):
    get(buyer_client, "/products/")
    shop.name = "李庄村扶贫网店"
    shop.save()
    assert "李庄村扶贫网店" in cards(get(buyer_client, "/products/")[0])[0]


def test_origin_renamed(yam, buyer_client):
    get(buyer_client, "/products/")
    origin = yam.origin_region
    origin.name = "李家庄村"
    origin.save()
    assert "产地：李家庄村" in cards(get(buyer_client, "/products/")[0])[0]


def test_a_new_first_picture(yam, buyer_client):
    before = cards(get(buyer_client, "/products/")[0])[0]
    ProductImageFactory(product=yam, sort_order=-1)
    after = cards(get(buyer_client, "/products/")[0])[0]
    assert after != before
    assert re.search(r'<img src="/media/images/', after)


def test_each_language_has_its_own_cards(yam, buyer_client):
    chinese = cards(get(buyer_client, "/products/")[0])[0]
    buyer_client.cookies["django_language"] = "en"
    english = cards(get(buyer_client, "/products/")[0])[0]
    assert "产地：" in chinese
    assert "产地：" not in english and "Origin" in english


def test_a_card_rendered_while_a_change_commits_is_not_kept(yam):
    """The rows were read, then a change to any product committed before the cards were
    rendered: the cards are rendered from the rows read (all this request can show) but
    none is kept, so the next request renders the change."""
    request = RequestFactory().get("/products/")
    request._versions_at_start = page_cache.versions(page_cache.ALWAYS_READ)
    rows = list(Product.objects.card_rows().filter(pk=yam.pk))
    Product.objects.get(pk=yam.pk).save()  # another request's change, committed: `products` bumped
    html = fragments.product_cards(request, rows)
    assert "单县铁棍山药" in html
    assert kept_cards() == []


def test_the_cards_of_a_request_nothing_disturbed_are_kept(yam):
    request = RequestFactory().get("/products/")
    request._versions_at_start = page_cache.versions(page_cache.ALWAYS_READ)
    rows = list(Product.objects.card_rows().filter(pk=yam.pk))
    fragments.product_cards(request, rows)
    assert len(kept_cards()) == 1


# --- a product's page ------------------------------------------------------------------------------------------------


def product_url(product) -> str:
    return f"/products/{product.pk}/"


def test_a_kept_product_page_costs_one_query(yam, regions):
    link_households(yam, 3, collective=CollectiveFactory(village=regions[-1], name="李庄村集体"))
    review_for(yam, 4, name="陈静", text="口感面，值得买", photos=1)
    visitor = Client()  # the page cache is off: rendered for every visitor
    first, _ = get(visitor, product_url(yam))
    kept, sqls = get(visitor, product_url(yam))
    assert len(sqls) == 1, sqls  # the product; its live price from the kept live prices
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip.sub("", kept) == strip.sub("", first)
    for shown in ("李庄村集体", '<strong class="household-count">3</strong>', "口感面，值得买", "max-800x800.png"):
        assert shown in kept


def test_what_changes_with_every_order_is_rendered_each_time(yam, buyer_client):
    get(buyer_client, product_url(yam))
    Product.objects.filter(pk=yam.pk).update(stock=7, price_fen=4990)  # no signal: not through a kept part
    html, _ = get(buyer_client, product_url(yam))
    assert "库存 7 件" in html and "49.90" in html


def test_a_new_picture_review_and_linkage_on_the_next_request(yam, buyer_client, regions):
    get(buyer_client, product_url(yam))
    ProductImageFactory(product=yam)
    assert get(buyer_client, product_url(yam))[0].count("max-800x800.png 640w") == 2
    review_for(yam, 5, name="王芳", text="很新鲜")
    assert "很新鲜" in get(buyer_client, product_url(yam))[0]
    link_households(yam, 4)
    assert '<strong class="household-count">4</strong>' in get(buyer_client, product_url(yam))[0]


def test_a_bureau_renamed_and_a_certificate_revoked(yam, buyer_client):
    certificate = Certificate.objects.get(product=yam)
    assert certificate.bureau.name in get(buyer_client, product_url(yam))[0]
    certificate.bureau.name = "单县商务局（新）"
    certificate.bureau.save()
    assert "单县商务局（新）" in get(buyer_client, product_url(yam))[0]
    certificate.revoked_at = timezone.now()
    certificate.save()
    assert buyer_client.get(product_url(yam)).status_code == 404


def test_the_next_certificate_shown_from_midnight_shanghai(yam):
    today = timezone.localdate()
    lapsing = Certificate.objects.get(product=yam)
    lapsing.valid_until = today
    lapsing.save()
    following = certify_product(yam, valid_from=today + dt.timedelta(days=1))
    midnight = day_start(today + dt.timedelta(days=1))
    visitor = Client()
    with time_machine.travel(midnight - dt.timedelta(seconds=1), tick=False):
        get(visitor, product_url(yam))
        assert lapsing.number in get(visitor, product_url(yam))[0]
    with time_machine.travel(midnight, tick=False):
        html = get(visitor, product_url(yam))[0]
        assert following.number in html and lapsing.number not in html


def test_a_linkage_put_in_force_later_is_shown_from_that_moment(yam):
    link_households(yam, 2)
    later = timezone.now() + dt.timedelta(hours=3)
    shares = [ShareSpec(share_bp=100, mode="employment", household=HouseholdFactory(village=yam.origin_region))]
    revise_benefit_linkage(yam, shares * 1, valid_from=later)
    visitor = Client()
    with time_machine.travel(later - dt.timedelta(seconds=1), tick=False):
        get(visitor, product_url(yam))
        assert '<strong class="household-count">2</strong>' in get(visitor, product_url(yam))[0]
    with time_machine.travel(later, tick=False):
        assert '<strong class="household-count">1</strong>' in get(visitor, product_url(yam))[0]


def test_each_page_of_reviews_is_kept_apart(yam, buyer_client):
    for n in range(12):
        review_for(yam, 5, name="王芳", text=f"第{n}条评价")
    first = get(buyer_client, product_url(yam))[0]
    second = get(buyer_client, product_url(yam) + "?page=2")[0]
    assert "第11条评价" in first and "第11条评价" not in second
    assert "第0条评价" in second and "第 2 / 2 页" in second
