"""Validity is read from the dates at query time, in Asia/Shanghai days: a product
vanishes at the first second after its certificate's last day, before any job runs."""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from certification.models import Certificate, ExpiryNotice, Status, TransitionRecord
from certification.selectors import current_certificate
from certification.tasks import notify_expiring, record_expiries

from .conftest import certified_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    """Patch "now" to a moment given in Shanghai local time."""
    return mock.patch("django.utils.timezone.now", return_value=dt.datetime(*args, tzinfo=SHANGHAI))


@pytest.mark.django_db
def test_certificate_valid_through_its_last_day_in_shanghai_time(world):
    app = certified_for(world)
    Certificate.objects.filter(pk=app.certificate.pk).update(
        valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2026, 12, 31)
    )
    with at(2026, 12, 31, 23, 59, 59):
        assert current_certificate(world.product_a) is not None
    with at(2027, 1, 1, 0, 0, 0):
        assert current_certificate(world.product_a) is None
    # 2026-12-31 16:00 UTC is already 2027-01-01 in Shanghai: lapsed.
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC)):
        assert current_certificate(world.product_a) is None
    with at(2024, 12, 31, 23, 59, 59):  # not yet in force
        assert current_certificate(world.product_a) is None


@pytest.mark.django_db
def test_revoked_certificate_is_not_current(world):
    from certification import services

    app = certified_for(world)
    services.apply_transition(app.pk, "revoke", by=world.officer_a, note="抽检不合格")
    assert current_certificate(world.product_a) is None


@pytest.mark.django_db
def test_expiry_task_records_lapsed_certificates_once(world):
    app = certified_for(world)
    Certificate.objects.filter(pk=app.certificate.pk).update(
        valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2025, 12, 31)
    )
    with at(2025, 12, 31, 23, 0):
        assert record_expiries() == 0
    with at(2026, 1, 1, 0, 5):
        assert record_expiries() == 1
        assert record_expiries() == 0
    app.refresh_from_db()
    assert app.status == Status.EXPIRED
    record = TransitionRecord.objects.filter(application=app).latest("pk")
    assert (record.action, record.actor, record.from_status) == ("expire", None, Status.CERTIFIED)


@pytest.mark.django_db
def test_operators_are_told_30_and_7_days_before(world):
    world.operator_a.email = "op-a@example.cn"
    world.operator_a.save()
    app = certified_for(world)
    Certificate.objects.filter(pk=app.certificate.pk).update(
        valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2026, 6, 30)
    )
    with at(2026, 5, 30, 9, 0):  # 31 days before: nothing yet
        assert notify_expiring() == 0
    with at(2026, 5, 31, 9, 0):  # 30 days before: the 30-day notice
        assert notify_expiring() == 1
        assert notify_expiring() == 0
    with at(2026, 6, 23, 9, 0):  # 7 days before
        assert notify_expiring() == 1
    assert sorted(ExpiryNotice.objects.values_list("days_before", flat=True)) == [7, 30]
    assert len(mail.outbox) == 2
    assert mail.outbox[0].to == ["op-a@example.cn"]
    assert app.certificate.number in mail.outbox[0].subject
    assert "30 天后到期" in mail.outbox[0].subject
