"""The transition table, applied through the one service function: every legal move
works and records itself, every illegal move is refused with a clear message."""

import itertools

import pytest
from django.db import connection

from certification import services
from certification.models import (
    Application,
    AuditImmutable,
    Certificate,
    Status,
    TransitionRecord,
)
from certification.transitions import TRANSITIONS, Actor
from core.errors import DomainError

from .conftest import certified_for, draft_for

LEGAL = {
    (Status.DRAFT, "submit"): Status.SUBMITTED,
    (Status.SUBMITTED, "start_review"): Status.UNDER_REVIEW,
    (Status.UNDER_REVIEW, "certify"): Status.CERTIFIED,
    (Status.UNDER_REVIEW, "reject"): Status.REJECTED,
    (Status.CERTIFIED, "revoke"): Status.REVOKED,
    (Status.CERTIFIED, "expire"): Status.EXPIRED,
}


def test_table_is_exactly_the_documented_workflow():
    table = {(src, t.action): t.target for t in TRANSITIONS.values() for src in t.sources}
    assert table == LEGAL


def _application_in(world, status):
    """Reach ``status`` through legal transitions only."""
    app = draft_for(world)
    path = {
        Status.DRAFT: [],
        Status.SUBMITTED: ["submit"],
        Status.UNDER_REVIEW: ["submit", "start_review"],
        Status.CERTIFIED: ["submit", "start_review", "certify"],
        Status.REJECTED: ["submit", "start_review", "reject"],
        Status.REVOKED: ["submit", "start_review", "certify", "revoke"],
        Status.EXPIRED: ["submit", "start_review", "certify"],
    }[status]
    for action in path:
        services.apply_transition(app.pk, action, by=_actor(world, TRANSITIONS[action].actor), note="理由")
    if status == Status.EXPIRED:
        Certificate.objects.filter(application=app).update(valid_from="2020-01-01", valid_until="2020-12-31")
        services.apply_transition(app.pk, "expire", by=None)
    app.refresh_from_db()
    assert app.status == status
    return app


def _actor(world, actor):
    return {Actor.OPERATOR: world.operator_a, Actor.OFFICER: world.officer_a, Actor.SYSTEM: None}[actor]


@pytest.mark.django_db
@pytest.mark.parametrize("status,action", list(itertools.product(Status.values, TRANSITIONS)))
def test_every_pair_of_state_and_action(world, status, action):
    app = _application_in(world, status)
    before = TransitionRecord.objects.filter(application=app).count()
    transition = TRANSITIONS[action]
    if (status, action) in LEGAL:
        if action == "expire":  # only a lapsed certificate can be recorded as expired
            Certificate.objects.filter(application=app).update(valid_from="2020-01-01", valid_until="2020-12-31")
        result = services.apply_transition(app.pk, action, by=_actor(world, transition.actor), note="理由")
        assert result.status == LEGAL[(status, action)]
        record = TransitionRecord.objects.filter(application=app).latest("pk")
        assert (record.from_status, record.to_status, record.action) == (status, LEGAL[(status, action)], action)
        assert TransitionRecord.objects.filter(application=app).count() == before + 1
    else:
        with pytest.raises(DomainError, match="不能执行"):
            services.apply_transition(app.pk, action, by=_actor(world, transition.actor), note="理由")
        app.refresh_from_db()
        assert app.status == status
        assert TransitionRecord.objects.filter(application=app).count() == before


@pytest.mark.django_db
def test_certify_issues_numbered_certificate_with_default_validity(world, settings):
    settings.CERTIFICATE_VALIDITY_YEARS = 2
    app = certified_for(world)
    cert = app.certificate
    year = cert.issued_at.year
    assert cert.number == f"FP371722{year}00001"
    assert cert.bureau == world.officer_a.bureau
    assert (cert.valid_until - cert.valid_from).days in (729, 730)  # two years less one day
    assert cert.valid_from.replace(year=cert.valid_from.year + 2).toordinal() - 1 == cert.valid_until.toordinal()
    second = certified_for(world, world.product_b)
    assert second.certificate.number == f"FP371723{year}00001"  # numbered per issuing region


@pytest.mark.django_db
def test_reject_and_revoke_need_a_reason(world):
    app = draft_for(world)
    services.apply_transition(app.pk, "submit", by=world.operator_a)
    services.apply_transition(app.pk, "start_review", by=world.officer_a)
    with pytest.raises(DomainError, match="必须填写原因"):
        services.apply_transition(app.pk, "reject", by=world.officer_a, note="  ")
    services.apply_transition(app.pk, "reject", by=world.officer_a, note="缺少合格证")
    app.refresh_from_db()
    assert (app.status, app.decision_note) == (Status.REJECTED, "缺少合格证")


@pytest.mark.django_db
def test_submit_needs_evidence_and_a_linkage(world):
    app = services.create_application(
        product=world.product_a,
        producer=world.coop_a,
        benefit_modes=["purchase"],
        households_count=2,
        by=world.operator_a,
    )
    with pytest.raises(DomainError, match="至少上传一份申报材料"):
        services.apply_transition(app.pk, "submit", by=world.operator_a)
    app = draft_for(world)
    services.apply_transition(app.pk, "submit", by=world.operator_a)
    app.refresh_from_db()
    assert app.linkage.version == 1 and app.submitted_at is not None


@pytest.mark.django_db
def test_household_cannot_apply_alone(world):
    from producers.models import Producer
    from tests.factories import ProducerFactory

    household_producer = ProducerFactory(shop=world.shop_a, kind=Producer.Kind.HOUSEHOLD, credit_code="")
    with pytest.raises(DomainError, match="农户个人不能单独申报"):
        services.create_application(
            product=world.product_a,
            producer=household_producer,
            benefit_modes=["purchase"],
            households_count=1,
            by=world.operator_a,
        )
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_audit_trail_cannot_be_edited_or_deleted(world):
    app = certified_for(world)
    records = list(TransitionRecord.objects.filter(application=app).order_by("pk"))
    assert [(r.from_status, r.to_status) for r in records] == [
        (Status.DRAFT, Status.SUBMITTED),
        (Status.SUBMITTED, Status.UNDER_REVIEW),
        (Status.UNDER_REVIEW, Status.CERTIFIED),
    ]
    assert [r.actor for r in records] == [world.operator_a, world.officer_a, world.officer_a]
    record = records[0]
    record.note = "改写历史"
    with pytest.raises(AuditImmutable):
        record.save()
    with pytest.raises(AuditImmutable):
        record.delete()
    with pytest.raises(AuditImmutable):
        TransitionRecord.objects.filter(pk=record.pk).update(note="x")
    with pytest.raises(AuditImmutable):
        TransitionRecord.objects.all().delete()
    assert TransitionRecord.objects.get(pk=record.pk).note == ""


@pytest.mark.django_db
def test_audit_trail_refuses_raw_sql_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("the database trigger exists on PostgreSQL only")
    from django.db import transaction
    from django.db.utils import DatabaseError

    from core.db_roles import two_roles

    app = certified_for(world)
    pk = TransitionRecord.objects.filter(application=app).first().pk
    # The application's role of two holds no UPDATE or DELETE; a role owning the table meets the trigger.
    refusal = "permission denied" if two_roles() else "append-only"
    with pytest.raises(DatabaseError, match=refusal), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("UPDATE certification_transitionrecord SET note = 'x' WHERE id = %s", [pk])
    with pytest.raises(DatabaseError, match=refusal), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM certification_transitionrecord WHERE id = %s", [pk])
