"""The ledger refuses UPDATE and DELETE at the database itself (PostgreSQL), so no code
path (raw SQL, a queryset .update()) can rewrite where money went; see
``core/append_only.py``."""

from django.db import migrations

from core.append_only import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("attribution", "0002_initial")]
    operations = [
        append_only_trigger("attribution_ledgerentry", "attribution_ledger_append_only", "attribution ledger")
    ]
