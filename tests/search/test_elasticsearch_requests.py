"""The Elasticsearch backend through the real ``elasticsearch`` client against the local
endpoint (fake_elasticsearch.py): the exact index, search, bulk and alias requests it
sends, and how Elasticsearch-shaped answers become the storefront's results, facets,
highlights and suggestions."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Product
from producers.models import Producer
from tests.factories import ProducerFactory, ProductFactory

from .fake_elasticsearch import range_buckets, search_response, terms_buckets
from .helpers import empty_aggregations, titles

pytestmark = pytest.mark.django_db

EXPECTED_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "product_id": {"type": "integer"},
        "title": {"type": "text", "analyzer": "cjk"},
        "title_tokens": {
            "type": "text",
            "analyzer": "whitespace",
            "index_prefixes": {"min_chars": 1, "max_chars": 10},
        },
        "title_pinyin": {"type": "keyword"},
        "body": {"type": "text", "analyzer": "cjk"},
        "body_tokens": {
            "type": "text",
            "analyzer": "whitespace",
            "index_prefixes": {"min_chars": 1, "max_chars": 10},
        },
        "category_id": {"type": "integer"},
        "category_root": {"type": "keyword"},
        "province": {"type": "keyword"},
        "city": {"type": "keyword"},
        "county": {"type": "keyword"},
        "producer_kind": {"type": "keyword"},
        "price_fen": {"type": "integer"},
        "stock": {"type": "integer"},
        "in_stock": {"type": "boolean"},
        "units_sold": {"type": "integer"},
        "created_at": {"type": "date"},
        "is_listed": {"type": "boolean"},
        "shop_active": {"type": "boolean"},
        "certified": {"type": "date_range", "format": "yyyy-MM-dd"},
    },
}


@pytest.fixture
def catalogue(storefront, shops, categories):
    household = ProducerFactory(shop=shops["chengwu"], name="王大山家庭农场", kind=Producer.Kind.HOUSEHOLD)
    made = {
        "yam": ProductFactory(
            shop=shops["shan"], category=categories["tubers"], title="菏泽铁棍山药", price_fen=5990, stock=50
        ),
        "gift": ProductFactory(
            shop=shops["chengwu"], category=categories["tubers"], title="铁棍山药礼盒", price_fen=19800, stock=5
        ),
        "cheap": ProductFactory(
            shop=shops["chengwu"],
            producer=household,
            category=categories["tubers"],
            title="山药段",
            price_fen=1500,
            stock=0,
            summary="",
        ),
        "oil": ProductFactory(shop=shops["shan"], category=categories["grain_oil"], title="冷榨牡丹籽油"),
    }
    return made


def source(product: Product) -> dict:
    """A document's ``_source`` as far as the search answers carry it."""
    return {"product_id": product.pk, "title": product.title}


def test_search_reindex_creates_the_index_with_explicit_settings_and_mappings(fake_es, catalogue):
    call_command("search_reindex", "--backend", "elasticsearch", verbosity=0)

    (create,) = fake_es.calls("PUT", "/test-products-")
    assert re.fullmatch(r"/test-products-\d{20}", create.path)
    assert create.body == {"settings": {"number_of_shards": 1}, "mappings": EXPECTED_MAPPINGS}


def test_the_search_request_for_a_query_with_filters_sort_and_page(client, fake_es, catalogue, categories):
    fake_es.queue_search(search_response([source(catalogue["gift"])], total=30, aggregations=empty_aggregations()))
    today = timezone.localdate().isoformat()

    client.get(
        "/search/",
        {
            "q": "山药",
            "category": "fruit-veg",
            "region": "371723",
            "price": "100-200",
            "in_stock": "1",
            "sort": "price_desc",
            "page": "2",
        },
    )

    (request,) = fake_es.searches()
    assert (request.method, request.path) == ("POST", "/test-products/_search")

    def alternative(word):
        return [
            {"constant_score": {"filter": {"term": {"title_tokens": word}}, "boost": 4}},
            {"constant_score": {"filter": {"prefix": {"title_tokens": word}}, "boost": 3}},
            {"constant_score": {"filter": {"prefix": {"body_tokens": word}}, "boost": 1}},
            {"constant_score": {"filter": {"match_phrase": {"title": word}}, "boost": 3}},
            {"constant_score": {"filter": {"match_phrase": {"body": word}}, "boost": 1}},
        ]

    assert request.body == {
        "query": {
            "bool": {
                # 山药 and its synonyms (migration 0003), read at query time.
                "must": [{"dis_max": {"queries": alternative("山药") + alternative("淮山") + alternative("怀山药")}}],
                "filter": [
                    {"term": {"is_listed": True}},
                    {"term": {"shop_active": True}},
                    {"range": {"certified": {"gte": today, "lte": today, "relation": "contains"}}},
                    {"terms": {"category_id": [categories["fruit_veg"].pk, categories["tubers"].pk]}},
                    {"terms": {"county": ["371723"]}},
                    {"range": {"price_fen": {"gte": 10000, "lt": 20000}}},
                    {"terms": {"in_stock": [True]}},
                ],
            }
        },
        "aggs": {
            "category": {"terms": {"field": "category_root", "size": 100}},
            "province": {"terms": {"field": "province", "size": 100}},
            "city": {"terms": {"field": "city", "size": 1000}},
            "county": {"terms": {"field": "county", "size": 5000}},
            "kind": {"terms": {"field": "producer_kind", "size": 20}},
            "price": {
                "range": {
                    "field": "price_fen",
                    "keyed": False,
                    "ranges": [
                        {"key": "lt20", "from": 0, "to": 2000},
                        {"key": "20-50", "from": 2000, "to": 5000},
                        {"key": "50-100", "from": 5000, "to": 10000},
                        {"key": "100-200", "from": 10000, "to": 20000},
                        {"key": "200+", "from": 20000},
                    ],
                }
            },
            "in_stock": {"terms": {"field": "in_stock", "size": 2}},
        },
        "sort": [{"price_fen": {"order": "desc"}}, {"_score": {"order": "desc"}}, {"product_id": {"order": "asc"}}],
        "from": 24,
        "size": 24,
        "track_total_hits": True,
        "_source": ["title"],
        "highlight": {
            "fields": {"title": {"number_of_fragments": 0}},
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "highlight_query": {
                "bool": {
                    "should": [
                        {"match_phrase": {"title": "山药"}},
                        {"match_phrase": {"title": "淮山"}},
                        {"match_phrase": {"title": "怀山药"}},
                    ]
                }
            },
        },
    }


def test_pinyin_words_are_prefixes_on_the_pinyin_keywords_and_ask_for_no_highlight(client, fake_es, catalogue):
    fake_es.queue_search(search_response([], aggregations=empty_aggregations()))
    client.get("/search/", {"q": "shany"})

    (request,) = fake_es.searches()
    assert request.body["query"]["bool"]["must"] == [
        {
            "dis_max": {
                "queries": [
                    {"constant_score": {"filter": {"term": {"title_tokens": "shany"}}, "boost": 4}},
                    {"constant_score": {"filter": {"prefix": {"title_tokens": "shany"}}, "boost": 3}},
                    {"constant_score": {"filter": {"prefix": {"body_tokens": "shany"}}, "boost": 1}},
                    {"constant_score": {"filter": {"term": {"title_pinyin": "shany"}}, "boost": 4}},
                    {"constant_score": {"filter": {"prefix": {"title_pinyin": "shany"}}, "boost": 3}},
                ]
            }
        }
    ]
    assert "highlight" not in request.body
    assert request.body["sort"][0] == {"_score": {"order": "desc"}}


def facet(response, name) -> dict[str, tuple[int, str]]:
    return {v.key: (v.count, v.label) for v in response.context["results"].facets[name]}


def test_hits_aggregations_and_highlights_become_the_results_page(client, fake_es, catalogue, caplog):
    yam, gift, cheap = catalogue["yam"], catalogue["gift"], catalogue["cheap"]
    aggregations = {
        "category": terms_buckets({"fruit-veg": 3}),
        "province": terms_buckets({"37": 3}),
        "city": terms_buckets({"3717": 3}),
        "county": terms_buckets({"371723": 2, "371722": 1}),
        "kind": terms_buckets({"cooperative": 2, "household": 1}),
        "price": range_buckets(
            [("lt20", 0, 2000, 1), ("20-50", 2000, 5000, 0), ("50-100", 5000, 10000, 1), ("100-200", 10000, 20000, 1)]
            + [("200+", 20000, None, 0)]
        ),
        "in_stock": terms_buckets({True: 2, False: 1}),
    }
    highlights = {
        str(gift.pk): ["铁棍<mark>山药</mark>礼盒"],
        # Not this product's title (the index is behind a rename): the page marks the
        # current title itself instead of trusting it.
        str(yam.pk): ["<mark>旧名</mark>"],
    }
    fake_es.queue_search(
        search_response([source(gift), source(yam), source(cheap)], aggregations=aggregations, highlights=highlights)
    )

    response = client.get("/search/", {"q": "山药"})

    assert titles(response) == ["铁棍山药礼盒", "菏泽铁棍山药", "山药段"]  # Elasticsearch's order
    html = response.content.decode()
    assert "找到 3 件商品" in html
    assert "铁棍<mark>山药</mark>礼盒" in html
    assert "菏泽铁棍<mark>山药</mark>" in html and "旧名" not in html
    assert response.context["results"].backend == "elasticsearch"
    assert facet(response, "category") == {"fruit-veg": (3, "果蔬")}
    assert facet(response, "county") == {"371722": (1, "单县"), "371723": (2, "成武县")}
    assert facet(response, "kind") == {"cooperative": (2, "合作社"), "household": (1, "农户")}
    # Empty range buckets are left out, and bands keep their order.
    assert list(facet(response, "price")) == ["lt20", "50-100", "100-200"]
    assert facet(response, "in_stock") == {"0": (1, "缺货"), "1": (2, "有货")}
    assert not [r for r in caplog.records if r.levelname == "WARNING"]


def test_an_html_encoded_highlight_is_rebuilt_escaped(client, fake_es, catalogue, shops, categories):
    odd = ProductFactory(shop=shops["shan"], category=categories["tubers"], title="<b>山药</b> & 礼盒")
    fragment = "&lt;b&gt;<mark>山药</mark>&lt;&#x2F;b&gt; &amp; 礼盒"  # encoder: html
    fake_es.queue_search(
        search_response([source(odd)], aggregations=empty_aggregations(), highlights={str(odd.pk): [fragment]})
    )

    html = client.get("/search/", {"q": "山药"}).content.decode()

    assert "&lt;b&gt;<mark>山药</mark>&lt;/b&gt; &amp; 礼盒" in html
    assert "<b>山药</b>" not in html


def test_a_product_elasticsearch_still_returns_after_revocation_is_not_shown(client, fake_es, catalogue):
    yam, gift = catalogue["yam"], catalogue["gift"]
    # Revoked by a queryset update: no signal, no push. Elasticsearch still has it.
    yam.certificates.update(revoked_at=timezone.now())
    fake_es.queue_search(search_response([source(yam), source(gift)], aggregations=empty_aggregations()))

    assert titles(client.get("/search/", {"q": "山药"})) == ["铁棍山药礼盒"]


def test_suggestions_request_and_answer(client, fake_es, catalogue, shops, categories):
    twin = ProductFactory(shop=shops["chengwu"], category=categories["tubers"], title="菏泽铁棍山药")
    unlisted = catalogue["oil"]
    Product.objects.filter(pk=unlisted.pk).update(is_listed=False)
    fake_es.queue_search(
        search_response([source(catalogue["gift"]), source(catalogue["yam"]), source(twin), source(unlisted)])
    )
    today = timezone.localdate().isoformat()

    body = client.get("/search/suggest/", {"q": "shan"}).json()

    # Deduplicated titles; the product no longer listed is dropped.
    assert body == {"q": "shan", "suggestions": ["铁棍山药礼盒", "菏泽铁棍山药"]}
    (request,) = fake_es.searches()
    assert request.path == "/test-products/_search"
    assert request.body == {
        "query": {
            "bool": {
                "must": [
                    {
                        "dis_max": {
                            "queries": [
                                {"constant_score": {"filter": {"term": {"title_tokens": "shan"}}, "boost": 4}},
                                {"constant_score": {"filter": {"prefix": {"title_tokens": "shan"}}, "boost": 3}},
                                {"constant_score": {"filter": {"prefix": {"body_tokens": "shan"}}, "boost": 1}},
                                {"constant_score": {"filter": {"term": {"title_pinyin": "shan"}}, "boost": 4}},
                                {"constant_score": {"filter": {"prefix": {"title_pinyin": "shan"}}, "boost": 3}},
                            ]
                        }
                    }
                ],
                "filter": [
                    {"term": {"is_listed": True}},
                    {"term": {"shop_active": True}},
                    {"range": {"certified": {"gte": today, "lte": today, "relation": "contains"}}},
                ],
            }
        },
        "sort": [
            {"_score": {"order": "desc"}},
            {"units_sold": {"order": "desc"}},
            {"created_at": {"order": "desc"}},
            {"product_id": {"order": "desc"}},
        ],
        "_source": ["title"],
        "track_total_hits": False,
        "size": 32,
    }
