"""On PostgreSQL the ledger refuses UPDATE and DELETE at the database itself, so no code
path (raw SQL, a queryset .update()) can rewrite where money went. UPDATE is refused
always; DELETE only inside a transaction that ran ``SET LOCAL marketplace.audit_purge =
'on'`` (``attribution.maintenance.purge_orders``, used only by ``load_demo --reset``).
SQLite, the single-machine default, relies on the model's and query set's refusal."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION attribution_ledger_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('marketplace.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'attribution ledger is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER attribution_ledger_no_update_delete
    BEFORE UPDATE OR DELETE ON attribution_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION attribution_ledger_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS attribution_ledger_no_update_delete ON attribution_ledgerentry;
DROP FUNCTION IF EXISTS attribution_ledger_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("attribution", "0002_initial")]
    operations = [migrations.RunPython(forward, backward)]
