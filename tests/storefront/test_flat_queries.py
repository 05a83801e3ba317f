"""The storefront's pages run a fixed number of SQL queries, the same with 5 products as
with 60 (several pages deep, several categories): the home page and the catalogue's routes
are served without Wagtail's walk of the page tree (cms/serving.py), the category tree
and the lists' counts are kept in the cache (catalog/caching.py), and product cards and
the unchanging parts of a product's page are kept rendered (cms/fragments.py), as in
production with a shared cache; counted too with those fragments off (FRAGMENT_CACHE=0).
Each kept read is dropped by the change that alters it: the very next request shows it."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail import hooks

from certification.models import Certificate
from cms.models import CampaignIndexPage, CatalogPage
from cms.setup import ensure_live_page
from tests.factories import (
    CategoryFactory,
    CollectiveFactory,
    FeaturedProductFactory,
    LiveEventFactory,
    ProductImageFactory,
    ShopFactory,
    review_for,
)

from .builders import link_households, make_product

pytestmark = pytest.mark.django_db

# Warm (the second request of the same URL), on SQLite and PostgreSQL alike, page cache off.
# Fragments on (production with CACHE_URL):
KEPT = {
    # Wagtail's routing is skipped (the site and its root page are kept); its blocks: the
    # newest products, the shops, the live events (the cards are kept).
    "home": 3,
    # Which products (one table: catalog.selectors.LIST_FIELDS); their cards are kept.
    "list": 1,
    "category": 1,
    # + the shop and its region's names.
    "shop": 3,
    # The product (shop and producer joined; its category chain from the kept category
    # tree); its live price of the moment comes from the kept live prices
    # (live.pricing.shown_quote); pictures, certificate, benefit and reviews are kept rendered.
    "product": 1,
    "product with reviews": 1,
    # 扶贫产品目录: the page of certificates (product, category, producer, region, bureau
    # joined), their regions' names, the bureaus of the filter; its count and region
    # choices are kept for the day (certification/views.py).
    "catalogue": 3,
}
# FRAGMENT_CACHE=0: every card and product page rendered afresh.
RENDERED = {
    **KEPT,
    # + the cards' pictures and their renditions (and on the lists, those products in
    # full: shop, category, origin joined)
    "home": 5,
    "list": 4,
    "category": 4,
    "shop": 6,
    # + its origin, pictures, renditions, certificate, origin's names, the linkage in force
    # and its next change, the review summary; the reviewed one has a linkage (+ its
    # households and collectives) and reviews (+ their page and their photos).
    "product": 9,
    "product with reviews": 13,
}


def warm_count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def card_ids(html: str) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(r'<article class="card"[^>]*>\s*<a class="card-media" href="/products/(\d+)/"', html)
    ]


@pytest.fixture
def catalogue(storefront, shop, categories):
    """5 products to start with; ``grow()`` adds 55 more in three categories and a second shop."""
    made = [make_product(shop, categories["tubers"], with_image=True, title=f"山药{n}") for n in range(5)]

    def grow():
        other = ShopFactory(name="王楼村网店", slug="wanglou", region=shop.region)
        for n in range(55):
            category = [categories["tubers"], categories["fruit_veg"], categories["grain_oil"]][n % 3]
            made.append(
                make_product(
                    other if n % 2 else shop, category, with_image=True, title=f"货{n}", price_fen=1000 * (n % 4)
                )
            )

    return made, grow


@pytest.mark.parametrize("fragments", [True, False], ids=["fragments kept", "fragments rendered"])
def test_every_page_costs_the_same_with_5_and_60_products(
    client, catalogue, regions, django_assert_num_queries, settings, fragments
):
    settings.FRAGMENT_CACHE = fragments
    counts = KEPT if fragments else RENDERED
    made, grow = catalogue
    reviewed = made[0]
    review_for(reviewed, 4, photos=1)
    link_households(reviewed, 2, collective=CollectiveFactory(village=regions[-1]))
    pages = {
        "/": counts["home"],
        "/products/": counts["list"],
        "/products/?sort=price_asc&page=2": counts["list"],
        "/products/?sort=price_desc&page=2&after=1000.1": counts["list"],
        "/products/category/fruit-veg/": counts["category"],
        "/products/shop/lizhuang/": counts["shop"],
        f"/products/{made[1].pk}/": counts["product"],
        f"/products/{reviewed.pk}/": counts["product with reviews"],
        "/catalogue/": counts["catalogue"],
    }
    assert {url: warm_count(client, url) for url in pages} == pages

    grow()
    for _ in range(3):
        ProductImageFactory(product=made[1])
    for n in range(12):
        review_for(reviewed, 1 + n % 5, photos=2)
    assert {url: warm_count(client, url) for url in pages} == pages
    for url, expected in pages.items():
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200
    assert len(card_ids(client.get("/products/").content.decode())) == 24

    # Every picture of a product on these pages: srcset, width and height (no layout shift).
    for url in [url for url in pages if url != "/catalogue/"]:  # the catalogue is a table, no pictures
        pictures = [tag for tag in re.findall(r"<img [^>]*>", client.get(url).content.decode()) if "/images/" in tag]
        assert pictures, url
        for tag in pictures:
            assert re.search(r'srcset="[^"]+ \d+w, [^"]+ \d+w"', tag), tag
            assert re.search(r'width="\d+"', tag) and re.search(r'height="\d+"', tag), tag


def test_a_live_events_product_pictures_have_srcset(client, catalogue):
    made, _ = catalogue
    ensure_live_page()
    event = LiveEventFactory(title="直播", shops=[made[0].shop])
    for product in made[:3]:
        FeaturedProductFactory(event=event, product=product)
    html = client.get(f"/live/{event.code}/").content.decode()
    pictures = [tag for tag in re.findall(r"<img [^>]*>", html) if "/images/" in tag]
    assert len(pictures) == 3
    for tag in pictures:
        assert "fill-200x200.png 200w" in tag and "fill-400x400.png 400w" in tag
        assert re.search(r'width="\d+"', tag) and re.search(r'height="\d+"', tag), tag


@pytest.mark.parametrize("sort", ["newest", "price_asc", "price_desc"])
def test_the_pages_of_the_list_reach_every_product_once(client, catalogue, sort):
    """60 products, most sharing a price (and a creation second): every product on exactly
    one page, none twice, none missing."""
    made, grow = catalogue
    grow()
    for follow_cursor in (True, False):  # the "下一页" links (keyset), and bare page numbers
        seen: list[int] = []
        url, pages = f"/products/?sort={sort}", 0
        while url:
            html = client.get(url).content.decode()
            pages += 1
            seen += card_ids(html)
            assert f"第 {pages} / 3 页" in html and "共 60 件商品" in html
            next_link = re.search(r'href="([^"]*)" rel="next"', html)
            if next_link is None:
                break
            assert "after=" in next_link[1]
            url = "/products/" + unescape(next_link[1]) if follow_cursor else f"/products/?sort={sort}&page={pages + 1}"
        assert pages == 3
        assert len(seen) == 60 and set(seen) == {p.pk for p in made}


def test_the_kept_counts_follow_every_change_on_the_next_request(client, catalogue, shop, categories):
    made, _ = catalogue

    def count(url="/products/"):
        return int(re.search(r"共 (\d+) 件商品", client.get(url).content.decode())[1])

    assert count() == 5 and count("/products/category/fruit-veg/") == 5
    make_product(shop, categories["grain_oil"])
    assert count() == 6 and count("/products/category/fruit-veg/") == 5
    certificate = Certificate.objects.get(product=made[0])
    certificate.revoked_at = timezone.now()
    certificate.save()
    assert count() == 5 and count("/products/shop/lizhuang/") == 5
    made[1].is_listed = False
    made[1].save()
    assert count() == 4
    categories["tubers"].parent = categories["grain_oil"]  # tubers moves under 粮油
    categories["tubers"].save()
    assert count("/products/category/fruit-veg/") == 0 and count("/products/category/grain-oil/") == 4
    shop.is_active = False
    shop.save()
    assert count() == 0


def test_category_and_page_changes_show_on_the_next_request(client, catalogue, storefront):
    assert "新品类" not in client.get("/products/").content.decode()
    CategoryFactory(name="新品类", slug="new-category", sort_order=9)
    assert "新品类" in client.get("/products/").content.decode()
    assert client.get("/products/category/new-category/").status_code == 200

    # An editor's page size, and unpublishing, seen at once though the page is kept.
    _, catalog = storefront
    assert len(card_ids(client.get("/products/").content.decode())) == 5
    page = CatalogPage.objects.get(pk=catalog.pk)
    page.page_size = 2
    page.save_revision().publish()
    assert len(card_ids(client.get("/products/").content.decode())) == 2
    page.unpublish()
    assert client.get("/products/").status_code == 404


def test_the_kept_product_extras_follow_changes(client, catalogue, regions):
    made, _ = catalogue
    product = made[2]
    url = f"/products/{product.pk}/"
    assert 'class="household-count"' not in client.get(url).content.decode()
    link_households(product, 3, collective=CollectiveFactory(village=regions[-1], name="李庄村集体"))
    html = client.get(url).content.decode()
    assert '<strong class="household-count">3</strong>' in html and "李庄村集体" in html
    certificate = Certificate.objects.get(product=product)
    assert certificate.number in html
    certificate.bureau.name = "改名后的商务局"
    certificate.bureau.save()
    assert "改名后的商务局" in client.get(url).content.decode()
    certificate.revoked_at = timezone.now()
    certificate.save()
    assert client.get(url).status_code == 404


def test_wagtails_page_hooks_still_run_on_pages_served_without_routing(client, catalogue, storefront):
    """The home page, the catalogue's routes and kept pages skip the tree walk, not the
    hooks: a ``before_serve_page`` hook (such as the page cache's marking) sees each."""
    seen = []

    def hook(page, request, serve_args, serve_kwargs):
        seen.append((type(page).__name__, request.path))

    urls = ["/", "/products/", "/products/category/fruit-veg/", f"/products/{catalogue[0][0].pk}/", "/campaigns/"]
    home, _ = storefront
    home.add_child(instance=CampaignIndexPage(title="专题活动", slug="campaigns"))
    for url in urls:
        client.get(url)  # the campaign index is routed by Wagtail once, then kept
    with hooks.register_temporarily("before_serve_page", hook):
        for url in urls:
            assert client.get(url).status_code == 200
    assert seen == [
        ("HomePage", "/"),
        ("CatalogPage", "/products/"),
        ("CatalogPage", "/products/category/fruit-veg/"),
        ("CatalogPage", f"/products/{catalogue[0][0].pk}/"),
        ("CampaignIndexPage", "/campaigns/"),
    ]
