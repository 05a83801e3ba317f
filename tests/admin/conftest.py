"""Two counties under one city, a shop in each with its operator, officers at county and
city level, a platform administrator and a buyer: the cast of every admin test."""

from dataclasses import dataclass

import pytest

from core.roles import Role
from tests.factories import (
    CategoryFactory,
    CollectiveFactory,
    HouseholdFactory,
    ProducerFactory,
    ProductFactory,
    ShopFactory,
    UserFactory,
    officer_for,
    region_chain,
)


@dataclass
class World:
    city: object
    county_a: object
    county_b: object
    village_a: object
    village_b: object
    op_a: object
    op_b: object
    shop_a: object
    shop_b: object
    producer_a: object
    producer_b: object
    product_a: object
    product_b: object
    household_a: object
    household_b: object
    collective_a: object
    officer_a: object
    officer_b: object
    city_officer: object
    admin: object
    buyer: object
    category: object


@pytest.fixture
def world(db) -> World:
    _, city, county_a, _, village_a = region_chain()
    *_, county_b, _, village_b = region_chain(county="371723", township="371723100", village="371723100201")
    op_a = UserFactory(username="op_a", roles=[Role.SHOP_OPERATOR])
    op_b = UserFactory(username="op_b", roles=[Role.SHOP_OPERATOR])
    shop_a = ShopFactory(name="朱楼村网店", region=village_a, operators=[op_a])
    shop_b = ShopFactory(name="汶上村网店", region=village_b, operators=[op_b])
    producer_a = ProducerFactory(shop=shop_a, name="朱楼山药合作社")
    producer_b = ProducerFactory(shop=shop_b, name="汶上芦笋合作社")
    category = CategoryFactory(name="蔬菜水果", slug="fruit-veg")
    return World(
        city=city,
        county_a=county_a,
        county_b=county_b,
        village_a=village_a,
        village_b=village_b,
        op_a=op_a,
        op_b=op_b,
        shop_a=shop_a,
        shop_b=shop_b,
        producer_a=producer_a,
        producer_b=producer_b,
        product_a=ProductFactory(shop=shop_a, producer=producer_a, category=category, title="单县铁棍山药"),
        product_b=ProductFactory(shop=shop_b, producer=producer_b, category=category, title="成武绿芦笋"),
        household_a=HouseholdFactory(village=village_a, head_name="王建国", registration_number="371722100201000001"),
        household_b=HouseholdFactory(village=village_b, head_name="李秀英", registration_number="371723100201000002"),
        collective_a=CollectiveFactory(village=village_a, name="朱楼村股份经济合作社"),
        officer_a=officer_for(county_a, username="officer_a"),
        officer_b=officer_for(county_b, username="officer_b"),
        city_officer=officer_for(city, username="officer_city"),
        admin=UserFactory(username="platform", roles=[Role.PLATFORM_ADMIN]),
        buyer=UserFactory(username="buyer", roles=[Role.BUYER]),
        category=category,
    )


@pytest.fixture
def login(client):
    """login(user) -> the test client, signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
