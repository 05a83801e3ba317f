"""Two officers acting at once: one wins, the other is told; numbers never repeat.
Needs real row locks, so it runs on PostgreSQL (skipped on SQLite)."""

import pytest
from django.db import connection

from certification import services
from certification.models import Certificate, Status
from core.errors import DomainError
from tests.concurrency import race

from .conftest import draft_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races are tested on PostgreSQL")


def _under_review(world, product=None):
    app = draft_for(world, product)
    services.apply_transition(app.pk, "submit", by=world.operator_a if product is None else _op(world, product))
    services.apply_transition(app.pk, "start_review", by=world.officer_city)
    return app


def _op(world, product):
    return world.operator_a if product.shop_id == world.shop_a.pk else world.operator_b


def test_two_officers_decide_at_once_one_wins(world):
    app = _under_review(world)
    results = race(
        [
            lambda: services.apply_transition(app.pk, "certify", by=world.officer_a, note="同意"),
            lambda: services.apply_transition(app.pk, "reject", by=world.officer_city, note="材料不全"),
        ]
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, DomainError) and "可能已被他人处理" in str(error)
    app.refresh_from_db()
    assert app.status in (Status.CERTIFIED, Status.REJECTED)
    assert Certificate.objects.filter(application=app).count() == (1 if app.status == Status.CERTIFIED else 0)
    assert app.history.count() == 3  # submit, start_review, and only the winner's decision


def test_concurrent_certifications_never_share_a_number(world):
    from producers.services import ShareSpec, revise_benefit_linkage
    from tests.factories import ProductFactory

    apps = []
    for i in range(8):
        product = ProductFactory(shop=world.shop_a, producer=world.coop_a, title=f"山药{i}", certified=False)
        revise_benefit_linkage(
            product, [ShareSpec(share_bp=500, mode="purchase", collective=world.village_a.collective)]
        )
        apps.append(_under_review(world, product))
    results = race([lambda a=a: services.apply_transition(a.pk, "certify", by=world.officer_a) for a in apps])
    assert [kind for kind, _ in results] == ["ok"] * 8
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 8
    assert [int(n[-5:]) for n in numbers] == list(range(1, 9))
