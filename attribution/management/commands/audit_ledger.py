import sys

from django.core.management.base import BaseCommand

from attribution.audit import audit_ledger


class Command(BaseCommand):
    help = (
        "Reconcile the attribution ledger (收益台账) against orders, payments and refunds and list every"
        " discrepancy; exit 1 on any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="list at most N discrepancies")

    def handle(self, *args, limit, **options):
        report = audit_ledger()
        for discrepancy in report.discrepancies[:limit]:
            self.stdout.write(f"  {discrepancy}")
        if len(report.discrepancies) > limit:
            self.stdout.write(f"  … and {len(report.discrepancies) - limit} more")
        summary = (
            f"checked {report.entries} ledger entries, {report.lines} order lines, {report.orders} orders "
            f"in {report.seconds:.2f} s: {len(report.discrepancies)} discrepancies"
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS(summary))
            return
        self.stderr.write(self.style.ERROR(summary))
        sys.exit(1)
