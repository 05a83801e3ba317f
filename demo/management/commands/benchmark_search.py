import os
import random
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from catalog.models import Product
from search.selectors import search_products

# What buyers type: Chinese words, region + product, pinyin, initials, synonyms, and
# queries with filters and sorts.
QUERIES = [
    ("山药", {}),
    ("牡丹", {}),
    ("shanyao", {}),
    ("sy", {}),
    ("单县山药", {}),
    ("芦笋", {"sort": "price_asc"}),
    ("淮山", {}),
    ("阿胶", {"sort": "best_selling"}),
    ("核桃", {"in_stock": True}),
    ("小米", {"price_band": "20-50"}),
    ("石榴", {"region_code": "370404"}),
    ("mudan", {}),
    ("礼盒装", {"sort": "newest"}),
    ("菏泽", {"page": 3}),
    ("苗绣", {}),
    ("柳编", {"producer_kind": "cooperative"}),
    ("手工", {}),
    ("hetao", {}),
    ("东阿阿胶", {}),
    ("樱桃", {}),
]


class Command(BaseCommand):
    help = (
        "测量商品搜索延迟（p50/p95）并写入 benchmarks/results/search-<数据库>.txt。"
        " Measure product search latency over the current data (e.g. after load_demo --products 100000)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--queries", type=int, default=200, help="查询次数 number of searches (default 200)")
        parser.add_argument("--warmup", type=int, default=20, help="预热次数 searches not measured")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--output", default="", help="结果文件 results file (default benchmarks/results/search-<vendor>.txt)"
        )

    def handle(self, *args, queries, warmup, seed, output, verbosity, **options):
        if queries < 1:
            raise CommandError("--queries must be at least 1")
        rng = random.Random(seed)
        # On a shared machine other work slows every figure down: say how busy it was.
        load_before = os.getloadavg()[0]
        products = Product.objects.count()
        listed = Product.objects.listed().count()
        for _ in range(warmup):
            query, kwargs = rng.choice(QUERIES)
            search_products(query, **kwargs)
        timings: list[float] = []
        per_query: dict[str, list[float]] = {}
        hits: dict[str, int] = {}
        for _ in range(queries):
            query, kwargs = rng.choice(QUERIES)
            started = time.perf_counter()
            results = search_products(query, **kwargs)
            list(results.page.object_list) if results.page else None
            elapsed = (time.perf_counter() - started) * 1000
            timings.append(elapsed)
            label = query + ("" if not kwargs else " " + " ".join(f"{k}={v}" for k, v in kwargs.items()))
            per_query.setdefault(label, []).append(elapsed)
            hits[label] = results.count
        load_after = os.getloadavg()[0]
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
        version = connection.pg_version if connection.vendor == "postgresql" else ""
        backend = "elasticsearch" if settings.ELASTICSEARCH_URL else "database"
        lines = [
            "benchmark_search: search_products() end to end (match, facets, page of cards)",
            f"database: {connection.vendor} {version}".rstrip(),
            f"backend: {backend}",
            f"products: {products} ({listed} listed)",
            f"searches: {queries} (after {warmup} warm-up), seed {seed}",
            f"machine: {os.cpu_count()} CPUs, load average {load_before:.2f} before, {load_after:.2f} after",
            f"p50: {p50:.1f} ms",
            f"p95: {p95:.1f} ms",
            f"max: {timings[-1]:.1f} ms",
            "",
            "per query (median ms, results):",
        ]
        for label in sorted(per_query):
            lines.append(f"  {label}: {statistics.median(per_query[label]):.1f} ms, {hits[label]} results")
        text = "\n".join(lines) + "\n"
        path = (
            Path(output)
            if output
            else Path(settings.BASE_DIR) / "benchmarks" / "results" / f"search-{connection.vendor}.txt"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if verbosity:
            self.stdout.write(text)
            self.stdout.write(self.style.SUCCESS(f"written to {path}"))
