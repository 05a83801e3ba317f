import time

from django.core.management.base import BaseCommand, CommandError

from search.backends import SearchBackendError
from search.backends.elasticsearch import alias_name, rebuild_index
from search.indexing import elasticsearch_enabled, rebuild_database_index


class Command(BaseCommand):
    help = (
        "重建商品搜索索引：数据库索引；配置了 Elasticsearch 时另建新索引并切换别名。"
        " Rebuild the product search index: the database entries and, with ELASTICSEARCH_URL"
        " set, a new Elasticsearch index that the alias then points to (search stays up)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="每批件数 products per batch")
        parser.add_argument(
            "--backend",
            choices=["all", "database", "elasticsearch"],
            default="all",
            help="重建哪个索引 which index to rebuild: all (default: the database, and Elasticsearch if configured),"
            " database, elasticsearch",
        )

    def handle(self, *args, batch_size, backend, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if backend == "elasticsearch" and not elasticsearch_enabled():
            raise CommandError("ELASTICSEARCH_URL is not set: there is no Elasticsearch index to rebuild")
        if backend in ("all", "database"):
            started = time.monotonic()
            count = rebuild_database_index(progress=verbosity > 0, batch_size=batch_size)
            if verbosity:
                self.stdout.write(f"数据库索引 database index: {count} entries in {time.monotonic() - started:.1f}s")
        if backend in ("all", "elasticsearch") and elasticsearch_enabled():
            started = time.monotonic()
            try:
                name, indexed = rebuild_index(progress=verbosity > 0, batch_size=batch_size)
            except SearchBackendError as exc:
                raise CommandError(f"Elasticsearch index not rebuilt, the alias is unchanged: {exc}") from exc
            if verbosity:
                self.stdout.write(
                    f"Elasticsearch: {indexed} documents into {name}, alias {alias_name()} switched to it, "
                    f"in {time.monotonic() - started:.1f}s"
                )
        if verbosity:
            self.stdout.write(self.style.SUCCESS("搜索索引已重建 search index rebuilt"))
