"""The audit trigger lets one deliberate path through: a transaction that has run
``SET LOCAL marketplace.audit_purge = 'on'`` (only maintenance.purge_for_products does,
for rebuilding demo data) may delete rows. Updates stay refused always. Unlike
disabling the trigger, this works inside a transaction that has just written rows."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION certification_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('marketplace.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'certification audit trail is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""
BACKWARD = """
CREATE OR REPLACE FUNCTION certification_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'certification audit trail is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("certification", "0002_audit_trail_append_only")]
    operations = [migrations.RunPython(forward, backward)]
