"""The anonymous full-page cache (core/page_cache.py, cms/page_cache.py): a kept page is
served without a query, and every change a visitor could see is on the very next request —
made through the owners' services or the admin, as the people who make them do."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone

from catalog import services as catalog_services
from catalog.models import Product
from certification import services as certification_services
from cms.setup import ensure_live_page
from core.days import day_start
from core.roles import Role
from live.models import LiveEvent
from orders.models import Review
from tests.admin.helpers import product_data_from, url
from tests.factories import (
    ProductImageFactory,
    UserFactory,
    certify_product,
    review_for,
)

from .builders import make_product

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE = True


@pytest.fixture
def yam(storefront, shop, categories, producer):
    return make_product(shop, categories["tubers"], producer=producer, title="单县铁棍山药", price_fen=5990, stock=40)


@pytest.fixture
def jujube(storefront, shop, categories, producer):
    return make_product(shop, categories["fruit_veg"], producer=producer, title="冬枣", price_fen=3000, stock=9)


def product_url(product) -> str:
    return f"/products/{product.pk}/"


def get(client, path, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200, (path, response.status_code)
    return response


def warm(path, client=None):
    """Two anonymous requests: the first renders and keeps the page, the second is served
    from the cache. Returns the second."""
    client = client or Client()
    get(client, path)
    response = get(client, path)
    assert response["X-Page-Cache"] == "hit", path
    return response


def fresh(path):
    """The next anonymous request, from a new visitor."""
    return get(Client(), path)


# --- what is kept, and for whom --------------------------------------------------------------------------------------


def test_a_kept_page_is_served_without_a_query(yam, django_assert_num_queries):
    client = Client()
    first = get(client, product_url(yam))
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = get(client, product_url(yam))
    assert second["X-Page-Cache"] == "hit"
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip.sub(b"", second.content) == strip.sub(b"", first.content)


def test_every_storefront_page_is_kept(yam, categories, shop):
    for path in ("/", "/products/", "/products/category/fruit-veg/", product_url(yam), f"/products/shop/{shop.slug}/"):
        warm(path)
    warm("/search/?q=%E5%B1%B1%E8%8D%AF")
    warm("/catalogue/")


def test_the_csrf_token_of_a_kept_page_is_the_visitors_own(yam):
    """Each visitor gets a token that matches the cookie they are sent: adding to the cart
    from a kept page works, with CSRF checks on."""
    warm(product_url(yam))
    visitor = Client(enforce_csrf_checks=True)
    page = get(visitor, product_url(yam))
    assert page["X-Page-Cache"] == "hit"
    assert "csrftoken" in page.cookies
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    added = visitor.post("/cart/add/", {"product_id": yam.pk, "quantity": 1, "csrfmiddlewaretoken": token})
    assert added.status_code == 302
    cart = visitor.get("/cart/")
    assert "单县铁棍山药" in cart.content.decode()


def test_a_visitor_with_a_cart_gets_their_own_page(yam):
    warm("/products/")
    shopper = Client()
    get(shopper, product_url(yam))
    token = shopper.cookies["csrftoken"].value
    shopper.post("/cart/add/", {"product_id": yam.pk, "quantity": 2, "csrfmiddlewaretoken": token})
    page = get(shopper, "/products/")
    assert page.get("X-Page-Cache") is None  # past the cache both ways
    assert re.search(r'class="cart-count">2<', page.content.decode())
    # ...and the anonymous visitors' kept page never shows that cart.
    assert not re.search(r'class="cart-count">2<', fresh("/products/").content.decode())


def test_a_signed_in_buyer_gets_their_own_header(yam):
    warm("/products/")
    buyer = UserFactory(username="chenjing")
    client = Client()
    client.force_login(buyer)
    page = get(client, "/products/")
    assert page.get("X-Page-Cache") is None
    html = page.content.decode()
    assert 'action="/accounts/logout/"' in html
    # The kept page was not replaced by the buyer's.
    assert 'action="/accounts/logout/"' not in fresh("/products/").content.decode()


def test_each_language_is_kept_apart(yam):
    warm("/products/")
    english = Client()
    english.cookies["django_language"] = "en"
    page = get(english, "/products/")
    assert page["X-Page-Cache"] == "miss"
    assert '<html lang="en">' in page.content.decode()
    assert '<html lang="zh-hans">' in fresh("/products/").content.decode()


def test_pages_that_are_not_the_same_for_everyone_are_not_kept(yam):
    client = Client()
    for path in ("/cart/", "/accounts/login/"):
        client.get(path)
        assert client.get(path).get("X-Page-Cache") in (None, "miss"), path


def test_off_with_one_setting(yam, settings):
    settings.PAGE_CACHE = False
    client = Client()
    get(client, product_url(yam))
    assert "X-Page-Cache" not in get(client, product_url(yam))


# --- every change is on the next request -----------------------------------------------------------------------------


def test_price_changed_in_the_admin(yam, client):
    warm(product_url(yam))
    warm("/products/")
    admin = UserFactory(roles=["platform_admin"])
    client.force_login(admin)
    response = client.post(url("products:edit", yam.pk), product_data_from(yam, price_yuan="66.60"))
    assert response.status_code == 302
    assert Product.objects.get(pk=yam.pk).price_fen == 6660
    assert "66.60" in fresh(product_url(yam)).content.decode()
    assert "66.60" in fresh("/products/").content.decode()


def test_title_changed(yam):
    warm(product_url(yam))
    warm("/")
    yam.title = "单县铁棍山药（礼盒）"
    yam.save()
    assert "单县铁棍山药（礼盒）" in fresh(product_url(yam)).content.decode()
    assert "单县铁棍山药（礼盒）" in fresh("/").content.decode()


def test_stock_taken_by_an_order(yam):
    warm(product_url(yam))
    with transaction.atomic():
        locked = catalog_services.lock_products([yam.pk])[yam.pk]
        catalog_services.reserve_stock(locked, 3)
    assert "库存 37 件" in fresh(product_url(yam)).content.decode()


def test_a_new_picture(yam):
    warm(product_url(yam))
    assert "<img" not in fresh(product_url(yam)).content.decode().split('class="gallery', 1)[-1].split("</section>")[0]
    ProductImageFactory(product=yam)
    html = fresh(product_url(yam)).content.decode()
    assert re.search(r'<img[^>]+src="/media/images/', html)


def test_a_certificate_revoked(yam, jujube):
    warm(product_url(yam))
    warm("/products/")
    certificate = yam.certificates.get()
    officer = UserFactory(bureau=certificate.bureau, roles=[Role.BUREAU_OFFICER])
    certification_services.apply_transition(certificate.application_id, "revoke", by=officer, note="抽检不合格")
    response = Client().get(product_url(yam))
    assert response.status_code == 404
    listing = fresh("/products/").content.decode()
    assert "单县铁棍山药" not in listing and "冬枣" in listing


def test_a_new_certificate(yam, storefront, shop, categories, producer):
    melon = make_product(shop, categories["fruit_veg"], producer=producer, title="甜瓜", certified=False)
    warm("/products/")
    assert "甜瓜" not in fresh("/products/").content.decode()
    certify_product(melon)
    assert "甜瓜" in fresh("/products/").content.decode()


def test_a_shop_closed(yam, shop):
    warm(product_url(yam))
    warm("/products/")
    shop.is_active = False
    shop.save()
    assert Client().get(product_url(yam)).status_code == 404
    assert "单县铁棍山药" not in fresh("/products/").content.decode()


def test_a_review(yam):
    warm(product_url(yam))
    review_for(yam, 4, name="陈静", text="口感面，值得买")
    assert Review.objects.count() == 1
    assert "口感面，值得买" in fresh(product_url(yam)).content.decode()


def test_a_page_published(yam, storefront):
    home, _catalog = storefront
    warm("/")
    home.title = "春节年货专场"
    home.save_revision().publish()
    assert "春节年货专场" in fresh("/").content.decode()


def test_another_products_change_keeps_this_products_page(yam, jujube):
    warm(product_url(yam))
    jujube.price_fen = 3100
    jujube.save()
    assert fresh(product_url(yam))["X-Page-Cache"] == "hit"
    assert fresh("/products/")["X-Page-Cache"] == "miss"


def test_a_certificate_lapses_at_midnight_shanghai(storefront, shop, categories, producer):
    today = timezone.localdate()
    lapsing = make_product(shop, categories["fruit_veg"], producer=producer, title="黄桃罐头", certified=False)
    certify_product(lapsing, valid_until=today)
    midnight = day_start(today + dt.timedelta(days=1))
    with time_machine.travel(midnight - dt.timedelta(seconds=1), tick=False):
        warm("/products/")
        assert "黄桃罐头" in fresh("/products/").content.decode()
    with time_machine.travel(midnight, tick=False):
        response = fresh("/products/")
        assert response["X-Page-Cache"] == "miss"
        assert "黄桃罐头" not in response.content.decode()


def test_a_live_event_starting_renders_the_page_again(yam, shop):
    ensure_live_page()
    start = timezone.now() + dt.timedelta(hours=2)
    event = LiveEvent.objects.create(
        title="单县山药直播",
        code="SXSY2026",
        scheduled_start=start,
        scheduled_end=start + dt.timedelta(hours=2),
        is_published=True,
    )
    event.shops.add(shop)
    path = f"/live/{event.code}/"
    with time_machine.travel(start - dt.timedelta(minutes=5), tick=False):
        warm(path)
    with time_machine.travel(start + dt.timedelta(seconds=1), tick=False):
        response = fresh(path)
        assert response["X-Page-Cache"] == "miss"
        assert "live-countdown" not in response.content.decode()


def test_bulk_writes_drop_every_kept_page(yam):
    """Writes that send no signal (load_demo's bulk inserts) drop every kept page at once."""
    warm(product_url(yam))
    warm("/products/")
    Product.objects.filter(pk=yam.pk).update(title="单县铁棍山药（散装）")
    assert fresh(product_url(yam))["X-Page-Cache"] == "hit"  # no signal: still the kept page...
    from core import page_cache

    page_cache.changed_everything()
    assert "单县铁棍山药（散装）" in fresh(product_url(yam)).content.decode()  # ...until everything is dropped
    assert "单县铁棍山药（散装）" in fresh("/products/").content.decode()
