"""Live-stream sale events for the demo (直播带货), relative to the moment load_demo runs:

* a past event of 单县朱楼村 ten days ago, whose sales are real orders placed and paid
  through the order and payment services **at the moments they would have happened**
  (the clock is set back for each step, see ``_at``): in-live sales through its link,
  post-live sales in the following days, window sales without the link, baseline sales
  in the week before (for the uplift), one refund, and the viewer counts its stream
  pushed — so its results, the ledger and the households' statements all show them;
* one live now (on air since 40 minutes ago, on Douyin), featuring the village's
  products at a live price;
* one upcoming, run by 单县商务局 for the county, in three days.

Deterministic for a given seed (which products, buyers, quantities, minutes); order
numbers and secret links are random as always. Buyers are fictional; the replay sends
them no e-mail (``quiet_mail``)."""

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.db.models import F
from django.test.utils import override_settings
from django.utils import timezone

from catalog.models import Product, Shop
from certification.models import Certificate
from cms.setup import ensure_live_page
from core.models import Bureau, User
from core.validators import credit_code_check_char
from live import services as live_services
from live.attribution import LiveTag
from live.metrics import record_samples
from live.models import CODE_ALPHABET, LiveEvent, Platform
from live.pricing import quotes_at
from orders.models import AddressRegion, BuyerType, OrderLine
from orders.services import BuyerDetails, CheckoutLine, place_order
from payments import services as payments
from producers.models import Region

from .generators import person_name

SHOP = "shanxian-zhulou"  # operator-a's shop
SECOND_SHOP = "shanxian-lizhuang"
COUNTY = "371722"  # 单县: its bureau runs the upcoming event


@dataclass
class LiveDemo:
    events: list[LiveEvent] = field(default_factory=list)
    orders: int = 0
    token: str = ""  # the live event's viewer token, shown once


@contextmanager
def _at(moment: dt.datetime) -> Iterator[None]:
    """Replay one step of the past at ``moment``: every ``timezone.now()`` (services,
    auto_now fields, today's date for certificates) answers it."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@contextmanager
def quiet_mail() -> Iterator[None]:
    """The demo's fictional buyers get no e-mail and no text message (the console backends
    would print dozens: the recall of ``demo/recall.py`` writes to each of its buyers)."""
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend", SMS_BACKEND="core.sms.MemoryBackend"
    ):
        yield


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def demo_codes(seed: int) -> tuple[str, str, str]:
    rng = random.Random(f"{seed}:live-codes")
    return tuple("".join(rng.choice(CODE_ALPHABET) for _ in range(8)) for _ in range(3))


def _live_price(regular_fen: int) -> int:
    """About 20% off, ending in .90 like the demo's prices."""
    return max(90, regular_fen * 8 // 10 // 100 * 100 - 10)


def _featured_candidates(shop: Shop, n: int) -> list[Product]:
    return list(Product.objects.listed().filter(shop=shop, stock__gt=0).order_by("-stock", "pk")[:n])


class _Buyers:
    """Fictional buyers: names, addresses and e-mails drawn from the seed."""

    def __init__(self, rng: random.Random, county: AddressRegion):
        self.rng, self.county, self.n = rng, county, 0

    def next(self, **overrides) -> BuyerDetails:
        self.n += 1
        name = person_name(self.rng)
        mobile = f"13{self.rng.randint(5, 9)}{self.rng.randint(0, 99_999_999):08d}"
        details = {
            "buyer_type": BuyerType.INDIVIDUAL,
            "contact_name": name,
            "email": f"live-demo-{self.n:03d}@example.cn",
            "mobile": mobile,
            "ship_region": self.county,
            "ship_detail": f"城关街道{self.rng.randint(1, 99)}号",
            "recipient_name": name,
            "recipient_mobile": mobile,
        }
        details.update(overrides)
        return BuyerDetails(**details)


def build_live_demo(seed: int, users: dict[str, User], log: Callable[[str], None]) -> LiveDemo:
    """Make the three demo events (call inside the demo's transaction, with ``quiet_mail``)."""
    ensure_live_page()
    rng = random.Random(f"{seed}:live")
    shop = Shop.objects.get(slug=SHOP)
    second = Shop.objects.get(slug=SECOND_SHOP)
    county = Region.objects.get(code=COUNTY)
    operator, officer, admin = users["operator-a"], users["officer-shanxian"], users["admin"]
    past_code, live_code, next_code = demo_codes(seed)
    now = timezone.now().replace(second=0, microsecond=0)
    today = timezone.localdate()
    demo = LiveDemo()

    # --- the past event, with its sales -----------------------------------------------
    past_day = today - dt.timedelta(days=10)
    start, end = _local(past_day, 19, 30), _local(past_day, 21, 30)
    featured = _featured_candidates(shop, 3)
    # The shop's certificates were issued when the demo was built; its products were
    # certified long before this event, so their certificates are dated back.
    Certificate.objects.filter(product__in=featured, revoked_at__isnull=True).update(
        valid_from=past_day - dt.timedelta(days=60)
    )
    # Enough stock for what the replay sells, leaving the seed's own stock after it.
    Product.objects.filter(pk__in=[p.pk for p in featured]).update(stock=F("stock") + 60)
    with _at(start - dt.timedelta(days=12)):
        past = live_services.create_event(
            live_services.EventDetails(
                title="好品山东·单县芦笋助农直播",
                host="朱晓燕",
                platform=Platform.OWN,
                description="朱楼村芦笋、咸鸭蛋和粉皮，村播主播带您逛合作社和扶贫车间。",
                scheduled_start=start,
                scheduled_end=end,
                replay_url="https://replay.example.cn/shanxian-asparagus",
                is_published=True,
                shops=[shop],
            ),
            by=operator,
        )
        LiveEvent.objects.filter(pk=past.pk).update(code=past_code)
        past.refresh_from_db()
        for order, product in enumerate(featured):
            live_services.add_featured(
                past.pk, product.pk, event_price_fen=_live_price(product.price_fen), sort_order=order, by=operator
            )
    with _at(start + dt.timedelta(minutes=2)):
        live_services.go_live(past.pk, by=operator)
        _row, raw = live_services.issue_token(past.pk, label="直播推流助手", by=operator)
    with _at(end + dt.timedelta(minutes=6)):
        live_services.go_off_air(past.pk, by=operator)
    past.refresh_from_db()
    token = _row
    _push_viewers(past, token, rng, peak=297_000, minutes=124)
    with _at(end + dt.timedelta(days=1)):
        live_services.revoke_token(token.pk, by=operator)

    buyers = _Buyers(rng, AddressRegion.objects.get(level=AddressRegion.Level.COUNTY, code=COUNTY))
    tag = LiveTag(past.pk, past.window_start - dt.timedelta(hours=2))

    def sale(at: dt.datetime, tagged: bool, **buyer) -> object:
        product = rng.choice(featured)
        quantity = rng.choice((1, 1, 1, 2, 2, 3))
        lines = [(product, quantity)]
        if rng.random() < 0.25:
            other = rng.choice([p for p in featured if p.pk != product.pk])
            lines.append((other, 1))
        user = buyer.pop("user", None)
        with _at(at):
            quotes = quotes_at([p for p, _q in lines], at)
            order = place_order(
                lines=[CheckoutLine(p.pk, q, quotes[p.pk].price_fen, tag if tagged else None) for p, q in lines],
                buyer=buyers.next(**buyer),
                payment_method="transfer",
                user=user,
            )
        with _at(at + dt.timedelta(minutes=rng.randint(8, 40))):
            payments.record_transfer_receipt(
                order.pk, amount_fen=order.total_fen, reference=f"DEMO-LIVE-{order.number}", by=admin
            )
        demo.orders += 1
        return order

    window_minutes = int((past.window_end - past.window_start).total_seconds() // 60)
    for day in range(6, 0, -1):  # baseline: the week before
        sale(_local(past_day - dt.timedelta(days=day), rng.randint(9, 20), rng.randint(0, 59)), tagged=False)
    in_live = []
    for n in range(14):  # in-live, through the link
        extra = {}
        if n == 3:
            extra = {"user": users["buyer"], "contact_name": "陈静", "email": users["buyer"].email}
        elif n == 7:
            extra = {
                "buyer_type": BuyerType.UNION,
                "organisation_name": "单县总工会",
                "tax_id": "81371722MA3C4D5E6" + _check_char("81371722MA3C4D5E6"),
            }
        in_live.append(
            sale(past.window_start + dt.timedelta(minutes=rng.randint(1, window_minutes - 1)), True, **extra)
        )
    for _ in range(3):  # window: bought during the stream without the link
        sale(past.window_start + dt.timedelta(minutes=rng.randint(1, window_minutes - 1)), tagged=False)
    for day in range(1, 7, 2):  # post-live, through the link, in the days after
        sale(_local(past_day + dt.timedelta(days=day), rng.randint(9, 21), rng.randint(0, 59)), tagged=True)
    # One buyer sends back one unit: the ledger reverses it, the results show it.
    refunded = in_live[5]
    line = OrderLine.objects.filter(suborder__order=refunded).order_by("pk").first()
    with _at(_local(past_day + dt.timedelta(days=3), 15, 20)):
        payments.refund_by_hand(
            refunded.pk, lines={line.pk: 1}, reference=f"DEMO-REFUND-{refunded.number}", reason="运输破损", by=admin
        )
    demo.events.append(past)

    # --- live now -------------------------------------------------------------------------
    live = live_services.create_event(
        live_services.EventDetails(
            title="朱楼村冬季芦笋现采直播",
            host="朱晓燕",
            platform=Platform.DOUYIN,
            external_url="https://live.douyin.com/shanxian-zhulou-demo",
            description="大棚里现采现发，直播间下单享直播价。",
            scheduled_start=now - dt.timedelta(minutes=40),
            scheduled_end=now + dt.timedelta(minutes=80),
            is_published=True,
            shops=[shop],
        ),
        by=operator,
    )
    LiveEvent.objects.filter(pk=live.pk).update(code=live_code, actual_start=now - dt.timedelta(minutes=40))
    live.refresh_from_db()
    for order, product in enumerate(_featured_candidates(shop, 2)):
        live_services.add_featured(
            live.pk, product.pk, event_price_fen=_live_price(product.price_fen), sort_order=order, by=operator
        )
    _row, demo.token = live_services.issue_token(live.pk, label="抖音直播助手", by=operator)
    _push_viewers(live, _row, rng, peak=12_800, minutes=40)
    demo.events.append(live)

    # --- upcoming, run by the county's bureau -----------------------------------------------
    next_day = today + dt.timedelta(days=3)
    bureau = Bureau.objects.get(region__code=COUNTY)
    upcoming = live_services.create_event(
        live_services.EventDetails(
            title="单县年货节·县长直播带货",
            host="单县商务局",
            platform=Platform.KUAISHOU,
            external_url="https://live.kuaishou.com/shanxian-demo",
            description="单县商务局主办，朱楼村、李庄村网店的芦笋、山药和小米。",
            scheduled_start=_local(next_day, 19),
            scheduled_end=_local(next_day, 21),
            is_published=True,
            organiser_bureau=bureau,
            region=county,
        ),
        by=officer,
    )
    LiveEvent.objects.filter(pk=upcoming.pk).update(code=next_code)
    upcoming.refresh_from_db()
    for order, product in enumerate(_featured_candidates(shop, 1) + _featured_candidates(second, 2)):
        live_services.add_featured(
            upcoming.pk, product.pk, event_price_fen=_live_price(product.price_fen), sort_order=order, by=officer
        )
    demo.events.append(upcoming)
    log(f"直播带货 live events: {len(demo.events)} events, {demo.orders} orders replayed")
    return demo


def _check_char(prefix: str) -> str:
    return credit_code_check_char(prefix)


def _push_viewers(event: LiveEvent, token, rng: random.Random, *, peak: int, minutes: int) -> None:
    """The counts the stream tool pushed every 5 minutes, rising to ``peak`` concurrent
    viewers in the middle of the stream, through the same service as the endpoint."""
    start = event.window_start
    samples, views, likes = [], 0, 0
    for minute in range(0, minutes + 1, 5):
        shape = 1 - abs(minute - minutes * 0.55) / (minutes * 0.6)
        concurrent = int(peak * max(0.08, min(1.0, shape)) * rng.uniform(0.93, 1.0)) if minute else peak // 20
        if minute == int(minutes * 0.55) // 5 * 5:
            concurrent = peak
        views += concurrent // 2 + rng.randint(0, 500)
        likes += concurrent // 4 + rng.randint(0, 200)
        at = start + dt.timedelta(minutes=minute)
        samples.append(
            {"at": at.isoformat(), "concurrent_viewers": concurrent, "cumulative_views": views, "likes": likes}
        )
    with _at(start + dt.timedelta(minutes=minutes, seconds=30)):
        record_samples(event.pk, samples, token=token)


def retime_live_demo(seed: int, log: Callable[[str], None]) -> list[LiveEvent]:
    """On a later run without --reset: move the demo's live and upcoming events to the
    same times relative to now, as long as nothing has been bought through them."""
    _past, live_code, next_code = demo_codes(seed)
    now = timezone.now().replace(second=0, microsecond=0)
    today = timezone.localdate()
    events = {e.code: e for e in LiveEvent.objects.filter(code__in=demo_codes(seed))}
    for code, start, end, actual in (
        (live_code, now - dt.timedelta(minutes=40), now + dt.timedelta(minutes=80), now - dt.timedelta(minutes=40)),
        (next_code, _local(today + dt.timedelta(days=3), 19), _local(today + dt.timedelta(days=3), 21), None),
    ):
        event = events.get(code)
        if event is None or OrderLine.objects.filter(live_event=event).exists():
            continue
        event.viewer_samples.all().delete()
        LiveEvent.objects.filter(pk=event.pk).update(
            scheduled_start=start, scheduled_end=end, actual_start=actual, actual_end=None
        )
        token = event.viewer_tokens.filter(revoked_at__isnull=True).first()
        if actual is not None and token is not None:
            event.refresh_from_db()
            _push_viewers(event, token, random.Random(f"{seed}:live-retime"), peak=12_800, minutes=40)
    if not events:
        log("没有本种子的演示直播（用 --reset 重建） no demo live events for this seed; use --reset")
    return list(LiveEvent.objects.filter(code__in=demo_codes(seed)).order_by("scheduled_start"))
