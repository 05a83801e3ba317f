"""Database product search at /search/?q=: jieba-segmented terms, listed products only."""

import re

import pytest

from search.selectors import search_products, search_terms
from tests.factories import ProducerFactory, RegionFactory

from .builders import make_product

pytestmark = pytest.mark.django_db

CARD_TITLE = re.compile(r'<h3 class="card-title"><a href="[^"]*">([^<]+)</a></h3>')


def found(client, query, **params) -> list[str]:
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    # Matched words in titles are wrapped in <mark> (issue 8); compare the plain titles.
    html = response.content.decode().replace("<mark>", "").replace("</mark>", "")
    return sorted(CARD_TITLE.findall(html))


@pytest.fixture
def products(storefront, shop, closed_shop, categories):
    return {
        "yam": make_product(shop, categories["tubers"], title="菏泽铁棍山药", summary="沙土地种植"),
        "oil": make_product(
            shop, categories["grain_oil"], title="牡丹籽油", summary="冷榨一级", description="菏泽油用牡丹。"
        ),
        "asparagus": make_product(shop, categories["fruit_veg"], title="单县绿芦笋", summary="", description=""),
        "closed": make_product(closed_shop, categories["tubers"], title="停业网店的铁棍山药"),
        "unlisted": make_product(shop, categories["tubers"], title="下架的山药粉", is_listed=False),
    }


def test_a_word_inside_a_longer_title_is_found(client, products):
    assert found(client, "山药") == ["菏泽铁棍山药"]
    assert found(client, "牡丹") == ["牡丹籽油"]


def test_inactive_shops_and_unlisted_products_are_never_found(client, products):
    html = client.get("/search/", {"q": "山药"}).content.decode()

    assert "停业网店的铁棍山药" not in html
    assert "下架的山药粉" not in html
    assert "找到 1 件商品" in html


def test_every_term_must_match_somewhere(client, products):
    # "菏泽" is in the yam's title and the oil's description; "山药" only in the yam.
    assert found(client, "菏泽山药") == ["菏泽铁棍山药"]
    assert found(client, "菏泽 牡丹") == ["牡丹籽油"]
    # Every product here comes from a village of 菏泽市: since issue 8 the origin's
    # county, city and province names are searchable too.
    assert found(client, "菏泽") == ["单县绿芦笋", "牡丹籽油", "菏泽铁棍山药"]
    assert found(client, "山药 芦笋") == []


def test_terms_match_producer_shop_origin_and_category(client, products, shop, categories):
    special = RegionFactory(name="孙老家镇")
    make_product(
        shop,
        categories["grain_oil"],
        title="小磨香油",
        producer=ProducerFactory(shop=shop, name="黑山羊养殖合作社"),
        origin_region=special,
        summary="",
        description="",
    )

    assert found(client, "养殖合作社") == ["小磨香油"]
    assert found(client, "孙老家") == ["小磨香油"]
    assert found(client, "李庄村电商") == ["单县绿芦笋", "小磨香油", "牡丹籽油", "菏泽铁棍山药"]
    assert found(client, "粮油") == ["小磨香油", "牡丹籽油"]
    assert found(client, "果蔬") == ["单县绿芦笋", "菏泽铁棍山药"]  # parent category of 薯类山药


def test_category_filter_includes_sub_categories(client, products):
    assert found(client, "菏泽", category="fruit-veg") == ["单县绿芦笋", "菏泽铁棍山药"]  # origin 菏泽市
    assert found(client, "菏泽", category="grain-oil") == ["牡丹籽油"]


def test_empty_or_punctuation_only_query_asks_for_a_keyword(client, products):
    for query in ["", "   ", "，。！？"]:
        response = client.get("/search/", {"q": query})
        html = response.content.decode()
        assert response.status_code == 200
        assert "请输入要搜索的商品名称" in html
        assert CARD_TITLE.findall(html) == []


def test_nothing_found_says_so(client, products):
    html = client.get("/search/", {"q": "榴莲"}).content.decode()

    assert "没有找到与“榴莲”相关的在售商品" in html
    assert 'href="/products/"' in html


def test_search_terms_drop_whitespace_and_punctuation():
    assert search_terms("  山药，牡丹！ ") == ["山药", "牡丹"]
    assert search_terms("...") == []


def test_results_are_paginated(storefront, shop, categories):
    for i in range(30):
        make_product(shop, categories["tubers"], title=f"铁棍山药{i}号")

    first = search_products("山药")
    second = search_products("山药", page=2)

    assert first.count == 30
    assert len(first.page.object_list) == 24 and len(second.page.object_list) == 6
