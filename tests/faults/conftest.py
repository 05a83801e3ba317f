"""Fixtures of the fault tests: a service taken away or a process killed in the middle of
the work, then the state checked exactly."""

import pytest
from django.db import connection

from tests.conftest import require_service
from tests.orders.conftest import checkout_post, shop_world  # noqa: F401 (fixtures and helpers shared)
from tests.payments.conftest import fake_stripe  # noqa: F401
from tests.processes import own_redis  # noqa: F401


@pytest.fixture
def postgres_only():
    """Real row and advisory locks, and connections that can be terminated: PostgreSQL."""
    require_service(
        connection.vendor == "postgresql",
        f"needs PostgreSQL (DATABASE_URL=postgres://…), not {connection.vendor}",
    )


def backends_waiting_for_advisory_lock(key: int) -> list[int]:
    """Pids of this database's backends waiting for the advisory lock ``key`` (a bigint
    below 2**32: pg_locks shows it as classid 0, objid key, objsubid 1)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 0"
            " AND objid = %s AND objsubid = 1"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [key],
        )
        return [pid for (pid,) in cursor.fetchall()]


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1
