"""The scoped permission policy answers every caller (admin views, URL finder, other
code asking Wagtail's registry) with the same rule: model permission AND row scope."""

import pytest
from django.urls import reverse
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.permissions import policy_registry

from catalog.models import Product
from core.admin_policy import ScopedPermissionPolicy
from producers.models import BenefitLinkage, Household
from producers.services import ShareSpec, revise_benefit_linkage

pytestmark = pytest.mark.django_db


def test_policy_is_registered_for_every_admin_model():
    from catalog.models import Category, Shop
    from core.models import Bureau
    from producers.models import Collective, Producer, Region

    for model in (Product, Shop, Category, Producer, Household, Collective, BenefitLinkage, Region, Bureau):
        assert isinstance(policy_registry.get_by_type(model), ScopedPermissionPolicy), model


def test_instance_permissions(world):
    policy = policy_registry.get_by_type(Product)
    a, b = world.product_a, world.product_b
    assert policy.user_has_permission_for_instance(world.op_a, "change", a)
    assert not policy.user_has_permission_for_instance(world.op_a, "change", b)
    assert not policy.user_has_permission_for_instance(world.op_a, "view", b)
    assert policy.user_has_permission_for_instance(world.officer_a, "view", a)
    assert not policy.user_has_permission_for_instance(world.officer_a, "change", a)
    assert not policy.user_has_permission_for_instance(world.officer_a, "view", b)
    assert policy.user_has_permission_for_instance(world.admin, "delete", b)
    assert not policy.user_has_any_permission_for_instance(world.buyer, ["view", "change"], a)


def test_instances_user_has_permission_for(world):
    policy = policy_registry.get_by_type(Product)
    assert list(policy.instances_user_has_permission_for(world.op_a, "change")) == [world.product_a]
    assert list(policy.instances_user_has_permission_for(world.officer_a, "view")) == [world.product_a]
    assert not policy.instances_user_has_permission_for(world.officer_a, "change").exists()
    assert set(policy.instances_user_has_permission_for(world.city_officer, "view")) == {
        world.product_a,
        world.product_b,
    }
    assert set(policy.instances_user_has_permission_for(world.admin, "change")) == {world.product_a, world.product_b}
    assert not policy.instances_user_has_permission_for(world.buyer, "view").exists()


def test_users_with_permission_for_instance(world):
    policy = policy_registry.get_by_type(Product)
    assert set(policy.users_with_permission_for_instance("change", world.product_a)) == {world.op_a, world.admin}
    assert set(policy.users_with_permission_for_instance("view", world.product_a)) == {
        world.op_a,
        world.officer_a,
        world.city_officer,
        world.admin,
    }


def test_households_follow_region_scope(world):
    policy = policy_registry.get_by_type(Household)
    assert list(policy.instances_user_has_permission_for(world.op_a, "change")) == [world.household_a]
    assert list(policy.instances_user_has_permission_for(world.officer_b, "view")) == [world.household_b]


def test_linkage_rules_hold_for_admins_too(world):
    policy = policy_registry.get_by_type(BenefitLinkage)
    v1 = revise_benefit_linkage(world.product_a, [ShareSpec(share_bp=100, mode="other", household=world.household_a)])
    assert policy.user_has_permission_for_instance(world.op_a, "change", v1)
    v2 = revise_benefit_linkage(world.product_a, [])
    v1.refresh_from_db()
    for user in (world.op_a, world.admin):
        assert not policy.user_has_permission_for_instance(user, "change", v1)
        assert policy.user_has_permission_for_instance(user, "change", v2)
        assert not policy.user_has_permission_for_instance(user, "delete", v2)
        assert policy.user_has_permission_for_instance(user, "view", v1)
    assert not policy.user_has_permission_for_instance(world.op_b, "view", v1)


def test_admin_url_finder_uses_the_policy(world):
    reverse("wagtailadmin_home")  # loads the admin URLs, which register the viewsets' finders
    assert (
        AdminURLFinder(world.op_a).get_edit_url(world.product_a)
        == f"/admin/catalog/products/edit/{world.product_a.pk}/"
    )
    assert AdminURLFinder(world.op_a).get_edit_url(world.product_b) is None
    assert AdminURLFinder(world.officer_a).get_edit_url(world.product_a) is None
