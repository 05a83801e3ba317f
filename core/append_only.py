"""Append-only tables at the database: a PostgreSQL trigger that refuses UPDATE always and
DELETE unless the transaction has run ``SET LOCAL marketplace.audit_purge = 'on'`` (the
one deliberate purge path, ``load_demo --reset``). Used by migrations; SQLite, the
single-machine default, relies on the models' own refusal.

``purge_switch(cursor)`` is the context in which such a purge runs."""

from contextlib import contextmanager

from django.db import migrations


def _forward_sql(table: str, name: str, what: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('marketplace.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{what} is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name}_trigger BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {name}();
"""


def append_only_trigger(table: str, name: str, what: str) -> migrations.RunPython:
    """A migration operation installing the trigger on ``table`` (PostgreSQL only)."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_forward_sql(table, name, what), params=None)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {name}_trigger ON {table}; DROP FUNCTION IF EXISTS {name}();", params=None
            )

    return migrations.RunPython(forward, backward)


@contextmanager
def purge_switch(cursor):
    """Let this transaction delete rows of append-only tables (PostgreSQL), then stop."""
    from django.db import connection

    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL marketplace.audit_purge = 'on'")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL marketplace.audit_purge = 'off'")
