"""``flush``, signed in as the tables' owner (``DATABASE_OWNER_URL``) when there are two
roles: emptying every table includes the append-only ones, which the application's role may
not TRUNCATE. The test suite's transactional tests end with this command. With one role,
Django's own."""

from django.core.management.commands import flush

from core.db_roles import as_owner


class Command(flush.Command):
    def handle(self, **options):
        with as_owner(options["database"]):
            return super().handle(**options)
