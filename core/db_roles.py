"""Two database roles on PostgreSQL, so that the append-only tables are append-only for
the application itself, whatever SQL it sends.

The application signs in as ``DATABASE_URL``'s role. It is neither superuser nor owner of
any table: it may read and add rows to the append-only tables (``core/append_only.py``:
the attribution ledger and the certification audit trail) but holds no UPDATE, DELETE or
TRUNCATE on them, and uses every other table as usual. The role that owns the tables,
``DATABASE_OWNER_URL``, runs what only an owner may: ``migrate``, ``flush`` (which the test
suite's transactional tests run after each test) and ``load_demo --reset``. (Only an owner
may ``ANALYZE`` a table: the application's ``ANALYZE`` after ``search_reindex`` and
``load_scale_sales`` is skipped by PostgreSQL with a warning and autovacuum analyzes later;
run those with ``DATABASE_URL`` set to the owner's URL for fresh statistics at once.)

How the two connect: one Django connection, ``default``, whose sign-in ``as_owner()``
switches for the work it encloses. It closes the connection, puts the owner's user,
password, host, port and options into its settings (the database name stays, so a test
database follows), and puts the application's back afterwards. Not a second database
alias, because

- data migrations (Wagtail's and ours) and post_migrate handlers write through the
  ``default`` alias: ``migrate --database owner`` would run half of them as the application;
- a database router cannot send raw SQL, ``transaction.atomic()`` or Django's flush
  anywhere else than ``default``;
- Django's test runner creates one test database per alias, ``default`` first, signed in as
  that alias, and its test cases refuse queries to an alias a test does not declare.

The switch is process-wide (connections opened by other threads use the new settings too):
it is for management commands and the test suite's set-up and flushes, never for serving
requests. It is refused inside a transaction, which the work could not join. Without
``DATABASE_OWNER_URL`` (SQLite, or one role doing everything) ``as_owner()`` does nothing.

After every ``migrate`` (post_migrate, signed in as the owner) ``grant_app_role`` gives the
application's role its privileges: all of them on every table and sequence, then UPDATE,
DELETE and TRUNCATE on the append-only tables taken back, in one transaction. No default
privileges (``ALTER DEFAULT PRIVILEGES``): they would give a table made later UPDATE and
DELETE until revoked, an append-only one too; the grants follow each migrate instead, and
a table made outside migrate stays closed to the application, which fails loudly."""

from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import gettext

from .append_only import append_only_tables

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")

# The sign-ins as_owner() has put aside, outermost first: [0] is the application's.
_displaced: list[dict] = []


class RoleSwitchRefused(RuntimeError):
    """The owner's work was asked for inside a transaction of the application's role."""


def owner_credentials() -> dict:
    """The owner's user, password, host, port and options (``DATABASE_OWNER_URL``); empty
    when unset."""
    owner = getattr(settings, "DATABASE_OWNER", None) or {}
    if not owner:
        return {}
    return {key: owner.get(key, {} if key == "OPTIONS" else "") for key in CREDENTIALS}


def _signed_in(connection) -> dict:
    return {key: connection.settings_dict.get(key, {} if key == "OPTIONS" else "") for key in CREDENTIALS}


def _sign_in(connection, credentials: dict) -> None:
    connection.close()
    connection.settings_dict.update(credentials)


def app_credentials() -> dict:
    """The application's sign-in (``DATABASE_URL``), also while ``as_owner()`` has switched."""
    return dict(_displaced[0]) if _displaced else _signed_in(connections[DEFAULT_DB_ALIAS])


def two_roles() -> bool:
    """Whether the application and the owner are different roles (``DATABASE_OWNER_URL`` set,
    naming another user than ``DATABASE_URL``)."""
    owner = owner_credentials()
    return bool(owner) and owner["USER"] != app_credentials()["USER"]


def signed_in_as_owner(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the connection is signed in as the owner of two roles (inside ``as_owner()``)."""
    return two_roles() and _signed_in(connections[using]) == owner_credentials()


@contextmanager
def as_owner(using: str = DEFAULT_DB_ALIAS):
    """Do the enclosed work signed in as the tables' owner, then sign back in as before.

    Does nothing with one role (no ``DATABASE_OWNER_URL``), for another alias than
    ``default``, or when already signed in as the owner. Refused inside a transaction."""
    owner = owner_credentials()
    connection = connections[using]
    if using != DEFAULT_DB_ALIAS or not owner or _signed_in(connection) == owner:
        yield
        return
    if connection.in_atomic_block:
        raise RoleSwitchRefused(
            gettext("此操作须以数据表所有者（DATABASE_OWNER_URL）身份执行，不能在应用角色已开启的事务中进行。")
        )
    _displaced.append(_signed_in(connection))
    _sign_in(connection, owner)
    try:
        yield
    finally:
        _sign_in(connection, _displaced.pop())


def grant_app_role(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate: the application's role may use every table and sequence, and only read
    and add to the append-only tables. Runs when signed in as the owner of two roles on
    PostgreSQL (``migrate`` is); idempotent."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not signed_in_as_owner(using):
        return
    quote = connection.ops.quote_name
    app = quote(app_credentials()["USER"])
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = quote(cursor.fetchone()[0])
        existing = set(connection.introspection.table_names(cursor))
        protected = [quote(table) for table in append_only_tables() if table in existing]
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {app}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {schema} TO {app}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {app}")
        if protected:
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(protected)} FROM {app}")
