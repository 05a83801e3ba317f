"""True append-only on PostgreSQL: what the application's role and the tables' owner may do
to the attribution ledger and the certification audit trail (``core/append_only.py``,
``core/db_roles.py``).

Each role gets a connection of its own (psycopg, signed in with that role's credentials, on
the test database), so what is checked is the database's answer, not Django's. Rows are
committed (transactional tests) for the other connections to see them. Tests marked for two
roles skip without DATABASE_OWNER_URL (and fail so with REQUIRE_SERVICES, as in CI); the last
ones hold for one role as well."""

import io

import psycopg
import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from psycopg import errors

from attribution.maintenance import purge_ledger
from attribution.models import LedgerEntry
from certification import services as certification
from certification.models import Application, TransitionRecord
from core.db_roles import app_credentials, owner_credentials
from core.roles import Role
from tests.factories import UserFactory
from tests.worlds import buy_and_pay

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and triggers are PostgreSQL's (DATABASE_URL)"),
]

LEDGER = LedgerEntry._meta.db_table
AUDIT = TransitionRecord._meta.db_table
TABLES = [LEDGER, AUDIT]


def connect(credentials: dict) -> psycopg.Connection:
    """A connection of its own to the test database, signed in with these credentials."""
    params = {
        "dbname": connection.settings_dict["NAME"],
        "user": credentials["USER"],
        "password": credentials["PASSWORD"],
        "host": credentials["HOST"],
        "port": credentials["PORT"],
        **(credentials["OPTIONS"] or {}),
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v not in ("", None)}, autocommit=True)


def one(conn: psycopg.Connection, sql: str, params=()):
    return conn.execute(sql, params).fetchone()[0]


def count(conn: psycopg.Connection, table: str) -> int:
    return one(conn, f"SELECT count(*) FROM {table}")


def copy_row(conn: psycopg.Connection, table: str, pk: int) -> int:
    """A copy of row ``pk`` as a new row; a ledger sale is once per (line, beneficiary key), so
    the copy's key differs."""
    columns = [
        c
        for (c,) in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id'"
            " ORDER BY ordinal_position",
            [table],
        )
    ]
    values = [f"{c} || '-copy'" if c == "beneficiary_key" else c for c in columns]
    insert = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {table} WHERE id = %s"
    return one(conn, insert + " RETURNING id", [pk])


@pytest.fixture
def app(database_roles):
    with connect(database_roles["app"]) as conn:
        yield conn


@pytest.fixture
def owner(database_roles):
    with connect(database_roles["owner"]) as conn:
        yield conn


@pytest.fixture
def rows(ledger_world):
    """A paid order (its ledger entries) and a revoked certificate (an audit record): the
    first row's id of each table, and the order."""
    w = ledger_world
    order = buy_and_pay(w, [(w.yam, 2)])
    application = Application.objects.select_related("certificate__bureau").get(product=w.oil)
    officer = UserFactory(bureau=application.certificate.bureau, roles=[Role.BUREAU_OFFICER])
    certification.apply_transition(application.pk, "revoke", by=officer, note="抽检不合格")
    return {
        LEDGER: LedgerEntry.objects.filter(order=order).order_by("pk").first().pk,
        AUDIT: TransitionRecord.objects.get().pk,
        "order": order,
    }


# --- two roles --------------------------------------------------------------------------------------------------------


def test_the_suite_signs_in_as_a_role_neither_superuser_nor_owner(app, database_roles):
    app_role, owner_role = database_roles["app"]["USER"], database_roles["owner"]["USER"]
    with connection.cursor() as cursor:  # Django's own connection: the application's role
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == app_role
    assert one(app, "SELECT current_user") == app_role
    assert one(app, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user") is False
    assert one(app, "SELECT pg_has_role(current_user, %s, 'MEMBER')", [owner_role]) is False
    owners = dict(
        app.execute(
            "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c"
            " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'S')"
        ).fetchall()
    )
    assert owners[LEDGER] == owners[AUDIT] == owner_role
    assert set(owners.values()) == {owner_role}  # every table and sequence is the owner's
    assert one(app, "SELECT has_table_privilege('django_migrations', 'DELETE')") is True  # the rest as usual


@pytest.mark.parametrize("table", TABLES)
def test_the_application_reads_and_adds_but_cannot_change_or_empty(app, rows, table):
    before = count(app, table)
    assert before == (5 if table == LEDGER else 1)
    new = copy_row(app, table, rows[table])
    assert count(app, table) == before + 1

    for statement in (f"UPDATE {table} SET id = id WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(errors.InsufficientPrivilege, match=f"permission denied for table {table}"):
            app.execute(statement, [new])
        # The switch of the first version helps nobody any more.
        with pytest.raises(errors.InsufficientPrivilege), app.transaction():
            app.execute("SET LOCAL marketplace.audit_purge = 'on'")
            app.execute(statement, [new])
    with pytest.raises(errors.InsufficientPrivilege, match=f"permission denied for table {table}"):
        app.execute(f"TRUNCATE {table}")
    with pytest.raises(errors.InsufficientPrivilege, match=f"must be owner of table {table}"):
        app.execute(f"ALTER TABLE {table} DISABLE TRIGGER append_only_row")
    assert count(app, table) == before + 1


@pytest.mark.parametrize("table", TABLES)
def test_no_session_setting_lets_the_owner_change_rows_either(owner, rows, table):
    before = count(owner, table)
    with pytest.raises(errors.RaiseException, match=r"append-only \(UPDATE refused\)"):
        owner.execute(f"UPDATE {table} SET id = id WHERE id = %s", [rows[table]])
    with pytest.raises(errors.RaiseException, match=r"append-only \(DELETE refused\)"), owner.transaction():
        owner.execute("SET LOCAL marketplace.audit_purge = 'on'")
        owner.execute(f"DELETE FROM {table} WHERE id = %s", [rows[table]])
    assert count(owner, table) == before


@pytest.mark.parametrize("table", TABLES)
def test_truncate_is_the_owners_alone_even_granted_to_another(app, owner, rows, database_roles, table):
    app_role = database_roles["app"]["USER"]
    before = count(owner, table)
    owner.execute(f'GRANT TRUNCATE ON {table} TO "{app_role}"')  # a grant given by mistake
    try:
        with pytest.raises(errors.RaiseException, match=rf"append-only \(TRUNCATE refused to {app_role}\)"):
            app.execute(f"TRUNCATE {table}")
    finally:
        owner.execute(f'REVOKE TRUNCATE ON {table} FROM "{app_role}"')
    with owner.transaction(force_rollback=True):  # the owner may (the test suite's flushes do)
        owner.execute(f"TRUNCATE {table}")
        assert count(owner, table) == 0
    assert count(app, table) == before


def test_the_application_cannot_purge_and_load_demo_reset_says_who_may(database_roles, rows):
    order = rows["order"]
    with pytest.raises(DatabaseError, match=f"must be owner of table {LEDGER}"):
        purge_ledger([order.pk], [])
    with pytest.raises(CommandError, match="DATABASE_OWNER_URL"), transaction.atomic():
        call_command("load_demo", "--no-images", "--reset", stdout=io.StringIO())
    assert LedgerEntry.objects.filter(order=order).count() == 5


def test_migrate_gives_the_application_its_privileges_again(app, owner, database_roles):
    app_role = database_roles["app"]["USER"]
    privileges = "SELECT has_table_privilege(%s, %s)"
    try:
        owner.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{app_role}"')
        owner.execute(f'GRANT ALL ON {LEDGER} TO "{app_role}"')  # too much, by mistake
        assert one(app, privileges, ["catalog_product", "SELECT"]) is False
        assert one(app, privileges, [LEDGER, "DELETE"]) is True
    finally:
        call_command("migrate", verbosity=0)  # nothing to apply: its post_migrate grants, as the owner
        # migrate empties the content-type cache; the next test's restore of the migrated rows
        # would otherwise make content types afresh before restoring them (duplicates).
        ContentType.objects.get_for_models(*apps.get_models(), for_concrete_models=False)

    for table in (LEDGER, AUDIT):
        assert [one(app, privileges, [table, p]) for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")] == [
            True,
            True,
            False,
            False,
            False,
        ]
    assert all(one(app, privileges, ["catalog_product", p]) for p in ("SELECT", "INSERT", "UPDATE", "DELETE"))
    with connection.cursor() as cursor:  # Django's connection is the application's again
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == app_role


# --- any PostgreSQL: one role or two ----------------------------------------------------------------------------------


@pytest.fixture
def table_owner():
    """Signed in as the tables' owner: DATABASE_OWNER_URL's role, or with one role DATABASE_URL's."""
    with connect(owner_credentials() or app_credentials()) as conn:
        yield conn


@pytest.mark.parametrize("table", TABLES)
def test_set_local_no_longer_lets_a_delete_through(table_owner, rows, table):
    before = count(table_owner, table)
    with pytest.raises(errors.RaiseException, match="append-only"), table_owner.transaction():
        table_owner.execute("SET LOCAL marketplace.audit_purge = 'on'")
        table_owner.execute(f"DELETE FROM {table}")
    assert count(table_owner, table) == before


def test_the_demo_reset_wipes_ledger_and_audit_rows_as_the_owner(table_owner):
    out = io.StringIO()
    call_command("load_demo", "--no-images", stdout=out)
    before = {t: (count(table_owner, t), one(table_owner, f"SELECT max(id) FROM {t}")) for t in TABLES}
    assert all(n > 0 for n, _ in before.values())

    call_command("load_demo", "--no-images", "--reset", stdout=out)

    assert "demo content wiped" in out.getvalue()
    for table, (n, last_id) in before.items():
        # Rebuilt from the same seed: as many rows as before, every one of them new.
        assert count(table_owner, table) == n
        assert one(table_owner, f"SELECT min(id) FROM {table}") > last_id
    with connection.cursor() as cursor:  # the reset signed back in as before
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == app_credentials()["USER"]
