"""The live events page moved to cms (``cms/migrations/0002_liveindexpage_from_live.py``
renamed its table and relabelled its content type): drop it from live's state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0002_liveindexpage_from_live"),
        ("live", "0002_event_pages_tokens_samples"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="LiveIndexPage")],
        ),
    ]
