"""Producers, households, collectives and regions in the admin, per role and scope."""

import re

import pytest

from producers.models import Household, Producer, Region
from tests.factories import HouseholdFactory

from .helpers import url
from .test_products import refused

pytestmark = pytest.mark.django_db


def test_household_list_of_other_countys_officer_shows_nothing(world, login):
    response = login(world.officer_b).get(url("households:index"))
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [world.household_b]
    html = response.content.decode()
    a = world.household_a
    for text in (a.head_name, a.registration_number, a.masked_name, a.masked_registration_number):
        assert text not in html
    assert login(world.officer_b).get(url("households:inspect", a.pk)).status_code == 404


def test_household_list_in_scope_shows_full_data(world, login):
    for user in (world.officer_a, world.city_officer, world.op_a, world.admin):
        html = login(user).get(url("households:index")).content.decode()
        assert world.household_a.head_name in html and world.household_a.registration_number in html, user


def test_operator_sees_households_of_own_region_only(world, login):
    client = login(world.op_a)
    assert list(client.get(url("households:index")).context["object_list"]) == [world.household_a]
    for name in ("households:edit", "households:inspect", "households:delete"):
        assert client.get(url(name, world.household_b.pk)).status_code == 404


def test_operator_adds_household_only_in_own_villages(world, login):
    client = login(world.op_a)
    response = client.get(url("households:add"))
    form = response.context["form"]
    assert list(form.fields["village"].queryset) == [world.village_a]
    select = str(form["village"])  # a plain drop-down: villages are few
    assert select.startswith("<select") and world.village_a.name in select
    assert world.village_b.name not in select and world.village_b.name not in response.content.decode()
    data = {
        "registration_number": "371723100201000099",
        "head_name": "赵大勇",
        "members": "4",
        "status": "lifted",
        "village": world.village_b.pk,
    }
    response = client.post(url("households:add"), data)
    assert response.status_code == 200 and "village" in response.context["form"].errors
    assert not Household.objects.filter(registration_number="371723100201000099").exists()
    response = client.post(url("households:add"), data | {"village": world.village_a.pk})
    assert response.status_code == 302
    assert Household.objects.get(registration_number="371723100201000099").village == world.village_a


def test_officer_cannot_change_households(world, login):
    client = login(world.officer_a)
    before = Household.objects.values().get(pk=world.household_a.pk)
    assert refused(client.get(url("households:edit", world.household_a.pk)))
    assert refused(client.post(url("households:edit", world.household_a.pk), {"head_name": "改名"}))
    assert refused(client.post(url("households:delete", world.household_a.pk)))
    assert Household.objects.values().get(pk=world.household_a.pk) == before


def test_household_index_query_count_does_not_grow(world, login, django_assert_max_num_queries):
    client = login(world.officer_a)
    client.get(url("households:index"))
    for extra in (2, 25):
        HouseholdFactory.create_batch(extra, village=world.village_a)
        with django_assert_max_num_queries(16):
            client.get(url("households:index"))


def test_producers_scoped_and_shop_choices_scoped(world, login):
    client = login(world.op_a)
    assert list(client.get(url("producers:index")).context["object_list"]) == [world.producer_a]
    assert client.get(url("producers:edit", world.producer_b.pk)).status_code == 404
    form = client.get(url("producers:add")).context["form"]
    assert list(form.fields["shop"].queryset) == [world.shop_a]
    assert set(form.fields["region"].queryset) == {world.village_a}
    data = {
        "shop": world.shop_b.pk,
        "name": "冒名合作社",
        "kind": "cooperative",
        "credit_code": "",
        "region": world.village_a.pk,
    }
    response = client.post(url("producers:add"), data)
    assert response.status_code == 200 and "shop" in response.context["form"].errors
    response = client.post(url("producers:add"), data | {"shop": world.shop_a.pk})
    assert response.status_code == 302
    assert Producer.objects.get(name="冒名合作社").shop == world.shop_a


def test_collectives_scoped(world, login):
    assert list(login(world.op_b).get(url("collectives:index")).context["object_list"]) == []
    assert login(world.op_b).get(url("collectives:inspect", world.collective_a.pk)).status_code == 404
    assert list(login(world.officer_a).get(url("collectives:index")).context["object_list"]) == [world.collective_a]


def test_regions_admins_change_others_view_in_scope(world, login):
    officer = login(world.officer_b)
    codes = {r.code for r in officer.get(url("regions:index")).context["object_list"]}
    assert codes == {"371723", "371723100", "371723100201"}
    assert officer.get(url("regions:inspect", world.county_a.pk)).status_code == 404
    assert refused(officer.get(url("regions:edit", world.county_b.pk)))
    operator = login(world.op_a)
    assert refused(operator.get(url("regions:add")))
    assert refused(operator.post(url("regions:edit", world.village_a.pk), {"name": "改名村"}))
    world.village_a.refresh_from_db()
    assert world.village_a.name != "改名村"

    admin = login(world.admin)
    assert admin.get(url("regions:index")).context["items_count"] == Region.objects.count()
    data = {"code": world.village_a.code, "name": "朱楼村", "level": "5", "parent": world.village_a.parent_id}
    assert admin.post(url("regions:edit", world.village_a.pk), data | {"is_official": ""}).status_code == 302
    world.village_a.refresh_from_db()
    assert world.village_a.name == "朱楼村"


def chooser_rows(client, **params) -> str:
    response = client.get(url("region_chooser:choose_results"), params)
    assert response.status_code == 200
    return response.content.decode()


def chooser_codes(client, **params) -> set[str]:
    """The division codes in the chooser's code column."""
    return set(re.findall(r">\s*(\d{2,12})\s*</td>", chooser_rows(client, **params)))


def test_region_chooser_is_scoped(world, login):
    assert chooser_codes(login(world.op_a)) == {world.village_a.code}
    assert chooser_codes(login(world.officer_b)) == {"371723", "371723100", "371723100201"}
    assert chooser_codes(login(world.admin), q="371723") == {"371723", "371723100", "371723100201"}
    assert chooser_codes(login(world.admin), q="单县") == {"371722"}

    client = login(world.op_a)
    assert client.get(url("region_chooser:chosen", world.village_a.pk)).status_code == 200
    assert client.get(url("region_chooser:chosen", world.village_b.pk)).status_code == 404


def test_product_form_uses_region_chooser(world, login):
    html = login(world.op_a).get(url("products:add")).content.decode()
    assert url("region_chooser:choose") in html
