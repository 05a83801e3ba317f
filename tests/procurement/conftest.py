"""The ledger world (tests/worlds.py: 单县 and 成武县, yam and oil certified, officers of
both counties and of the city) with 单县财政局 registered by its administrator through
/org/new/, and its purchaser, approver and finance people."""

import pytest

from procurement.models import Member, Organisation
from tests.factories import UserFactory

from .helpers import organisation_post, sign_in


@pytest.fixture
def world(ledger_world):
    from cms.setup import ensure_storefront_pages

    ensure_storefront_pages()
    return ledger_world


@pytest.fixture
def unit(world):
    admin = UserFactory(username="unit-admin", name="赵主任", mobile="13600000001")
    response = sign_in(admin).post("/org/new/", organisation_post())
    assert response.status_code == 302, response.content.decode()[:2000]
    return Organisation.objects.get(), admin


@pytest.fixture
def members(unit):
    organisation, admin = unit
    people = {}
    for n, role in enumerate(("purchaser", "approver", "finance"), 2):
        user = UserFactory(username=f"unit-{role}", name=f"单位{role}", mobile=f"1360000000{n}")
        Member.objects.create(organisation=organisation, user=user, added_by=admin, **{f"is_{role}": True})
        people[role] = user
    return people
