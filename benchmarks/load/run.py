"""Load test: 50 concurrent buyers against gunicorn with the production settings, on a
fresh PostgreSQL database, then checks that nothing was lost or counted twice.

    .venv/bin/python benchmarks/load/run.py [--minutes 3] [--users 50] [--workers 4]
        [--products N] [--postgres postgres://postgres@127.0.0.1:5432] [--keep]

Everything stays on 127.0.0.1 and stops by itself after --minutes. Steps:

1. create the database ``marketplace_load_<timestamp>``; ``migrate``, ``load_demo --seed 1
   [--products N]``, ``collectstatic``; files under ``var/load/<database>/``;
2. gunicorn (``marketplace.wsgi``, --workers processes) with ``marketplace.settings.production``
   on a free loopback port (plain HTTP: secure cookies off, no HSTS);
3. locust, headless: --users buyers (benchmarks/load/locustfile.py) browse, cart and check
   out by bank transfer for --minutes; meanwhile the platform administrator records the
   transfer of a placed order every --pay-every seconds through
   ``payments.services.record_transfer_receipt`` (lines paid, ledger entries, summaries);
4. checks: 0 server errors (locust failures and the log's "Internal Server Error");
   for every product stock + reserved + sold is what it was before the run (reserved = the
   quantities of its lines in orders awaiting payment, sold = ``units_sold``); every
   "placed" answer has its order; ``audit_ledger`` and ``rebuild_report_summaries --check``
   clean;
5. figures (requests, failures, throughput, p50/p95 per page type, checkouts placed,
   orders paid) printed and written to benchmarks/results/load-postgresql.txt (--results).

Exit status 1 when a check fails. The database and files are dropped unless --keep."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(sys.executable).parent
SEARCH_WORDS = ["山药", "阿胶", "牡丹", "小米", "香菇", "shanyao", "sy", "蜂蜜", "手工", "菏泽"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3, help="how long the buyers run (default 3)")
    parser.add_argument("--users", type=int, default=50, help="concurrent buyers (default 50)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="buyers started per second (default 10)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--products", type=int, default=0, help="load_demo --products N (default 0: the demo)")
    parser.add_argument("--pay-every", type=float, default=2.0, help="seconds between recorded transfers (0: none)")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server")
    parser.add_argument("--results", default=str(ROOT / "benchmarks/results/load-postgresql.txt"))
    parser.add_argument("--keep", action="store_true", help="keep the database and its files afterwards")
    return parser.parse_args()


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args], cwd=ROOT, check=check, capture_output=True, text=True
    )


def last_line(done: subprocess.CompletedProcess) -> str:
    text = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return text[-1] if text else ""


def admin_sql(server: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(statement)


# --- what the buyers visit, and what must not change -------------------------------------------------------------


def write_targets(path: Path) -> dict:
    from catalog.models import Category, Product
    from producers.models import Region

    products = list(Product.objects.listed().filter(stock__gt=0).order_by("pk"))
    categories = [f"/products/category/{slug}/" for slug in Category.objects.values_list("slug", flat=True)]
    counties = Region.objects.filter(level=Region.Level.COUNTY, is_official=True).select_related("parent__parent")
    targets = {
        "products": [{"id": p.pk, "url": p.get_absolute_url()} for p in products],
        "categories": categories,
        "words": SEARCH_WORDS,
        "regions": [
            {"province": c.parent.parent.code, "city": c.parent.code, "county": c.code} for c in counties[:200]
        ],
    }
    path.write_text(json.dumps(targets, ensure_ascii=False), encoding="utf-8")
    return targets


def units_per_product() -> dict[int, int]:
    """stock + reserved + sold for every product (see the module's docstring)."""
    from django.db.models import Sum

    from catalog.models import Product
    from orders.models import OrderLine, OrderStatus

    reserved = dict(
        OrderLine.objects.filter(suborder__order__status=OrderStatus.AWAITING_PAYMENT)
        .values_list("product_id")
        .annotate(units=Sum("quantity"))
        .values_list("product_id", "units")
    )
    return {
        pk: stock + reserved.get(pk, 0) + sold
        for pk, stock, sold in Product.objects.values_list("pk", "stock", "units_sold")
    }


class Payer(threading.Thread):
    """The platform administrator recording bank transfers of orders placed in the run."""

    def __init__(self, since: dt.datetime, every: float):
        super().__init__(name="payer", daemon=True)
        self.since, self.every = since, every
        self.stop = threading.Event()
        self.paid = 0
        self.errors: list[str] = []

    def run(self) -> None:
        from django.db import connections

        from core.models import User
        from orders.models import Order, OrderStatus, PaymentMethod
        from payments import services

        admin = User.objects.get(username="admin")
        try:
            while not self.stop.wait(self.every):
                waiting = Order.objects.filter(
                    created_at__gte=self.since,
                    status=OrderStatus.AWAITING_PAYMENT,
                    payment_method=PaymentMethod.TRANSFER,
                )
                pks = list(waiting.values_list("pk", flat=True)[:100])
                if not pks:
                    continue
                order = Order.objects.get(pk=random.choice(pks))
                try:
                    services.record_transfer_receipt(
                        order.pk, amount_fen=order.outstanding_fen, reference=f"LOAD-{order.number}", by=admin
                    )
                    self.paid += 1
                except Exception as exc:  # reported as a failed check
                    self.errors.append(f"{order.number}: {exc!r}")
        finally:
            connections.close_all()


# --- locust's figures --------------------------------------------------------------------------------------------


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def figures_table(rows: list[dict], seconds: float) -> list[str]:
    lines = [f"{'page':<16} {'requests':>9} {'failures':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"]
    for row in rows:
        name = "all" if row["Name"] == "Aggregated" else row["Name"]
        lines.append(
            f"{name:<16} {row['Request Count']:>9} {row['Failure Count']:>9} "
            f"{int(row['Request Count']) / seconds:>7.1f} {row['50%']:>8} {row['95%']:>8} "
            f"{float(row['Max Response Time']):>8.0f}"
        )
    return lines


def main() -> int:
    args = parse_args()
    database = f"marketplace_load_{dt.datetime.now():%Y%m%d%H%M%S}"
    var_dir = ROOT / "var" / "load" / database
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "marketplace.settings.production",
            "DATABASE_URL": f"{args.postgres}/{database}",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_COOKIES": "0",  # plain HTTP on loopback: cookies must travel without TLS
            "SECURE_HSTS_SECONDS": "0",
            "SECURE_SSL_REDIRECT": "0",  # production redirects plain HTTP to HTTPS by default
            "MARKETPLACE_VAR_DIR": str(var_dir),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",  # composed, not sent
            "LOG_LEVEL": "WARNING",
        }
    )
    for name in ("CELERY_BROKER_URL", "CACHE_URL", "ELASTICSEARCH_URL", "STRIPE_SECRET_KEY"):
        os.environ.pop(name, None)  # one machine, no services: eager tasks, local cache, database search
    load_before = os.getloadavg()
    gunicorn = None
    try:
        say(f"database {database}")
        admin_sql(args.postgres, f'CREATE DATABASE "{database}"')
        started = time.monotonic()
        manage("migrate", "--noinput")
        demo = ["load_demo", "--seed", "1", "--renditions"] + (
            ["--products", str(args.products)] if args.products else []
        )
        manage(*demo)
        manage("collectstatic", "--noinput")
        say(f"migrate, {' '.join(demo)}, collectstatic: {time.monotonic() - started:.0f} s")

        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.utils import timezone

        from orders.models import Order

        targets = write_targets(var_dir / "targets.json")
        units_before = units_per_product()
        orders_before = Order.objects.count()
        listed, categories = len(targets["products"]), len(targets["categories"])
        say(f"{listed} products in stock, {categories} categories, {orders_before} orders")

        port = free_port()
        host = f"http://127.0.0.1:{port}"
        gunicorn_log = var_dir / "gunicorn.log"
        gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "marketplace.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            + [
                "--workers",
                str(args.workers),
                "--timeout",
                "60",
                "--capture-output",
                "--error-logfile",
                str(gunicorn_log),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(host + "/", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if gunicorn.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer on {host}: see {gunicorn_log}")
            time.sleep(0.5)
        say(f"gunicorn: {args.workers} workers on {host}")

        since = timezone.now()
        payer = Payer(since, args.pay_every)
        if args.pay_every > 0:
            payer.start()
        say(f"locust: {args.users} buyers for {args.minutes:g} min")
        prefix = var_dir / "locust"
        counts_path = var_dir / "counts.json"
        run_started = time.monotonic()
        locust = subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "benchmarks/load/locustfile.py"), "--headless"]
            + [
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{int(args.minutes * 60)}s",
            ]
            + ["--host", host, "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]
            + ["--exit-code-on-error", "0"],
            cwd=ROOT,
            env={**os.environ, "LOAD_TARGETS": str(var_dir / "targets.json"), "LOAD_COUNTS": str(counts_path)},
            capture_output=True,
            text=True,
            timeout=args.minutes * 60 + 120,
        )
        seconds = time.monotonic() - run_started
        payer.stop.set()
        if payer.is_alive():
            payer.join(30)
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(30)
        gunicorn = None
        load_after = os.getloadavg()

        # --- checks --------------------------------------------------------------------------------------------
        rows = read_stats(prefix)
        total = next(row for row in rows if row["Name"] == "Aggregated")
        counts = json.loads(counts_path.read_text()) if counts_path.exists() else {}
        log_text = gunicorn_log.read_text(errors="replace")
        server_errors_logged = log_text.count("Internal Server Error")
        units_after = units_per_product()
        changed = {pk: (units_before.get(pk), n) for pk, n in units_after.items() if units_before.get(pk) != n}
        placed_in_db = Order.objects.count() - orders_before
        audit = manage("audit_ledger", check=False)
        summaries = manage("rebuild_report_summaries", "--check", check=False)
        checks = [
            (
                "0 failed requests (5xx, no answer, unexpected status)",
                total["Failure Count"] == "0",
                f"{total['Failure Count']} failures",
            ),
            ("0 server errors in the log", server_errors_logged == 0, f"{server_errors_logged} logged"),
            (
                "stock + reserved + sold unchanged for every product",
                not changed,
                f"{len(units_after)} products, {len(changed)} changed"
                + (f": {dict(list(changed.items())[:5])}" if changed else ""),
            ),
            (
                "every placed checkout has its order",
                placed_in_db == counts.get("checkouts placed"),
                f"{counts.get('checkouts placed')} answered placed, {placed_in_db} new orders",
            ),
            ("transfers recorded without error", not payer.errors, f"{payer.paid} paid, {len(payer.errors)} errors"),
            ("audit_ledger clean", audit.returncode == 0, last_line(audit)),
            ("rebuild_report_summaries --check clean", summaries.returncode == 0, last_line(summaries)),
        ]

        # --- report --------------------------------------------------------------------------------------------
        report = [
            f"Load test, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}: benchmarks/load/run.py",
            f"  {args.users} buyers, {args.minutes:g} min ({seconds:.0f} s), gunicorn {args.workers} workers, "
            f"production settings, PostgreSQL, no broker/cache services; {len(targets['products'])} products in stock"
            + (f" (load_demo --products {args.products})" if args.products else " (the demo)"),
            f"  machine: {os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, {load_after[0]:.2f} after",
            "",
            *figures_table(rows, seconds),
            "",
            f"requests {total['Request Count']}, failures {total['Failure Count']}, "
            f"throughput {int(total['Request Count']) / seconds:.1f} req/s",
            f"checkouts placed {counts.get('checkouts placed')}, refused (sold out / price changed) "
            f"{counts.get('checkouts refused')}, orders paid during the run {payer.paid}",
            "  (placed/refused: the buyers' own count, with the checkouts still in flight at the run time,",
            "  which finish within locust's 10 s stop timeout; the table above ends at the run time)",
            "",
            "checks:",
            *[f"  [{'ok' if ok else 'FAILED'}] {what}: {detail}" for what, ok, detail in checks],
        ]
        if locust.returncode != 0:
            report += ["", f"locust exited with {locust.returncode}:", locust.stderr[-2000:]]
        text = "\n".join(report) + "\n"
        print(text)
        Path(args.results).parent.mkdir(parents=True, exist_ok=True)
        Path(args.results).write_text(text, encoding="utf-8")
        say(f"written to {args.results}")
        return 0 if all(ok for _what, ok, _detail in checks) and locust.returncode == 0 else 1
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(30)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin_sql(args.postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            shutil.rmtree(var_dir, ignore_errors=True)
        else:
            say(f"kept: database {database}, files {var_dir}")


if __name__ == "__main__":
    sys.exit(main())
