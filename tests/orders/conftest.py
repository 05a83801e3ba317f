"""Two shops with an operator each, a product in each, a buyer, an officer, an admin."""

from types import SimpleNamespace

import pytest

from core.roles import Role
from tests.factories import ProductFactory, ShopFactory, UserFactory, officer_for, region_chain


@pytest.fixture
def shop_world(role_groups):
    from cms.setup import ensure_storefront_pages

    ensure_storefront_pages()
    chain = region_chain()
    county = chain[2]
    operator_a = UserFactory(username="op-a", roles=[Role.SHOP_OPERATOR])
    operator_b = UserFactory(username="op-b", roles=[Role.SHOP_OPERATOR])
    shop_a = ShopFactory(name="朱楼村电商服务站", region=chain[4], operators=[operator_a])
    shop_b = ShopFactory(name="东庄村电商服务站", region=chain[4], operators=[operator_b])
    return SimpleNamespace(
        county=county,
        city=chain[1],
        province=chain[0],
        shop_a=shop_a,
        shop_b=shop_b,
        operator_a=operator_a,
        operator_b=operator_b,
        yam=ProductFactory(shop=shop_a, title="铁棍山药", price_fen=3880, stock=20),
        oil=ProductFactory(shop=shop_b, title="牡丹籽油", price_fen=12800, stock=5),
        buyer=UserFactory(username="buyer-1", email="buyer1@example.cn", roles=[Role.BUYER]),
        other_buyer=UserFactory(username="buyer-2", roles=[Role.BUYER]),
        officer=officer_for(chain[1]),
        admin=UserFactory(username="platform", roles=[Role.PLATFORM_ADMIN]),
    )


def checkout_post(world, **overrides) -> dict:
    """A valid checkout form submission (institution, bank transfer)."""
    from tests.factories import valid_credit_code

    data = {
        "contact_name": "李会计",
        "email": "unit@example.cn",
        "mobile": "13912345678",
        "buyer_type": "budget_unit",
        "organisation_name": "单县财政局",
        "tax_id": valid_credit_code(),
        "province": world.province.code,
        "city": world.city.code,
        "county": world.county.code,
        "ship_detail": "园艺街道 1 号",
        "recipient_name": "张收货",
        "recipient_mobile": "13712345678",
        "payment_method": "transfer",
    }
    data.update(overrides)
    return data
