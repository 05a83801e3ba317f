"""Personal API tokens: made and revoked by the officer in the admin, shown once, kept
only as a hash, and worthless once revoked or once the user is no officer."""

import hashlib
import re

import pytest
from django.urls import reverse

from core.roles import Role
from reports.models import ReportApiToken
from reports.services import create_api_token

pytestmark = pytest.mark.django_db


def test_officer_makes_reads_with_and_revokes_a_token(ledger_world, client):
    w = ledger_world
    client.force_login(w.officer_a)
    page = client.post(reverse("reports_admin:tokens"), {"name": "月报表格"}, follow=True).content.decode()
    token = re.search(r'<code class="new-token">(rpt_[\w-]+)</code>', page).group(1)
    record = ReportApiToken.objects.get(user=w.officer_a)
    assert record.name == "月报表格" and record.prefix == token[:10]
    assert record.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ReportApiToken.objects.values_list()))  # the text itself is stored nowhere
    assert token not in client.get(reverse("reports_admin:tokens")).content.decode()  # shown once

    client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.get("/api/reports/", {"period": "month"}, **auth)
    assert response.status_code == 200 and response.json()["region"]["code"] == w.county_a.code
    record.refresh_from_db()
    assert record.last_used_at is not None

    client.force_login(w.officer_a)
    client.post(reverse("reports_admin:token_revoke", args=[record.pk]))
    client.logout()
    assert client.get("/api/reports/", **auth).status_code == 401


def test_tokens_need_a_name_and_a_report_role(ledger_world, client):
    w = ledger_world
    client.force_login(w.officer_a)
    client.post(reverse("reports_admin:tokens"), {"name": "  "})
    assert not ReportApiToken.objects.exists()
    client.force_login(w.operator_a)
    assert client.post(reverse("reports_admin:tokens"), {"name": "x"}).status_code in (302, 403)
    assert not ReportApiToken.objects.exists()


def test_a_token_stops_working_when_its_owner_is_no_longer_an_officer(ledger_world, client):
    w = ledger_world
    _record, token = create_api_token(w.officer_a, "tools")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/reports/", **auth).status_code == 200
    w.officer_a.groups.remove(*w.officer_a.groups.filter(name=Role.BUREAU_OFFICER))
    assert client.get("/api/reports/", **auth).status_code == 403
    w.officer_a.is_active = False
    w.officer_a.save()
    assert client.get("/api/reports/", **auth).status_code == 401
