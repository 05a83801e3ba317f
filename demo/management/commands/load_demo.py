import time
from contextlib import nullcontext

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from catalog import caching as catalog_caching
from cms import serving
from core import page_cache
from core.db_roles import RoleSwitchRefused, as_owner
from demo.builder import build_demo
from demo.live import quiet_mail
from demo.scale_catalogue import add_scale_products


class Command(BaseCommand):
    help = (
        "载入演示数据：村级网店、生产主体、帮扶户、商品、利益联结、文章和各角色的演示账号。"
        " Load the deterministic demo marketplace and print one login per role."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="随机种子 random seed (default: %(default)s)")
        parser.add_argument(
            "--products",
            type=int,
            default=0,
            metavar="N",
            help="另外批量插入 N 件商品（压测用） bulk-insert N more products on top of the demo, for benchmarks",
        )
        parser.add_argument(
            "--reset", action="store_true", help="先清除已有演示数据 wipe the demo content first, then rebuild"
        )
        parser.add_argument(
            "--no-images", action="store_true", help="不生成商品图片（测试用） skip generating product pictures"
        )
        parser.add_argument(
            "--renditions",
            action="store_true",
            help="预先生成缩略图 make the storefront's picture renditions now instead of on the first visit",
        )

    def handle(self, *args, seed, products, reset, no_images, renditions, verbosity, **options):
        if products < 0:
            raise CommandError("--products 不能为负数 must not be negative")
        started = time.monotonic()
        try:
            # Wiping the demo removes ledger and audit rows: only the tables' owner may.
            owner = as_owner() if reset else nullcontext()
            with owner, quiet_mail():  # the replayed purchases of the demo's fictional buyers mail nobody
                result = build_demo(
                    seed=seed,
                    reset=reset,
                    images=not no_images,
                    renditions=renditions,
                    log=self._info(verbosity),
                )
        except RoleSwitchRefused as exc:
            raise CommandError(f"--reset: {exc}") from exc
        if verbosity:
            for name, value in result.counts.items():
                self.stdout.write(f"  {name}: {value}")
        if products:
            scale_started = time.monotonic()
            counts = add_scale_products(products, seed=seed, progress=verbosity > 0)
            if verbosity:
                self.stdout.write(
                    f"批量插入 bulk: {counts.products} products, {counts.linkages} linkages, {counts.shares} shares, "
                    f"{counts.households} households, {counts.product_images} product images, "
                    f"{counts.certificates} certificates "
                    f"in {time.monotonic() - scale_started:.1f}s"
                )
            # Bulk inserts fire no signals: rebuild the search index over them (issue 8).
            call_command("search_reindex", verbosity=verbosity)
        # Nor do they drop the storefront's kept reads (counts, category tree, pages): drop
        # them all, for every process sharing the cache.
        catalog_caching.categories_changed()
        serving.clear_served_pages()
        # The demo writes in bulk (no signals): no page kept before it may be served after.
        page_cache.changed_everything()
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"演示数据就绪 demo ready in {time.monotonic() - started:.1f}s"))
            self._print_logins(result.logins)
            self._print_sms_sign_in(result.logins)
            self._print_live_events(result)
            self._print_offline_point(result)
            self._print_trace(result)

    def _info(self, verbosity):
        def log(message):
            if verbosity:
                self.stdout.write(message)

        return log

    def _print_logins(self, logins):
        from django.conf import settings

        self.stdout.write(f"\n演示账号 Demo logins ({settings.SITE_URL}/admin/ for staff roles):")
        rows = [("role", "username", "password", "sees")] + [(x.role, x.username, x.password, x.sees) for x in logins]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        for i, row in enumerate(rows):
            self.stdout.write(
                "  " + "  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)) + "  " + row[3]
            )
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths) + "  " + "-" * 4)

    def _print_sms_sign_in(self, logins):
        mobile = next((x for x in logins if x.mobile), None)
        if mobile is None:
            return
        self.stdout.write(
            f"\n短信登录 SMS sign-in: {settings.SITE_URL}/accounts/login/sms/ — 手机号 {mobile.mobile}"
            f" ({mobile.username})，点「获取验证码」：控制台短信后端把验证码打印在本终端。"
            f"\n  The console SMS backend prints the code in this terminal; register a new account at"
            f" {settings.SITE_URL}/accounts/register/ with any other mobile number the same way."
        )

    def _print_offline_point(self, result):
        from django.urls import reverse

        demo = result.channels
        if demo is None or demo.point is None:
            return
        endpoint = settings.SITE_URL.rstrip("/") + reverse("sales_channels:report_sales", args=[demo.point.code])
        price = f"{demo.price_fen / 100:.2f}"
        self.stdout.write(
            f"\n线下网点 Offline point {demo.point.code} {demo.point.name}: {demo.rows} rows of the last week booked,"
            f" one batch refused (/admin/channels/offline/sales/)."
            f"\n  网点令牌 the point's token (shown once): {demo.token}"
            f"\n      curl -X POST -H 'Authorization: Bearer {demo.token}' -H 'Content-Type: application/json'"
            f' -d \'{{"sales": [{{"sale_id": "TRY-1", "time": "\'"$(date -Iseconds)"\'",'
            f' "product": "{demo.certificate}", "quantity": 1, "unit_price": "{price}", "amount": "{price}"}}]}}\''
            f" {endpoint}"
        )

    def _print_trace(self, result):
        from django.urls import reverse

        demo = result.trace
        if demo is None or demo.unit_batch is None:
            return
        batch = demo.unit_batch
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(
            f"\n溯源 Traceability: {demo.batches} batches with inspection reports; batch {batch.code} has"
            f" {demo.unit_codes} unit codes. Trace page {site}{reverse('trace', args=[batch.code])} ;"
            f" its labels (PDF) at {site}{reverse('traceability_admin:labels', args=[batch.pk])}?units=1"
        )
        if demo.recall_batch is not None:
            recall = demo.recall_batch
            self.stdout.write(
                f"召回 Recall: batch {recall.code} ({recall.product.title}) was shipped to"
                f" {result.counts.get('recalled_orders', 0)} orders and recalled by admin:"
                f" {site}{reverse('recall_admin:batch', args=[recall.pk])}"
            )

    def _print_live_events(self, result):
        import json

        from django.conf import settings
        from django.urls import reverse
        from django.utils import timezone

        if not result.live_events:
            return
        self.stdout.write("\n直播带货 Live events (open a link to buy through the event; results under /admin/live/):")
        for event in result.live_events:
            when = timezone.localtime(event.window_start).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"  [{event.get_status_display()}] {event.title}  {when}  直播码 {event.code}")
            self.stdout.write(f"      {event.share_url()}")
        live = next((e for e in result.live_events if e.status == "live"), None)
        if result.live_token and live is not None:
            sample = {
                "at": timezone.localtime().replace(microsecond=0).isoformat(),
                "concurrent_viewers": 13500,
                "cumulative_views": 999999,
                "likes": 50000,
            }
            endpoint = settings.SITE_URL.rstrip("/") + reverse("live:push_samples", args=[live.code])
            self.stdout.write(f"  观看数据令牌 viewer token of the live event (shown once): {result.live_token}")
            self.stdout.write(
                f"      curl -X POST -H 'Authorization: Bearer {result.live_token}' "
                f"-H 'Content-Type: application/json' -d '{json.dumps(sample)}' {endpoint}"
            )
