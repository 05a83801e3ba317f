import pytest

from catalog.models import Product
from core.roles import Role
from core.scoping import scope_queryset, user_can
from tests.factories import ProductFactory, ShopFactory, UserFactory, officer_for, region_chain


@pytest.mark.django_db
def test_scoping_operator_and_officer():
    _, _, county_a, township_a, village_a = region_chain()
    *_, county_b, township_b, village_b = region_chain(county="371723", township="371723100", village="371723100201")
    op_a = UserFactory(roles=[Role.SHOP_OPERATOR])
    shop_a = ShopFactory(region=village_a, operators=[op_a])
    shop_b = ShopFactory(region=village_b)
    pa = ProductFactory(shop=shop_a)
    pb = ProductFactory(shop=shop_b)
    assert list(scope_queryset(Product.objects.all(), op_a)) == [pa]
    assert user_can(op_a, "change", pa) and not user_can(op_a, "view", pb)
    officer_a = officer_for(county_a)
    assert list(scope_queryset(Product.objects.all(), officer_a)) == [pa]
    assert not user_can(officer_a, "change", pa)
