"""Benefit linkages in the admin: versions, never edits in place; shares that add up."""

from datetime import timedelta

import pytest
from django.utils import timezone

from producers.models import BenefitLinkage, BenefitShare
from producers.services import ShareSpec, revise_benefit_linkage
from tests.factories import HouseholdFactory, ProducerFactory, ProductFactory, ShopFactory, UserFactory

from .helpers import shares_data, url
from .test_products import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def linkage_v1(world):
    return revise_benefit_linkage(
        world.product_a,
        [ShareSpec(share_bp=3000, mode="purchase", household=world.household_a)],
        by=world.op_a,
        valid_from=timezone.now() - timedelta(days=30),
        note="首版",
    )


def test_editing_version_in_force_makes_version_two(world, login, linkage_v1):
    client = login(world.op_a)
    response = client.get(url("linkages:edit", linkage_v1.pk))
    assert response.status_code == 200
    assert "70.00%" in response.content.decode()  # the producer keeps 100% - 30%

    data = {"note": "增加村集体分红", "valid_from": ""}
    data |= shares_data(
        [
            {"household": world.household_a, "share_bp": 2000, "mode": "employment"},
            {"collective": world.collective_a, "share_bp": 1500, "mode": "dividend"},
        ],
        initial=1,
    )
    response = client.post(url("linkages:edit", linkage_v1.pk), data)
    assert response.status_code == 302, response.context["form"].errors

    versions = list(BenefitLinkage.objects.filter(product=world.product_a).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    v1, v2 = versions
    assert v1.pk == linkage_v1.pk
    assert v1.valid_to == v2.valid_from is not None
    assert v1.note == "首版"
    assert list(v1.shares.values_list("household_id", "collective_id", "share_bp", "mode")) == [
        (world.household_a.pk, None, 3000, "purchase")
    ]
    assert sorted(v2.shares.values_list("household_id", "collective_id", "share_bp", "mode"), key=str) == sorted(
        [(world.household_a.pk, None, 2000, "employment"), (None, world.collective_a.pk, 1500, "dividend")], key=str
    )
    assert v2.valid_to is None and v2.note == "增加村集体分红" and v2.created_by == world.op_a
    assert v2.producer_retained_bp == 6500


def test_superseded_version_is_read_only(world, login, linkage_v1):
    revise_benefit_linkage(world.product_a, [], by=world.op_a)
    client = login(world.op_a)
    before = list(BenefitShare.objects.filter(linkage=linkage_v1).values())
    assert refused(client.get(url("linkages:edit", linkage_v1.pk)))
    data = {"note": "x", "valid_from": ""} | shares_data([{"household": world.household_a, "share_bp": 100}])
    assert refused(client.post(url("linkages:edit", linkage_v1.pk), data))
    assert BenefitLinkage.objects.filter(product=world.product_a).count() == 2
    assert list(BenefitShare.objects.filter(linkage=linkage_v1).values()) == before

    index = client.get(url("linkages:index")).content.decode()
    assert url("linkages:edit", linkage_v1.pk) not in index
    assert url("linkages:inspect", linkage_v1.pk) in index
    assert client.get(url("linkages:inspect", linkage_v1.pk)).status_code == 200


def test_no_version_is_deleted_even_by_admin(world, login, linkage_v1):
    client = login(world.admin)
    assert refused(client.post(url("linkages:delete", linkage_v1.pk)))
    assert BenefitLinkage.objects.filter(pk=linkage_v1.pk).exists()


def test_shares_over_full_are_a_form_error(world, login):
    client = login(world.op_a)
    data = {"product": world.product_a.pk, "note": "", "valid_from": ""}
    data |= shares_data(
        [
            {"household": world.household_a, "share_bp": 6000},
            {"collective": world.collective_a, "share_bp": 4001},
        ]
    )
    response = client.post(url("linkages:add"), data)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any("10001" in e and "10000" in e for e in errors), errors
    assert "10001" in response.content.decode()
    assert not BenefitLinkage.objects.exists()


def test_repeated_beneficiary_is_a_form_error(world, login):
    client = login(world.op_a)
    data = {"product": world.product_a.pk, "note": "", "valid_from": ""}
    data |= shares_data(
        [{"household": world.household_a, "share_bp": 100}, {"household": world.household_a, "share_bp": 200}]
    )
    response = client.post(url("linkages:add"), data)
    assert response.status_code == 200
    assert any("重复" in e for e in response.context["form"].non_field_errors())
    assert not BenefitLinkage.objects.exists()


def test_row_with_both_or_no_beneficiary_is_refused(world, login):
    client = login(world.op_a)
    data = {"product": world.product_a.pk, "note": "", "valid_from": ""}
    data |= shares_data([{"household": world.household_a, "collective": world.collective_a, "share_bp": 100}])
    response = client.post(url("linkages:add"), data)
    assert response.status_code == 200
    assert not BenefitLinkage.objects.exists()


def test_operator_creates_first_version(world, login):
    client = login(world.op_a)
    data = {"product": world.product_a.pk, "note": "订单帮扶", "valid_from": ""}
    data |= shares_data(
        [{"household": world.household_a, "share_bp": 2550}, {"collective": world.collective_a, "share_bp": 1000}]
    )
    response = client.post(url("linkages:add"), data)
    assert response.status_code == 302, response.context["form"].errors
    linkage = BenefitLinkage.objects.get(product=world.product_a)
    assert (linkage.version, linkage.valid_to, linkage.allocated_bp, linkage.producer_retained_bp) == (
        1,
        None,
        3550,
        6450,
    )
    index = client.get(url("linkages:index")).content.decode()
    assert "35.50%" in index and "64.50%" in index


def test_valid_from_not_after_version_in_force_is_a_form_error(world, login, linkage_v1):
    client = login(world.op_a)
    earlier = (linkage_v1.valid_from - timedelta(days=1)).astimezone(timezone.get_current_timezone())
    data = {"note": "", "valid_from": earlier.strftime("%Y-%m-%d %H:%M")}
    data |= shares_data([{"household": world.household_a, "share_bp": 100}], initial=1)
    response = client.post(url("linkages:edit", linkage_v1.pk), data)
    assert response.status_code == 200
    assert any("生效时间" in e for e in response.context["form"].non_field_errors())
    assert BenefitLinkage.objects.filter(product=world.product_a).count() == 1


def test_operator_cannot_link_other_shops_product_or_households(world, login, linkage_v1):
    client = login(world.op_a)
    form = client.get(url("linkages:add")).context["form"]
    assert list(form.fields["product"].queryset) == [world.product_a]
    share_form = form.shares.forms[0]
    assert list(share_form.fields["household"].queryset) == [world.household_a]
    assert list(share_form.fields["collective"].queryset) == [world.collective_a]

    data = {"product": world.product_b.pk, "note": "", "valid_from": ""}
    data |= shares_data([{"household": world.household_b, "share_bp": 100}])
    response = client.post(url("linkages:add"), data)
    assert response.status_code == 200
    assert "product" in response.context["form"].errors
    assert BenefitLinkage.objects.count() == 1

    # Operator B cannot see, open or revise operator A's linkage.
    client = login(world.op_b)
    assert list(client.get(url("linkages:index")).context["object_list"]) == []
    assert client.get(url("linkages:edit", linkage_v1.pk)).status_code == 404
    assert client.get(url("linkages:inspect", linkage_v1.pk)).status_code == 404


def test_officer_reads_linkage_without_edit(world, login, linkage_v1):
    client = login(world.officer_a)
    response = client.get(url("linkages:inspect", linkage_v1.pk))
    assert response.status_code == 200
    html = response.content.decode()
    # The household is in the officer's county: entitled, full data.
    assert "王建国" in html and world.household_a.registration_number in html
    assert "70.00%" in html
    assert refused(client.get(url("linkages:edit", linkage_v1.pk)))
    assert login(world.officer_b).get(url("linkages:inspect", linkage_v1.pk)).status_code == 404


def test_household_outside_viewers_scope_shows_masked(world, login):
    # A city-level shop links a household of county B to a product made in county A.
    operator = UserFactory(roles=["shop_operator"])
    shop = ShopFactory(region=world.city, operators=[operator])
    producer = ProducerFactory(shop=shop, region=world.village_a)
    product = ProductFactory(shop=shop, producer=producer)
    linkage = revise_benefit_linkage(product, [ShareSpec(share_bp=500, mode="employment", household=world.household_b)])
    html = login(world.officer_a).get(url("linkages:inspect", linkage.pk)).content.decode()
    assert "李秀英" not in html and world.household_b.registration_number not in html
    assert world.household_b.masked_name in html and world.household_b.masked_registration_number in html
    # The city operator is entitled to both.
    html = login(operator).get(url("linkages:inspect", linkage.pk)).content.decode()
    assert "李秀英" in html


def test_linkage_index_query_count_does_not_grow(world, login, django_assert_max_num_queries):
    client = login(world.op_a)
    client.get(url("linkages:index"))
    for total in (3, 15):
        while BenefitLinkage.objects.count() < total:
            product = ProductFactory(shop=world.shop_a, producer=world.producer_a)
            households = HouseholdFactory.create_batch(2, village=world.village_a)
            revise_benefit_linkage(product, [ShareSpec(share_bp=100, mode="purchase", household=h) for h in households])
        with django_assert_max_num_queries(18):
            response = client.get(url("linkages:index"))
        assert len(response.context["object_list"]) == total
