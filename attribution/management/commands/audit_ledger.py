import sys

from django.core.management.base import BaseCommand

from attribution.audit import audit_ledger


class Command(BaseCommand):
    help = (
        "核对收益台账与订单、收款、退款是否一致，列出每处差异；有差异时退出码为 1。"
        " Reconcile the attribution ledger against orders, payments and refunds; exit 1 on any discrepancy."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="最多列出的差异条数 list at most N discrepancies")

    def handle(self, *args, limit, **options):
        report = audit_ledger()
        for discrepancy in report.discrepancies[:limit]:
            self.stdout.write(f"  {discrepancy}")
        if len(report.discrepancies) > limit:
            self.stdout.write(
                f"  …另有 {len(report.discrepancies) - limit} 处 and {len(report.discrepancies) - limit} more"
            )
        summary = (
            f"核对 checked {report.entries} ledger entries, {report.lines} order lines, {report.orders} orders "
            f"in {report.seconds:.2f} s: {len(report.discrepancies)} discrepancies"
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS(summary))
            return
        self.stderr.write(self.style.ERROR(summary))
        sys.exit(1)
