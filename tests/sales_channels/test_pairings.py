"""Pairing relations (结对帮扶关系): the platform records them in the admin, every bad form
refused with its reason and nothing saved; the bureaus of both sides read them (and the
bureaus above or below either side); a third region's bureau, an operator and a buyer read
none, by URL."""

import datetime as dt

import pytest
from django.test import Client

from orders.models import AddressRegion
from producers.models import Region
from sales_channels.models import Pairing, PairingKind
from sales_channels.selectors import pairings_for
from tests.factories import RegionFactory, officer_for

pytestmark = pytest.mark.django_db

INDEX = "/admin/channels/pairings/"


def county(code: str) -> AddressRegion:
    return AddressRegion.objects.get(level=AddressRegion.Level.COUNTY, code=code)


def city(code: str) -> AddressRegion:
    return AddressRegion.objects.get(level=AddressRegion.Level.CITY, code=code)


@pytest.fixture
def jinan_officer(ledger_world):
    shandong = Region.objects.get(code="37")
    jinan = RegionFactory(code="3701", name="济南市", level=Region.Level.CITY, parent=shandong, is_official=True)
    return officer_for(jinan, username="officer-jinan")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(**overrides) -> dict:
    data = {
        "kind": PairingKind.EAST_WEST,
        "name": "东西部协作 济南市—单县",
        "helping_region": city("3701").pk,
        "helping_organisation": "",
        "helped_region": county("371722").pk,
        "valid_from": "2026-01-01",
        "valid_to": "2030-12-31",
        "note": "",
    }
    data.update(overrides)
    return data


def test_the_platform_records_a_pairing_and_bad_forms_save_nothing(ledger_world):
    client = signed_in(ledger_world.admin)
    for bad, message in [
        ({"helping_region": ""}, "请填写帮扶方地区或帮扶单位（二选一）。"),
        ({"helped_region": city("3717").pk, "helping_region": county("371722").pk}, "不能相同或互相包含"),
        ({"valid_to": "2025-12-31"}, "截止日期不能早于起始日期。"),
        ({"valid_from": "2026-02-30"}, "日期"),
    ]:
        response = client.post(INDEX + "new/", form(**bad))
        assert response.status_code == 200, bad
        assert message in response.content.decode(), bad
    assert not Pairing.objects.exists()
    response = client.post(INDEX + "new/", form())
    assert response.status_code == 302
    pairing = Pairing.objects.get()
    assert (pairing.helping_code, pairing.helped_region.code, pairing.valid_to) == (
        "3701",
        "371722",
        dt.date(2030, 12, 31),
    )


def test_both_sides_bureaus_read_it_a_third_does_not(ledger_world, jinan_officer):
    pairing = Pairing.objects.create(
        kind=PairingKind.EAST_WEST,
        name="东西部协作 济南市—单县",
        helping_region=city("3701"),
        helped_region=county("371722"),
        valid_from=dt.date(2026, 1, 1),
    )
    w = ledger_world
    # 济南 (helping), 单县 (helped) and 菏泽 (the city 单县 is in) read it ...
    for officer in (jinan_officer, w.officer_a, w.officer_city):
        assert list(pairings_for(officer)) == [pairing], officer.username
        client = signed_in(officer)
        assert pairing.name in client.get(INDEX).content.decode()
        assert client.get(f"{INDEX}inspect/{pairing.pk}/").status_code == 200
        # ... and change nothing.
        assert client.get(f"{INDEX}edit/{pairing.pk}/").status_code in (302, 403)
        assert client.post(f"{INDEX}edit/{pairing.pk}/", form(name="改名")).status_code in (302, 403)
    # 成武县 (a third county), an operator and a buyer read none.
    for user in (w.officer_b, w.operator_a, w.buyer):
        assert list(pairings_for(user)) == []
        client = signed_in(user)
        assert client.get(f"{INDEX}inspect/{pairing.pk}/").status_code in (302, 403, 404)
        assert pairing.name not in client.get(INDEX).content.decode()
    assert Pairing.objects.get().name == "东西部协作 济南市—单县"


def test_an_organisation_helps_where_it_is(ledger_world, jinan_officer):
    from procurement.models import Organisation
    from tests.factories import UserFactory, valid_credit_code

    organisation = Organisation.objects.create(
        kind="enterprise",
        name="济南某国有企业",
        credit_code=valid_credit_code("91370100MA1234567"),
        region=county("370102"),
        invoice_title="济南某国有企业",
        created_by=UserFactory(),
    )
    pairing = Pairing.objects.create(
        kind=PairingKind.UNIT,
        name="单位结对 济南某国有企业—单县",
        helping_organisation=organisation,
        helped_region=county("371722"),
        valid_from=dt.date(2026, 1, 1),
    )
    assert pairing.helping_code == "370102" and pairing.helping_label == "济南某国有企业"
    assert list(pairings_for(jinan_officer)) == [pairing]
    assert list(pairings_for(ledger_world.officer_b)) == []
