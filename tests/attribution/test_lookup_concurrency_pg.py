"""The household lookup's limit under concurrency, on PostgreSQL: thirty wrong codes for one
household at the same instant get exactly ``STATEMENT_LOOKUP_MAX_FAILURES`` (5) code checks
and leave the household locked; the rest are refused unchecked.

SQLite serialises all writers, so this needs PostgreSQL (``DATABASE_URL=postgres://...``)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

import attribution.lookup
from attribution.services import issue_access_code
from tests.concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]


class CountedChecks:
    """``check_password`` as the lookup calls it, counting the calls (the real check runs)."""

    def __init__(self, monkeypatch):
        self.count, self._lock, self._real = 0, threading.Lock(), attribution.lookup.check_password
        monkeypatch.setattr(attribution.lookup, "check_password", self)

    def __call__(self, *args, **kwargs):
        with self._lock:
            self.count += 1
        return self._real(*args, **kwargs)


def test_thirty_concurrent_wrong_codes_get_exactly_five_checks_and_lock_the_household(ledger_world, monkeypatch):
    w = ledger_world
    code = issue_access_code(w.zhang, by=w.operator_a)
    checks = CountedChecks(monkeypatch)
    url = reverse("attribution:lookup")

    wrong = {"registration_number": w.zhang.registration_number, "access_code": "WRONG234"}

    def attempt(n):
        # Thirty different addresses: the attacker spreads out, the household's limit holds.
        return lambda: Client().post(url, wrong, REMOTE_ADDR=f"10.1.{n}.1").status_code

    results = race([attempt(n) for n in range(30)])

    assert [kind for kind, _ in results] == ["ok"] * 30, [value for kind, value in results if kind == "error"]
    statuses = sorted(value for _, value in results)
    assert checks.count == 5
    assert statuses == [200] * 5 + [429] * 25  # five "wrong code" answers, the rest refused unchecked
    # The household is locked: its right code is refused, unchecked, from anywhere.
    response = Client().post(
        url, {"registration_number": w.zhang.registration_number, "access_code": code}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 429 and checks.count == 5
