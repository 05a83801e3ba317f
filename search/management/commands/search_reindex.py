import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from search.backends import SearchBackendError
from search.backends.elasticsearch import alias_name, rebuild_index
from search.indexing import elasticsearch_enabled, index_changed, rebuild_database_index


class Command(BaseCommand):
    help = _("重建商品搜索索引：数据库索引；配置了 Elasticsearch 时另建新索引并切换别名（切换期间搜索照常可用）。")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help=_("每批件数"))
        parser.add_argument(
            "--backend",
            choices=["all", "database", "elasticsearch"],
            default="all",
            help=_("重建哪个索引：all（默认：数据库索引，配置了 Elasticsearch 时也重建它）、database、elasticsearch"),
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
                self.stdout.write(
                    gettext("数据库索引：%(count)s 条，用时 %(seconds).1f 秒")
                    % {"count": count, "seconds": time.monotonic() - started}
                )
        if backend in ("all", "elasticsearch") and elasticsearch_enabled():
            started = time.monotonic()
            try:
                name, indexed = rebuild_index(progress=verbosity > 0, batch_size=batch_size)
            except SearchBackendError as exc:
                raise CommandError(f"Elasticsearch index not rebuilt, the alias is unchanged: {exc}") from exc
            index_changed()
            if verbosity:
                self.stdout.write(
                    f"Elasticsearch: {indexed} documents into {name}, alias {alias_name()} switched to it, "
                    f"in {time.monotonic() - started:.1f}s"
                )
        if verbosity:
            self.stdout.write(self.style.SUCCESS(gettext("搜索索引已重建")))
