import pytest

from cms import routing
from cms.setup import ensure_storefront_pages
from tests.factories import CategoryFactory, ProducerFactory, ShopFactory, region_chain


@pytest.fixture
def storefront(db):
    """The page tree: home page at /, catalogue page at /products/."""
    routing.clear_storefront_url_cache()  # a URL cached by an earlier test's pages
    home, catalog = ensure_storefront_pages()
    return home, catalog


@pytest.fixture
def regions(db):
    """山东省 菏泽市 单县 浮岗镇 and a demo village under it."""
    province, city, county, township, village = region_chain()
    village.name = "李庄村"
    village.save()
    return province, city, county, township, village


@pytest.fixture
def categories(db):
    """Two of the seven top-level categories, one with a sub-category."""
    fruit_veg = CategoryFactory(name="果蔬", slug="fruit-veg", sort_order=1)
    tubers = CategoryFactory(name="薯类山药", slug="tubers", parent=fruit_veg, sort_order=1)
    grain_oil = CategoryFactory(name="粮油", slug="grain-oil", sort_order=2)
    return {"fruit_veg": fruit_veg, "tubers": tubers, "grain_oil": grain_oil}


@pytest.fixture
def shop(regions):
    return ShopFactory(name="李庄村电商网店", slug="lizhuang", region=regions[-1])


@pytest.fixture
def closed_shop(regions):
    return ShopFactory(name="王楼村网店", slug="wanglou", region=regions[-1], is_active=False)


@pytest.fixture
def producer(shop):
    return ProducerFactory(shop=shop, name="单县浮岗镇山药种植专业合作社")
