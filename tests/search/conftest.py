import pytest

from cms import routing
from cms.setup import ensure_storefront_pages
from tests.factories import CategoryFactory, ShopFactory, region_chain


@pytest.fixture
def storefront(db):
    routing.clear_storefront_url_cache()
    return ensure_storefront_pages()


@pytest.fixture
def regions(db):
    """山东省 菏泽市 单县 浮岗镇 李庄村, and 成武县 汶上镇 王庄村 beside it."""
    shan = region_chain()
    shan[-1].name = "李庄村"
    shan[-1].save()
    chengwu = region_chain(county="371723", township="371723100", village="371723100201")
    chengwu[-1].name = "王庄村"
    chengwu[-1].save()
    return {"shan_village": shan[-1], "chengwu_village": chengwu[-1]}


@pytest.fixture
def categories(db):
    fruit_veg = CategoryFactory(name="果蔬", slug="fruit-veg", sort_order=1)
    tubers = CategoryFactory(name="山药薯类", slug="tubers", parent=fruit_veg, sort_order=1)
    grain_oil = CategoryFactory(name="粮油", slug="grain-oil", sort_order=2)
    return {"fruit_veg": fruit_veg, "tubers": tubers, "grain_oil": grain_oil}


@pytest.fixture
def shops(regions):
    return {
        "shan": ShopFactory(name="李庄村电商服务站", slug="lizhuang", region=regions["shan_village"]),
        "chengwu": ShopFactory(name="王庄村电商服务站", slug="wangzhuang", region=regions["chengwu_village"]),
    }


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "elasticsearch: needs a real Elasticsearch at ELASTICSEARCH_URL (skipped when it is not set)"
    )


@pytest.fixture
def fake_es(settings):
    """The local Elasticsearch endpoint (tests/search/fake_elasticsearch.py), with the
    marketplace configured to use it, and the alias a previous search_reindex would have
    left, so that upkeep pushes have somewhere to go."""
    from search.backends.elasticsearch import index_body

    from .fake_elasticsearch import FakeElasticsearchServer

    with FakeElasticsearchServer() as fake:
        settings.ELASTICSEARCH_URL = fake.url
        settings.ELASTICSEARCH_INDEX_PREFIX = "test"
        settings.ELASTICSEARCH_TIMEOUT = 1.0
        # With the mappings search_reindex creates, so a document field they do not
        # declare is refused (dynamic: strict), as Elasticsearch would.
        fake.make_index("test-products-20260101000000000000", alias="test-products", mappings=index_body()["mappings"])
        yield fake
