import time

from django.core.management.base import BaseCommand, CommandError

from demo.scale_sales import DAYS, load_scale_sales


class Command(BaseCommand):
    help = (
        "批量载入两年的销售、退款和收益台账（菏泽、枣庄、聊城的演示网店），并重建报表汇总表。"
        " Bulk-load two years of sales, refunds and their ledger entries for the demo shops of three cities"
        " (run load_demo first; load_demo --products N for a bigger catalogue), then rebuild the report summaries."
    )

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, default=1_000_000, help="至少写入的台账记录数 (default %(default)s)")
        parser.add_argument("--seed", type=int, default=1, help="随机种子 random seed")
        parser.add_argument("--days", type=int, default=DAYS, help="天数，截至昨天 days of sales up to yesterday")

    def handle(self, *args, entries, seed, days, verbosity, **options):
        if entries < 1 or days < 1:
            raise CommandError("--entries and --days must be positive")
        started = time.monotonic()
        result = load_scale_sales(
            entries,
            seed=seed,
            days=days,
            progress=verbosity > 0,
            log=self.stdout.write if verbosity else (lambda m: None),
        )
        if verbosity:
            for table, rows in result.summary_rows.items():
                self.stdout.write(f"  {table}: {rows} rows")
            self.stdout.write(
                self.style.SUCCESS(
                    f"载入 loaded {result.entries} ledger entries ({result.orders} orders, {result.lines} lines, "
                    f"{result.refunds} refunds, {result.events} live events, {result.units} budget units) "
                    f"from {result.start} to {result.end}: inserts {result.seconds:.1f}s, "
                    f"summaries {result.summary_seconds:.1f}s, total {time.monotonic() - started:.1f}s"
                )
            )
