"""Bounded queries: each storefront page runs the same number of SQL queries whether it
shows 2 products or 20 (all with images whose renditions were generated ahead)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CollectiveFactory, ProductImageFactory, review_for

from .builders import link_households, make_product, set_newest_count

pytestmark = pytest.mark.django_db

# Absolute bounds, the same on SQLite and PostgreSQL. Raising one needs a reason: it is
# paid on every page view. The home page and the catalogue's routes skip Wagtail's routing
# (cms/serving.py keeps the site, the home page and the catalogue page); the category
# tree (the navigation) and each list's count are kept in the cache (catalog/caching.py).
# A product list then costs, its cards rendered afresh (FRAGMENT_CACHE=0, as in these
# tests): which products (one table), those products in full (shop, category and origin
# joined), their images and their card renditions; with a shared cache (production) the
# cards are kept and a list costs its first query only (tests/storefront/test_flat_queries.py).
# The home page's blocks (cms/block_data.py): one query per kind of row, however many
# blocks. + live events (the live strip; their covers' renditions only when there are
# covered events).
HOME_QUERIES = 5  # products + images + renditions + shops + events
INDEX_QUERIES = 4  # which products + products + images + renditions
CATEGORY_QUERIES = 4  # as the index (the category tree is kept)
SHOP_QUERIES = 6  # as the index + the shop + its region names
# No page routing: facet counts, total and page of ids (one statement) + products +
# images + renditions + region names for the facets (the category tree is kept).
SEARCH_QUERIES = 5
# Rendered afresh (FRAGMENT_CACHE=0, as in these tests): the product (shop and producer
# joined; the category chain from the kept tree) + its origin + images + renditions +
# certificate + origin names + the linkage in force, its shares, its collectives and its
# next change + the
# review summary + the page of newest reviews and their photos (the live price of the
# moment is kept: live.pricing.shown_quote). With a shared cache (production) all but the
# first are kept rendered with the page's parts (cms/fragments.py): 1
# (tests/storefront/test_flat_queries.py).
DETAIL_QUERIES = 13


def count_queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def assert_same_queries_for_2_and_20(client, django_assert_num_queries, url, add_products, bound):
    add_products(2)
    client.get(url)  # warm per-process caches (catalogue URL, site root paths)
    n_small, sql = count_queries(client, url)
    assert n_small <= bound, "\n".join(sql)
    assert client.get(url).content.decode().count('class="card"') == 2

    add_products(18)
    client.get(url)  # adding products dropped the kept count: this request counts again
    with django_assert_num_queries(n_small):
        response = client.get(url)
    assert response.content.decode().count('class="card"') == 20
    # Each card: the full-size rendition as src, both sizes in its srcset (all prefetched).
    assert response.content.decode().count("fill-400x400.png 400w") == 20
    assert response.content.decode().count("fill-200x200.png 200w") == 20


@pytest.fixture
def many(shop, categories):
    def add(n, category=None, title="铁棍山药"):
        for _ in range(n):
            make_product(shop, category or categories["tubers"], title=title, with_image=True)

    return add


def test_home_page_queries_are_bounded(client, storefront, many, django_assert_num_queries):
    home, _ = storefront
    set_newest_count(home, 24)
    assert_same_queries_for_2_and_20(client, django_assert_num_queries, "/", many, HOME_QUERIES)


def test_catalogue_index_queries_are_bounded(client, storefront, many, django_assert_num_queries):
    assert_same_queries_for_2_and_20(client, django_assert_num_queries, "/products/", many, INDEX_QUERIES)


def test_category_page_queries_are_bounded(client, storefront, many, categories, django_assert_num_queries):
    def add(n):  # half in the category itself, half in its sub-category
        many(n // 2, categories["fruit_veg"])
        many(n - n // 2, categories["tubers"])

    url = "/products/category/fruit-veg/"
    assert_same_queries_for_2_and_20(client, django_assert_num_queries, url, add, CATEGORY_QUERIES)


def test_shop_page_queries_are_bounded(client, storefront, many, django_assert_num_queries):
    url = "/products/shop/lizhuang/"
    assert_same_queries_for_2_and_20(client, django_assert_num_queries, url, many, SHOP_QUERIES)


def test_search_results_queries_are_bounded(client, storefront, many, django_assert_num_queries):
    url = "/search/?q=山药"
    assert_same_queries_for_2_and_20(client, django_assert_num_queries, url, many, SEARCH_QUERIES)


def test_product_detail_queries_are_bounded(client, storefront, shop, categories, regions, django_assert_num_queries):
    """However many images, benefited households and reviews (with photos) a product has."""
    from catalog.tasks import generate_product_renditions

    collective = CollectiveFactory(village=regions[-1])
    small = make_product(shop, categories["tubers"], title="山药", with_image=True)
    link_households(small, 2, collective=collective)
    review_for(small, 5, photos=1)
    large = make_product(shop, categories["tubers"], title="山药礼盒", with_image=True)
    for _ in range(4):
        ProductImageFactory(product=large)
    generate_product_renditions(large.pk)
    link_households(large, 20, collective=collective)
    for n in range(25):
        review_for(large, 1 + n % 5, name="王芳", photos=3, reply="谢谢" if n % 2 else "")

    client.get(f"/products/{small.pk}/")  # warm per-process caches
    client.get(f"/products/{large.pk}/")  # and the product's kept certificate, origin and linkage
    n_small, sql = count_queries(client, f"/products/{small.pk}/")
    assert n_small <= DETAIL_QUERIES, "\n".join(sql)
    with django_assert_num_queries(n_small):
        response = client.get(f"/products/{large.pk}/")
    html = response.content.decode()
    assert html.count("max-800x800.png 640w") == 5 and html.count("max-400x400.png 400w") == 5
    assert '<strong class="household-count">20</strong>' in html
    assert html.count('class="review"') == 10 and html.count('<img src="/orders/reviews/photo/') == 30
    assert "<strong>3.0</strong> 分" in html and "共 25 条" in html
