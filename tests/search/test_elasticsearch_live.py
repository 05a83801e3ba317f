"""Against a real Elasticsearch 8, when ``ELASTICSEARCH_URL`` is set in the environment
(e.g. ``ELASTICSEARCH_URL=http://127.0.0.1:9200 .venv/bin/pytest tests/search -m
elasticsearch``); skipped otherwise. The rest of the suite ignores that variable and
searches the database (marketplace/settings/test.py).

Each test works in indices of its own prefix and deletes them afterwards. These tests
were written without a server to run them on (none can be installed where this was
built); the ones in test_elasticsearch_requests.py pin down the requests they send."""

import os
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from search.backends import SearchParams
from search.backends.database import DatabaseBackend
from search.selectors import query_terms
from tests.factories import ProductFactory, certify_product, officer_for

from .helpers import titles

LIVE_URL = os.environ.get("ELASTICSEARCH_URL", "")

pytestmark = [
    pytest.mark.elasticsearch,
    pytest.mark.django_db,
    pytest.mark.skipif(not LIVE_URL, reason="ELASTICSEARCH_URL is not set: no Elasticsearch to test against"),
]


@pytest.fixture
def live_es(settings):
    from search.backends.elasticsearch import get_client

    prefix = f"test-{uuid.uuid4().hex[:10]}"
    settings.ELASTICSEARCH_URL = LIVE_URL
    settings.ELASTICSEARCH_INDEX_PREFIX = prefix
    settings.ELASTICSEARCH_TIMEOUT = 10.0
    client = get_client()
    yield client
    # Wildcard deletes are refused by default (action.destructive_requires_name): by name.
    names = client.indices.get(index=f"{prefix}-products-*", allow_no_indices=True, ignore_unavailable=True).body
    for name in names:
        client.indices.delete(index=name)


def refresh(client) -> None:
    from search.backends.elasticsearch import alias_name

    client.indices.refresh(index=alias_name())


@pytest.fixture
def catalogue(storefront, shops, categories):
    from producers.models import Producer
    from tests.factories import ProducerFactory

    household = ProducerFactory(shop=shops["chengwu"], name="王大山家庭农场", kind=Producer.Kind.HOUSEHOLD)
    return {
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
        "oil": ProductFactory(
            shop=shops["shan"], category=categories["grain_oil"], title="冷榨牡丹籽油", description="油用牡丹。"
        ),
        "uncertified": ProductFactory(
            shop=shops["shan"], category=categories["tubers"], title="未认定山药", certified=False
        ),
    }


def params(query: str, **kwargs) -> SearchParams:
    return SearchParams(query=query, terms=tuple(query_terms(query)), **kwargs)


def test_reindex_then_the_demo_story_through_the_storefront(client, live_es, catalogue):
    call_command("search_reindex", "--backend", "elasticsearch", verbosity=0)

    for query in ("山药", "shanyao", "sy", "淮山"):
        response = client.get("/search/", {"q": query})
        assert response.context["results"].backend == "elasticsearch", query
        assert sorted(titles(response)) == ["山药段", "菏泽铁棍山药", "铁棍山药礼盒"], query
    assert titles(client.get("/search/", {"q": "山药", "region": "371723", "price": "lt20"})) == ["山药段"]
    assert titles(client.get("/search/", {"q": "mudan"})) == ["冷榨牡丹籽油"]
    html = client.get("/search/", {"q": "山药"}).content.decode()
    assert "菏泽铁棍<mark>山药</mark>" in html
    assert "未认定山药" not in html


@pytest.mark.parametrize(
    "query, filters",
    [
        ("山药", {}),
        ("山药", {"region_code": "371723"}),
        ("山药", {"price_band": "50-100"}),
        ("山药", {"in_stock": True, "sort": "price_asc"}),
        ("sy", {}),
        ("牡丹", {"producer_kind": "cooperative"}),
    ],
)
def test_both_backends_agree_on_totals_facets_and_matches(live_es, catalogue, query, filters):
    from search.backends.elasticsearch import ElasticsearchBackend

    call_command("search_reindex", "--backend", "elasticsearch", verbosity=0)
    p = params(query, **filters)

    es, db = ElasticsearchBackend().search(p), DatabaseBackend().search(p)

    assert es.total == db.total
    assert sorted(es.product_ids) == sorted(db.product_ids)
    assert {n: [(v.key, v.count) for v in vs] for n, vs in es.facets.items()} == {
        n: [(v.key, v.count) for v in vs] for n, vs in db.facets.items()
    }


def test_sorting_by_price_and_best_selling(live_es, catalogue):
    from catalog.models import Product
    from search.backends.elasticsearch import ElasticsearchBackend

    Product.objects.filter(pk=catalogue["gift"].pk).update(units_sold=90)
    call_command("search_reindex", "--backend", "elasticsearch", verbosity=0)
    backend = ElasticsearchBackend()

    by_price = backend.search(params("山药", sort="price_asc")).product_ids
    assert by_price == [catalogue[k].pk for k in ("cheap", "yam", "gift")]
    assert backend.search(params("山药", sort="best_selling")).product_ids[0] == catalogue["gift"].pk


def test_a_revoked_certificate_leaves_the_index_and_the_results(
    client, live_es, catalogue, django_capture_on_commit_callbacks
):
    from certification import services
    from producers.models import Region

    call_command("search_reindex", "--backend", "elasticsearch", verbosity=0)
    yam = catalogue["yam"]
    officer = officer_for(Region.objects.get(code="371722"))
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_transition(yam.certificates.get().application_id, "revoke", by=officer, note="抽检不合格")
    refresh(live_es)

    from search.backends.elasticsearch import alias_name

    assert not live_es.exists(index=alias_name(), id=str(yam.pk))
    assert "菏泽铁棍山药" not in titles(client.get("/search/", {"q": "山药"}))


def test_a_certificate_not_yet_started_is_filtered_at_query_time(live_es, storefront, shops, categories):
    import datetime as dt

    from search.backends.elasticsearch import ElasticsearchBackend

    later = ProductFactory(shop=shops["shan"], category=categories["tubers"], title="山药新品", certified=False)
    start = timezone.localdate() + dt.timedelta(days=2)
    certify_product(later, valid_from=start, valid_until=start + dt.timedelta(days=365))
    call_command("search_reindex", "--backend", "elasticsearch", verbosity=0)

    assert later.pk not in ElasticsearchBackend().search(params("山药新品")).product_ids


def test_suggestions_come_from_elasticsearch(client, live_es, catalogue):
    call_command("search_reindex", "--backend", "elasticsearch", verbosity=0)

    suggestions = client.get("/search/suggest/", {"q": "shany"}).json()["suggestions"]

    assert sorted(suggestions) == ["山药段", "菏泽铁棍山药", "铁棍山药礼盒"]


def test_a_second_reindex_moves_the_alias_and_drops_the_old_index(live_es, catalogue):
    from search.backends.elasticsearch import alias_name

    call_command("search_reindex", "--backend", "elasticsearch", verbosity=0)
    (first,) = live_es.indices.get_alias(name=alias_name()).body
    call_command("search_reindex", "--backend", "elasticsearch", verbosity=0)
    (second,) = live_es.indices.get_alias(name=alias_name()).body

    assert second != first
    assert not live_es.indices.exists(index=first)
    assert live_es.count(index=alias_name())["count"] == 4  # the uncertified product is not indexed
