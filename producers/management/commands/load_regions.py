from django.core.management.base import BaseCommand, CommandError

from producers.models import Region
from producers.regions import DEFAULT_PROVINCES, load_regions


class Command(BaseCommand):
    help = (
        "载入官方行政区划（省、市、县、乡四级），可重复运行。"
        " Load the official region tree (province, city, county, township); safe to run again."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--provinces",
            default=",".join(DEFAULT_PROVINCES),
            help="逗号分隔的省级代码 comma-separated 2-digit province codes (default: %(default)s)",
        )
        group.add_argument("--all", action="store_true", help="全部省份 every province")

    def handle(self, *args, **options):
        provinces = None if options["all"] else [p for p in options["provinces"].split(",") if p.strip()]
        try:
            counts = load_regions(provinces)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        labels = dict(Region.Level.choices)
        for level, c in counts.items():
            self.stdout.write(
                f"{labels[level]}: {c.total} ({c.created} created, {c.updated} updated, {c.unchanged} unchanged)"
            )
        created = sum(c.created for c in counts.values())
        self.stdout.write(self.style.SUCCESS(f"行政区划已载入 regions loaded: {created} created"))
