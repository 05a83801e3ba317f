"""On PostgreSQL the audit trail refuses UPDATE and DELETE at the database itself, so
no code path (raw SQL, a queryset .update()) can rewrite history. SQLite, the
single-machine default, relies on the model's refusal."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION certification_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'certification audit trail is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER certification_audit_no_update_delete
    BEFORE UPDATE OR DELETE ON certification_transitionrecord
    FOR EACH ROW EXECUTE FUNCTION certification_audit_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS certification_audit_no_update_delete ON certification_transitionrecord;
DROP FUNCTION IF EXISTS certification_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
