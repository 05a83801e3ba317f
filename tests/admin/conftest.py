"""Two counties under one city, a shop in each with its operator, officers at county and
city level, a platform administrator and a buyer: the cast of every admin test. The two-county
world of tests/worlds.py, stocked with a producer, a product and a household in each county."""

from dataclasses import dataclass

import pytest

from tests.factories import CategoryFactory, CollectiveFactory, HouseholdFactory, ProducerFactory, ProductFactory
from tests.worlds import area_world, build_two_county_world


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
    w = build_two_county_world(operators=("op_a", "op_b"), shops=("朱楼村网店", "汶上村网店"))
    producer_a = ProducerFactory(shop=w.shop_a, name="朱楼山药合作社")
    producer_b = ProducerFactory(shop=w.shop_b, name="汶上芦笋合作社")
    category = CategoryFactory(name="蔬菜水果", slug="fruit-veg")
    product_a = ProductFactory(shop=w.shop_a, producer=producer_a, category=category, title="单县铁棍山药")
    product_b = ProductFactory(shop=w.shop_b, producer=producer_b, category=category, title="成武绿芦笋")
    household_a = HouseholdFactory(village=w.village_a, head_name="王建国", registration_number="371722100201000001")
    household_b = HouseholdFactory(village=w.village_b, head_name="李秀英", registration_number="371723100201000002")
    collective_a = CollectiveFactory(village=w.village_a, name="朱楼村股份经济合作社")
    w.add_staff(officers=("officer_a", "officer_b", "officer_city"), admin="platform", buyer="buyer")
    return area_world(
        World,
        w,
        op_a=w.operator_a,
        op_b=w.operator_b,
        city_officer=w.officer_city,
        producer_a=producer_a,
        producer_b=producer_b,
        product_a=product_a,
        product_b=product_b,
        household_a=household_a,
        household_b=household_b,
        collective_a=collective_a,
        category=category,
    )


@pytest.fixture
def login(client):
    """login(user) -> the test client, signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
