"""Who may do what: each refusal proven with the wrong person."""

import pytest

from certification import services
from certification.models import Status, TransitionRecord
from core.errors import DomainError
from core.roles import Role
from tests.factories import UserFactory

from .conftest import certified_for, draft_for


def _submitted(world):
    app = draft_for(world)
    services.apply_transition(app.pk, "submit", by=world.operator_a)
    return app


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["start_review"])
def test_officer_of_another_county_cannot_review(world, action):
    app = _submitted(world)
    with pytest.raises(DomainError, match="辖区"):
        services.apply_transition(app.pk, action, by=world.officer_b)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["certify", "reject"])
def test_officer_of_another_county_cannot_decide(world, action):
    app = _submitted(world)
    services.apply_transition(app.pk, "start_review", by=world.officer_a)
    with pytest.raises(DomainError, match="辖区"):
        services.apply_transition(app.pk, action, by=world.officer_b, note="理由")
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW


@pytest.mark.django_db
def test_city_officer_covers_the_counties_under_it(world):
    app = _submitted(world)
    services.apply_transition(app.pk, "start_review", by=world.officer_city)
    services.apply_transition(app.pk, "certify", by=world.officer_city)
    app.refresh_from_db()
    assert app.certificate.number.startswith("FP3717")  # issued by the city bureau


@pytest.mark.django_db
def test_officer_of_another_county_cannot_revoke(world):
    app = certified_for(world)
    with pytest.raises(DomainError, match="辖区"):
        services.apply_transition(app.pk, "revoke", by=world.officer_b, note="抽检不合格")
    app.refresh_from_db()
    assert app.status == Status.CERTIFIED and app.certificate.revoked_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["start_review", "certify", "reject", "revoke"])
def test_operator_cannot_certify_own_product(world, action):
    app = certified_for(world) if action == "revoke" else _submitted(world)
    if action in ("certify", "reject"):
        services.apply_transition(app.pk, "start_review", by=world.officer_a)
    before = TransitionRecord.objects.count()
    with pytest.raises(DomainError, match="辖区"):
        services.apply_transition(app.pk, action, by=world.operator_a, note="理由")
    assert TransitionRecord.objects.count() == before


@pytest.mark.django_db
def test_officer_who_also_runs_the_shop_cannot_certify_it(world):
    world.officer_a.groups.add(*UserFactory._meta.model.objects.get(pk=world.operator_a.pk).groups.all())
    world.shop_a.operators.add(world.officer_a)
    officer = type(world.officer_a).objects.get(pk=world.officer_a.pk)
    app = _submitted(world)
    with pytest.raises(DomainError, match="不能认定自己运营网店的产品"):
        services.apply_transition(app.pk, "start_review", by=officer)


@pytest.mark.django_db
def test_operator_of_another_shop_cannot_apply_or_submit(world):
    with pytest.raises(DomainError, match="运营人员"):
        services.create_application(
            product=world.product_a,
            producer=world.coop_a,
            benefit_modes=["purchase"],
            households_count=1,
            by=world.operator_b,
        )
    app = draft_for(world)
    with pytest.raises(DomainError, match="运营人员"):
        services.apply_transition(app.pk, "submit", by=world.operator_b)
    with pytest.raises(DomainError, match="运营人员"):
        services.apply_transition(app.pk, "submit", by=world.officer_a)


@pytest.mark.django_db
def test_buyer_can_do_nothing(world):
    buyer = UserFactory(roles=[Role.BUYER])
    app = _submitted(world)
    for action in ("start_review", "certify", "reject"):
        with pytest.raises(DomainError):
            services.apply_transition(app.pk, action, by=buyer, note="x")


@pytest.mark.django_db
def test_nobody_but_the_system_expires(world):
    app = certified_for(world)
    with pytest.raises(DomainError, match="系统"):
        services.apply_transition(app.pk, "expire", by=world.officer_a)
