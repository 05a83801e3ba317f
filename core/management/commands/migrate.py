"""``migrate``, signed in as the tables' owner (``DATABASE_OWNER_URL``) when there are two
roles: the owner makes the tables, and its post_migrate step grants the application's role
what it may do (``core/db_roles.py``). With one role, Django's own."""

from django.core.management.commands import migrate

from core.db_roles import as_owner


class Command(migrate.Command):
    def handle(self, *args, **options):
        with as_owner(options["database"]):
            return super().handle(*args, **options)
