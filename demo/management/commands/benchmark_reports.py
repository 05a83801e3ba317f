import os
import platform
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from attribution.models import LedgerEntry
from core.models import User
from reports.access import report_jurisdiction
from reports.filters import parse_filters
from reports.models import DERIVED_MODELS, Grain, SalesSummary
from reports.selectors import build_report


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[max(0, int(round(q * len(sorted_values))) - 1)]


class Command(BaseCommand):
    help = (
        "测量报表响应时间（市级年度报表与区县下钻，完整页面经 Django 测试客户端）并写入"
        " benchmarks/results/reports-<数据库>.txt。Measure the city-level yearly dashboard and the county"
        " drill-down, whole pages through Django's test client (after load_scale_sales)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30, help="每项测量次数 measured requests per scenario")
        parser.add_argument("--warmup", type=int, default=3, help="预热次数 requests not measured")
        parser.add_argument("--user", default="officer-heze", help="市级干部账号 a city officer's username")
        parser.add_argument("--county", default="371722", help="下钻的区县代码 county to drill down to")
        parser.add_argument("--year", type=int, default=0, help="年度 year (default: the latest year with sales)")
        parser.add_argument("--output", default="", help="结果文件 (default benchmarks/results/reports-<vendor>.txt)")

    def handle(self, *args, runs, warmup, user, county, year, output, verbosity, **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1")
        officer = User.objects.filter(username=user).first()
        if officer is None:
            raise CommandError(f"no user {user!r}: run load_demo first")
        city = report_jurisdiction(officer)
        if not year:
            latest = SalesSummary.objects.filter(grain=Grain.DAY).order_by("-day").values_list("day", flat=True).first()
            year = latest.year if latest else timezone.localdate().year
        village = (
            SalesSummary.objects.filter(grain=Grain.YEAR, region_code__startswith=county, day__year=year)
            .order_by("-sales_fen")
            .values_list("region_code", flat=True)
            .first()
        )
        base = {"period": "year", "date": f"{year}-01-01"}
        scenarios = [
            ("city yearly dashboard", "/admin/reports/", base),
            ("county drill-down", "/admin/reports/", {**base, "region": county}),
            ("village drill-down", "/admin/reports/", {**base, "region": village or county}),
            ("JSON endpoint, city year", "/api/reports/", base),
            ("XLSX workbook, county year", "/admin/reports/export/report.xlsx", {**base, "region": county}),
        ]
        lines = [
            "benchmark_reports: whole responses through Django's test client (session, middleware, every query,",
            "template or export), DEBUG off; the selectors alone are timed separately below.",
            f"database: {connection.vendor} {getattr(connection, 'pg_version', '') or ''}".rstrip(),
            f"machine: {os.cpu_count()} cores, {_cpu()}, Python {platform.python_version()}",
            f"ledger entries: {LedgerEntry.objects.count()}",
            "summary rows: " + ", ".join(f"{m._meta.model_name} {m.objects.count()}" for m in DERIVED_MODELS),
            f"viewer: {user} (jurisdiction {city}), year {year}, {runs} runs after {warmup} warm-up",
            "",
        ]
        client = Client()
        client.force_login(officer)
        results = {}
        # DEBUG off as in production (no query log, no template debug information).
        with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            for label, url, params in scenarios:
                for _ in range(warmup):
                    self._get(client, url, params)
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as queries:
                    self._get(client, url, params)
                query_count = len(queries)  # now: the next request's start clears the log
                timings = []
                for _ in range(runs):
                    started = time.perf_counter()
                    self._get(client, url, params)
                    timings.append((time.perf_counter() - started) * 1000)
                timings.sort()
                results[label] = timings
                region = params.get("region", city)
                lines.append(
                    f"{label} (region {region}): p50 {statistics.median(timings):.1f} ms, "
                    f"p95 {_percentile(timings, 0.95):.1f} ms, max {timings[-1]:.1f} ms, {query_count} queries"
                )
                if verbosity:
                    self.stdout.write(lines[-1])
        selector_times = []
        filters = parse_filters({**base}, city)
        for _ in range(runs):
            started = time.perf_counter()
            build_report(filters)
            selector_times.append((time.perf_counter() - started) * 1000)
        selector_times.sort()
        lines += [
            "",
            f"selectors only (build_report), city year: p50 {statistics.median(selector_times):.1f} ms, "
            f"p95 {_percentile(selector_times, 0.95):.1f} ms, max {selector_times[-1]:.1f} ms",
            f"measured {timezone.localtime():%Y-%m-%d %H:%M %Z}",
        ]
        path = (
            Path(output)
            if output
            else settings.BASE_DIR / "benchmarks" / "results" / f"reports-{connection.vendor}.txt"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        if verbosity:
            self.stdout.write(lines[-2])
            self.stdout.write(self.style.SUCCESS(f"written to {path}"))

    def _get(self, client, url, params):
        response = client.get(url, params)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
        if response.streaming:
            b"".join(response.streaming_content)
        return response
