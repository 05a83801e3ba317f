import time

from django.core.management.base import BaseCommand

from search.indexing import elasticsearch_enabled, rebuild_database_index


class Command(BaseCommand):
    help = (
        "重建商品搜索索引（数据库；配置了 Elasticsearch 时另建新索引并切换别名）。"
        " Rebuild the product search index: the database entries, and with ELASTICSEARCH_URL"
        " set a new Elasticsearch index that the alias then points to."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="每批件数 products per batch")
        parser.add_argument(
            "--database-only", action="store_true", help="只重建数据库索引 skip Elasticsearch even if configured"
        )

    def handle(self, *args, batch_size, database_only, verbosity, **options):
        started = time.monotonic()
        count = rebuild_database_index(progress=verbosity > 0, batch_size=batch_size)
        if verbosity:
            self.stdout.write(f"数据库索引 database index: {count} entries in {time.monotonic() - started:.1f}s")
        if elasticsearch_enabled() and not database_only:
            from search.backends.elasticsearch import rebuild_index

            started = time.monotonic()
            name, indexed = rebuild_index(progress=verbosity > 0, batch_size=batch_size)
            if verbosity:
                self.stdout.write(
                    f"Elasticsearch: {indexed} documents into {name}, alias switched, "
                    f"in {time.monotonic() - started:.1f}s"
                )
        if verbosity:
            self.stdout.write(self.style.SUCCESS("搜索索引已重建 search index rebuilt"))
