"""Append-only tables: rows are added and read, never changed or removed.

A model declares ``append_only = True`` (``attribution.LedgerEntry``,
``certification.TransitionRecord``); its query set refuses ``update()`` and ``delete()``
and its ``save()``/``delete()`` refuse changes. On PostgreSQL the database refuses them
too, three ways:

- privileges: the application's role (``DATABASE_URL``) holds SELECT and INSERT on these
  tables and nothing else (``core/db_roles.py``, after every migrate);
- a row trigger, ``append_only_row``, that refuses every UPDATE and DELETE, whoever asks
  and whatever the session has set (``strict_append_only``, migrations that came after
  ``append_only_trigger``, whose ``SET LOCAL marketplace.audit_purge`` switch is gone);
- a statement trigger, ``append_only_truncate``, that refuses TRUNCATE to anybody but the
  table's owner (the owner empties every table in the test suite's flushes).

The one deliberate removal is ``load_demo --reset``, signed in as the owner: inside
``purging(...)`` the owner switches the row trigger off for its own transaction. SQLite,
the single-machine default, relies on the models' refusal."""

from contextlib import contextmanager

from django.apps import apps
from django.db import connection, migrations, transaction

ROW_TRIGGER = "append_only_row"
TRUNCATE_TRIGGER = "append_only_truncate"


def append_only_tables() -> list[str]:
    """The tables of the models that declare ``append_only = True``."""
    return sorted(m._meta.db_table for m in apps.get_models() if getattr(m, "append_only", False))


# --- first version (attribution 0003, certification 0002/0003): DELETE let through by a session setting ----------


def _switchable_function_sql(name: str, what: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('marketplace.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{what} is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def _forward_sql(table: str, name: str, what: str) -> str:
    return (
        _switchable_function_sql(name, what)
        + f"""CREATE TRIGGER {name}_trigger BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {name}();
"""
    )


def append_only_trigger(table: str, name: str, what: str) -> migrations.RunPython:
    """As landed in attribution 0003 (superseded by ``strict_append_only``): a row trigger
    ``<name>_trigger`` refusing UPDATE always and DELETE unless the transaction has run
    ``SET LOCAL marketplace.audit_purge = 'on'`` (PostgreSQL only)."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_forward_sql(table, name, what), params=None)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {name}_trigger ON {table}; DROP FUNCTION IF EXISTS {name}();", params=None
            )

    return migrations.RunPython(forward, backward)


# --- now: no session setting helps; TRUNCATE for the owner only ------------------------------------------------------


def _strict_sql(table: str, function: str, trigger: str, what: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{what} is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
ALTER TRIGGER {trigger} ON {table} RENAME TO {ROW_TRIGGER};
CREATE FUNCTION {function}_truncate() RETURNS trigger AS $$
BEGIN
    IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RAISE EXCEPTION '{what} is append-only (TRUNCATE refused to %)', current_user;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {function}_truncate();
"""


def _switchable_again_sql(table: str, function: str, trigger: str, what: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {table};
DROP FUNCTION IF EXISTS {function}_truncate();
ALTER TRIGGER {ROW_TRIGGER} ON {table} RENAME TO {trigger};
{_switchable_function_sql(function, what)}"""


def strict_append_only(table: str, function: str, trigger: str, what: str) -> migrations.RunPython:
    """A migration operation (PostgreSQL only) for a table whose row trigger ``trigger``
    calls ``function`` with the first version's switch: the function now refuses every
    UPDATE and DELETE, the trigger is renamed ``append_only_row`` (what ``purging`` switches
    off), and a statement trigger ``append_only_truncate`` refuses TRUNCATE to anybody but
    the table's owner (and members of the owning role)."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_strict_sql(table, function, trigger, what), params=None)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_switchable_again_sql(table, function, trigger, what), params=None)

    return migrations.RunPython(forward, backward)


# --- the one deliberate removal ---------------------------------------------------------------------------------------


def _switch_row_triggers(tables: tuple[str, ...], action: str) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # PostgreSQL refuses to alter a table with trigger events pending in this transaction
        # (the deferred foreign-key checks of rows written or deleted earlier): run them now,
        # then defer again (every deferrable constraint here is initially deferred).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {quote(table)} {action} TRIGGER {ROW_TRIGGER}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def purging(*tables: str):
    """Let the enclosed work delete rows of these append-only tables (``load_demo --reset``
    only). On PostgreSQL the table owner switches their row trigger off and on again within
    a transaction of its own (a savepoint when nested), so no other session ever finds it
    off, and an error anywhere undoes the switch with the rest; any other role is refused
    ("must be owner of table"). Elsewhere this does nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        _switch_row_triggers(tables, "DISABLE")
        yield
        _switch_row_triggers(tables, "ENABLE")
