import sys
import time

from django.core.management.base import BaseCommand

from reports.services import rebuild_summaries, summary_differences


class Command(BaseCommand):
    help = (
        "Rebuild the report summary tables (报表汇总表) from the attribution ledger;"
        " --check compares only (exit 1 on differences)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare with the ledger, change nothing")
        parser.add_argument("--limit", type=int, default=50, help="list at most N differences")

    def handle(self, *args, check, limit, verbosity, **options):
        started = time.monotonic()
        if check:
            found = summary_differences(limit=limit)
            for line in found:
                self.stdout.write(f"  {line}")
            summary = (
                f"{len(found)}{'+' if len(found) >= limit else ''} differences in {time.monotonic() - started:.1f}s"
            )
            if found:
                self.stderr.write(self.style.ERROR(summary))
                sys.exit(1)
            self.stdout.write(self.style.SUCCESS("summaries agree with the ledger: " + summary))
            return
        written = rebuild_summaries(progress=self._progress if verbosity > 1 else None)
        for name, count in written.items():
            self.stdout.write(f"  {name}: {count} rows")
        self.stdout.write(self.style.SUCCESS(f"rebuilt in {time.monotonic() - started:.1f}s"))

    def _progress(self, model, count):
        self.stdout.write(f"    {model._meta.model_name}: {count}")
