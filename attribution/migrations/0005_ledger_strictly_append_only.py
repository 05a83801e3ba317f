"""No session setting lets an UPDATE or DELETE of the ledger through any more: migration
0003's ``SET LOCAL marketplace.audit_purge`` switch could be set by any session. TRUNCATE,
which passes row triggers, is refused to anybody but the table's owner; the application's
role holds neither DELETE nor TRUNCATE on the table at all (``core/db_roles.py``). The demo
reset, signed in as the owner, deletes inside ``core.append_only.purging``."""

from django.db import migrations

from core.append_only import strict_append_only


class Migration(migrations.Migration):
    dependencies = [("attribution", "0004_statement_lookup_counter")]
    operations = [
        strict_append_only(
            "attribution_ledgerentry",
            function="attribution_ledger_append_only",
            trigger="attribution_ledger_append_only_trigger",
            what="attribution ledger",
        )
    ]
