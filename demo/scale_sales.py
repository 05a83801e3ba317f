"""Two years of sales at scale, for the reports benchmark (``manage.py load_scale_sales``).

Bulk-inserts orders, sub-orders, lines, accepted payments, confirmed refunds and their
ledger entries for the demo's shops in three cities (菏泽 Heze, 枣庄 Zaozhuang, 聊城
Liaocheng), with live events and their tagged orders, budget units with organisation
accounts, yearly quotas (预留份额) and their orders recorded as theirs, and a share of sales
made while a product held no valid certificate.

The ledger entries are split by the attribution app's own code: ``beneficiaries_of`` for
the linkage version in force at the moment of payment (none before a product's first
version: then the producer keeps it all), ``allocation.split`` for sales and
``allocation.split_refund`` for refunds; so ``manage.py audit_ledger`` finds nothing to
report over it. The summary tables are then rebuilt from the ledger.

What is drawn (not taken from history): the bulk certificates are dated the day the
demo was loaded, so whether a past line was certified at payment is drawn per line
(about 95 % of the sales of products holding a certificate; none of the others).
Deterministic for a seed and a run (a second run adds different orders)."""

import bisect
import datetime as dt
import math
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from tqdm import tqdm

from attribution.allocation import split, split_refund
from attribution.models import BeneficiaryKind, EntryKind, LedgerEntry, beneficiary_key
from attribution.services import beneficiaries_of
from catalog.models import Product, Shop
from certification.models import Certificate
from core.models import User
from core.validators import credit_code_check_char
from live.models import CODE_ALPHABET, LiveAttribution, LiveEvent
from live.services import common_region
from orders.models import (
    AddressRegion,
    BuyerType,
    FulfilmentStatus,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    SubOrder,
)
from payments.models import Payment, Refund, RefundLine
from procurement.models import Kind, Member, Organisation, OrganisationOrder, Quota
from producers.models import BenefitLinkage, Region
from reports.services import rebuild_summaries
from sales_channels.models import Channel, IntakeBatch, OfflinePoint, OfflineSale

CITIES = {"3717": "菏泽市", "3704": "枣庄市", "3715": "聊城市"}
DAYS = 730
BATCH_ORDERS = 2000
CERTIFIED_SHARE = 0.95  # of the sales of products that hold a certificate
REFUND_SHARE = 0.03
CANCELLED_SHARE = 0.02
OFFLINE_SHARE = 0.06  # of the orders: sales an offline point (专柜 / 专馆 / 专区) reported
OFFLINE_POINTS = 12
BUYER_TYPES = [
    (BuyerType.INDIVIDUAL, 0.82),
    (BuyerType.BUDGET_UNIT, 0.09),
    (BuyerType.UNION, 0.06),
    (BuyerType.ENTERPRISE, 0.03),
]
UNIT_NAMES = ["财政局", "教育局", "卫生健康委员会", "人民医院", "第一中学", "机关事务服务中心", "农业农村局", "公安局"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙朱马胡郭林何高罗"
GIVEN = "芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
_CODE = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass
class ScaleSalesResult:
    orders: int = 0
    lines: int = 0
    entries: int = 0
    refunds: int = 0
    events: int = 0
    units: int = 0
    offline_rows: int = 0
    start: dt.date | None = None
    end: dt.date | None = None
    seconds: float = 0.0
    summary_rows: dict = field(default_factory=dict)
    summary_seconds: float = 0.0


@dataclass
class _Version:
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    linkage_id: int
    people: list  # attribution.services.Beneficiary


@dataclass
class _Product:
    pk: int
    shop_id: int
    city: str
    title: str
    unit: str
    price_fen: int
    producer_id: int
    producer_kind: str
    producer_region_id: int
    category_id: int
    certificate: str  # a certificate number, or "" for a product that never had one
    versions: list[_Version]
    retained: list  # the producer alone, for sales before any linkage version

    def people_at(self, moment: dt.datetime) -> tuple[int | None, list]:
        for version in reversed(self.versions):
            if version.valid_from <= moment and (version.valid_to is None or moment < version.valid_to):
                return version.linkage_id, version.people
        return None, self.retained


@dataclass
class _Event:
    pk: int
    city: str
    start: dt.datetime
    end: dt.datetime
    products: list[_Product]


def _credit_code(rng: random.Random, prefix: str, county: str) -> str:
    body = "".join(rng.choice(_CODE) for _ in range(9))
    first17 = prefix + county + body
    return first17 + credit_code_check_char(first17)


def _products(log) -> list[_Product]:
    shops = {
        s.pk: s.region.code[:4]
        for s in Shop.objects.filter(is_active=True).select_related("region")
        if s.region.code[:4] in CITIES
    }
    if not shops:
        raise RuntimeError("没有三市的演示网店，请先运行 load_demo。 No demo shops in the three cities: run load_demo.")
    certificates = dict(
        Certificate.objects.filter(product__shop_id__in=shops)
        .order_by("valid_until")
        .values_list("product_id", "number")
    )
    rows = list(Product.objects.filter(shop_id__in=shops).select_related("producer").order_by("pk"))
    log(f"  {len(rows)} products in {len(shops)} shops; reading their benefit linkages")
    versions = defaultdict(list)
    for linkage in (
        BenefitLinkage.objects.filter(product__in=rows).select_related("product__producer").order_by("version")
    ):
        versions[linkage.product_id].append(
            _Version(
                linkage.valid_from, linkage.valid_to, linkage.pk, beneficiaries_of(linkage, linkage.product.producer)
            )
        )
    out = []
    for p in rows:
        out.append(
            _Product(
                pk=p.pk,
                shop_id=p.shop_id,
                city=shops[p.shop_id],
                title=p.title,
                unit=p.unit,
                price_fen=p.price_fen,
                producer_id=p.producer_id,
                producer_kind=p.producer.kind,
                producer_region_id=p.producer.region_id,
                category_id=p.category_id,
                certificate=certificates.get(p.pk, ""),
                versions=versions[p.pk],
                retained=beneficiaries_of(None, p.producer),
            )
        )
    return out


def _day_weights(start: dt.date, days: int, rng: random.Random) -> list[float]:
    """Sales per day: growing over the two years, busier at weekends, before the Spring
    Festival (late January) and around 11 November, with day-to-day noise."""
    weights = []
    for n in range(days):
        day = start + dt.timedelta(days=n)
        w = 1.0 + 0.6 * n / days
        if day.weekday() >= 5:
            w *= 1.25
        if (day.month == 1 and day.day >= 10) or (day.month == 2 and day.day <= 5):
            w *= 1.6
        if day.month == 11 and 1 <= day.day <= 12:
            w *= 1.8
        w *= rng.uniform(0.75, 1.25)
        weights.append(w)
    return weights


class _Generator:
    def __init__(self, seed: int, start: dt.date, days: int, log):
        self.sequence = Order.objects.count()
        self.rng = random.Random(f"{seed}:scale-sales:{self.sequence}")
        self.tz = timezone.get_default_timezone()
        self.start, self.days = start, days
        self.products = _products(log)
        self.by_city = defaultdict(list)
        for p in self.products:
            self.by_city[p.city].append(p)
        # Popularity: a few products sell a lot (Zipf-like), the same order for every city.
        self.popularity = {
            city: self._cumulative([1.0 / math.sqrt(i + 1) for i in range(len(items))])
            for city, items in self.by_city.items()
        }
        for items in self.by_city.values():
            self.rng.shuffle(items)
        self.cities = sorted(self.by_city)
        self.city_weights = self._cumulative([len(self.by_city[c]) ** 0.5 for c in self.cities])
        self.day_weights = self._cumulative(_day_weights(start, days, self.rng))
        self.counties = list(Region.objects.filter(level=Region.Level.COUNTY).values_list("pk", "code", "name"))
        self.units = self._budget_units()
        self.points = _offline_points(self)

    @staticmethod
    def _cumulative(weights: list[float]) -> list[float]:
        total, out = 0.0, []
        for w in weights:
            total += w
            out.append(total)
        return out

    def _pick(self, cumulative: list[float]) -> int:
        return bisect.bisect_left(cumulative, self.rng.random() * cumulative[-1])

    def _budget_units(self) -> list[tuple[str, str, str]]:
        """(name, tax id, city) of budget units buying in each city."""
        units = []
        for city, city_name in CITIES.items():
            for name in UNIT_NAMES:
                units.append((f"{city_name}{name}", _credit_code(self.rng, "11", city + "00"), city))
        return units

    def moment(self, day: dt.date, evening: bool = False) -> dt.datetime:
        hour = self.rng.choice([9, 10, 11, 12, 14, 15, 16, 19, 20, 20, 21, 21, 22, 23] if not evening else [20, 21])
        return dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60), self.rng.randrange(60)), tzinfo=self.tz)

    def random_day(self) -> dt.date:
        return self.start + dt.timedelta(days=self._pick(self.day_weights))

    def product(self, city: str) -> _Product:
        return self.by_city[city][self._pick(self.popularity[city])]

    def buyer_type(self) -> str:
        r, acc = self.rng.random(), 0.0
        for kind, share in BUYER_TYPES:
            acc += share
            if r < acc:
                return kind
        return BuyerType.INDIVIDUAL

    def name(self) -> str:
        return (
            self.rng.choice(SURNAMES)
            + self.rng.choice(GIVEN)
            + (self.rng.choice(GIVEN) if self.rng.random() < 0.6 else "")
        )


@dataclass(frozen=True)
class _Point:
    pk: int
    code: str
    name: str
    kind: str
    county_code: str
    county_name: str
    address: str
    batch_pk: int


def _offline_points(gen: "_Generator") -> list[_Point]:
    """``OFFLINE_POINTS`` offline points in the cities' counties, kinds in turn, each with
    the one batch its scale rows are booked in (made once; found again on a second run)."""
    kinds = [Channel.CABINET, Channel.PAVILION, Channel.ZONE]
    codes = sorted({code for _pk, code, _name in gen.counties})[:OFFLINE_POINTS]
    regions = {r.code: r for r in AddressRegion.objects.filter(level=AddressRegion.Level.COUNTY, code__in=codes)}
    points = []
    for n, code in enumerate(c for c in codes if c in regions):
        region, kind = regions[code], kinds[n % len(kinds)]
        point, _made = OfflinePoint.objects.get_or_create(
            code=f"SCALE-{n + 1:02d}",
            defaults={
                "name": f"{region.name}消费帮扶{Channel(kind).label[-2:]}",
                "kind": kind,
                "region": region,
                "address": f"人民路{n + 1}号",
                "contact_name": "批量演示",
                "contact_mobile": "13900000000",
            },
        )
        batch = point.batches.first() or IntakeBatch.objects.create(
            point=point,
            source=IntakeBatch.Source.API,
            status=IntakeBatch.Status.ACCEPTED,
            received_at=timezone.now(),
            rows=0,
        )
        points.append(
            _Point(point.pk, point.code, point.name, point.kind, region.code, region.full_name, point.address, batch.pk)
        )
    return points


def _make_events(gen: _Generator, end: dt.date) -> list[_Event]:
    """About two live events a month per city, run by one or two of its shops, featuring
    a few of their products (kept here only: no FeaturedProduct rows, which would protect
    the products from ``load_demo --reset``)."""
    events = []
    shops_by_id = Shop.objects.select_related("region").in_bulk({p.shop_id for p in gen.products})
    for city in gen.cities:
        shop_ids = sorted({p.shop_id for p in gen.by_city[city]})
        day = gen.start + dt.timedelta(days=gen.rng.randrange(5, 20))
        while day < end - dt.timedelta(days=1):
            shops = gen.rng.sample(shop_ids, min(len(shop_ids), gen.rng.choice([1, 1, 2])))
            candidates = [p for p in gen.by_city[city] if p.shop_id in shops]
            chosen = gen.rng.sample(candidates, min(len(candidates), gen.rng.randint(3, 6)))
            start = dt.datetime.combine(day, dt.time(20, 0), tzinfo=gen.tz)
            event = LiveEvent(
                title=f"{CITIES[city]}助农直播·{day.month}月{day.day}日",
                code="".join(gen.rng.choice(CODE_ALPHABET) for _ in range(8)),
                host=gen.name(),
                scheduled_start=start,
                scheduled_end=start + dt.timedelta(hours=2),
                actual_start=start + dt.timedelta(minutes=gen.rng.randrange(0, 10)),
                actual_end=start + dt.timedelta(hours=2, minutes=gen.rng.randrange(0, 15)),
                description="直播带货：本地认定产品专场。",
                region=common_region([shops_by_id[pk] for pk in shops]),
                is_published=True,
            )
            events.append((event, shops, chosen, city))
            day += dt.timedelta(days=gen.rng.randint(10, 20))
    LiveEvent.objects.bulk_create([e for e, *_ in events])
    through = LiveEvent.shops.through
    through.objects.bulk_create(
        [through(liveevent_id=e.pk, shop_id=shop_id) for e, shops, _c, _city in events for shop_id in shops]
    )
    return [_Event(e.pk, city, e.actual_start, e.actual_end, chosen) for e, _s, chosen, city in events]


@dataclass
class _PlannedLine:
    product: _Product
    quantity: int
    live_event_id: int | None = None
    live_attribution: str = ""


def _plan_orders(
    gen: _Generator, events: list[_Event], count: int
) -> list[tuple[dt.datetime, str, list[_PlannedLine]]]:
    """``count`` orders: (payment moment, buyer type, lines, offline point). About one in
    eight comes from a live event: during the broadcast, in the seven days after, or bought
    in the broadcast's time window without the event link; ``OFFLINE_SHARE`` of them an
    offline point sold (one product, a few units, never refunded here)."""
    out = []
    for _ in range(count):
        r = gen.rng.random()
        if gen.points and 0.125 <= r < 0.125 + OFFLINE_SHARE:
            point = gen.points[gen.rng.randrange(len(gen.points))]
            product = gen.product(gen.cities[gen._pick(gen.city_weights)])
            lines = [_PlannedLine(product, gen.rng.randint(1, 4))]
            out.append((gen.moment(gen.random_day()), BuyerType.INDIVIDUAL, lines, point))
            continue
        if events and r < 0.125:
            event = events[gen.rng.randrange(len(events))]
            product = event.products[gen.rng.randrange(len(event.products))]
            kind = gen.rng.random()
            if kind < 0.6:
                moment = event.start + dt.timedelta(
                    seconds=gen.rng.randrange(int((event.end - event.start).total_seconds()))
                )
                attribution = LiveAttribution.IN_LIVE
            elif kind < 0.85:
                moment = event.end + dt.timedelta(seconds=gen.rng.randrange(7 * 86400))
                attribution = LiveAttribution.POST_LIVE
            else:
                moment = event.start + dt.timedelta(
                    seconds=gen.rng.randrange(int((event.end - event.start).total_seconds()))
                )
                attribution = LiveAttribution.WINDOW
            lines = [_PlannedLine(product, gen.rng.randint(1, 3), event.pk, attribution)]
            out.append((moment, BuyerType.INDIVIDUAL, lines, None))
            continue
        day = gen.random_day()
        buyer_type = gen.buyer_type()
        city = gen.cities[gen._pick(gen.city_weights)]
        institutional = buyer_type != BuyerType.INDIVIDUAL
        lines, seen = [], set()
        for _n in range(gen.rng.choice([1, 1, 1, 2, 2, 3])):
            product = gen.product(city if gen.rng.random() < 0.9 else gen.cities[gen._pick(gen.city_weights)])
            if product.pk in seen:
                continue
            seen.add(product.pk)
            quantity = gen.rng.randint(5, 60) if institutional else gen.rng.choice([1, 1, 1, 2, 2, 3, 5])
            lines.append(_PlannedLine(product, quantity))
        out.append((gen.moment(day), buyer_type, lines, None))
    return out


def _beneficiary_fields(b) -> dict:
    return {
        "beneficiary_kind": b.kind,
        "beneficiary_key": beneficiary_key(b.kind, b.pk),
        "household_id": b.pk if b.kind == BeneficiaryKind.HOUSEHOLD else None,
        "collective_id": b.pk if b.kind == BeneficiaryKind.COLLECTIVE else None,
        "beneficiary_region_id": b.region_id,
        "share_bp": b.share_bp,
        "mode": b.mode,
    }


def _insert_batch(gen: _Generator, planned, end_moment: dt.datetime, result: ScaleSalesResult) -> int:
    """Insert one batch of planned orders with everything that hangs off them; returns
    the ledger entries written."""
    rng = gen.rng
    orders, suborders, lines, payments = [], [], [], []
    plan = []  # (order, [(suborder, [(line, planned)])], paid_at, refund plan)
    offline = []  # (order, line, planned line, point)
    for paid_at, buyer_type, planned_lines, point in planned:
        if not planned_lines or paid_at >= end_moment:
            continue
        gen.sequence += 1
        institutional = buyer_type != BuyerType.INDIVIDUAL
        local_day = timezone.localtime(paid_at, gen.tz).date()
        _pk, county_code, county_name = gen.counties[rng.randrange(len(gen.counties))]
        organisation, tax_id = "", ""
        if buyer_type == BuyerType.BUDGET_UNIT:
            city = planned_lines[0].product.city
            pool = [u for u in gen.units if u[2] == city]
            organisation, tax_id, _city = pool[rng.randrange(len(pool))]
        elif institutional:
            organisation = f"{gen.name()}{'工会委员会' if buyer_type == BuyerType.UNION else '食品有限公司'}"
            tax_id = _credit_code(rng, "81" if buyer_type == BuyerType.UNION else "91", "371700")
        method = (
            PaymentMethod.TRANSFER
            if institutional
            else rng.choice([PaymentMethod.ALIPAY, PaymentMethod.WECHAT_PAY, PaymentMethod.CARD])
        )
        total = sum(pl.product.price_fen * pl.quantity for pl in planned_lines)
        cancelled = rng.random() < CANCELLED_SHARE and point is None
        contact = gen.name() if point is None else point.name[:50]
        if point is not None:
            method, (county_code, county_name) = PaymentMethod.OFFLINE, (point.county_code, point.county_name)
        order = Order(
            number=f"{local_day:%Y%m%d}S{gen.sequence:09d}",
            token=f"{rng.getrandbits(256):064x}",
            status=OrderStatus.CANCELLED if cancelled else OrderStatus.PAID,
            buyer_type=buyer_type,
            contact_name=contact,
            email="" if point else f"buyer{gen.sequence}@example.cn",
            mobile="" if point else f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            organisation_name=organisation,
            tax_id=tax_id,
            ship_region_code=county_code,
            ship_region_name=county_name,
            ship_detail=point.address if point else f"人民路{rng.randint(1, 300)}号",
            recipient_name=contact,
            recipient_mobile="" if point else f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            payment_method=method,
            total_fen=total,
            paid_fen=0 if cancelled else total,
            payment_due_at=paid_at + dt.timedelta(days=7 if institutional else 0, minutes=30),
            paid_at=None if cancelled else paid_at,
            channel=point.kind if point else "",
        )
        orders.append(order)
        by_shop = defaultdict(list)
        for pl in planned_lines:
            by_shop[pl.product.shop_id].append(pl)
        shop_plan = []
        for shop_id in sorted(by_shop):
            subtotal = sum(pl.product.price_fen * pl.quantity for pl in by_shop[shop_id])
            suborder = SubOrder(
                shop_id=shop_id,
                subtotal_fen=subtotal,
                status=FulfilmentStatus.CANCELLED if cancelled else FulfilmentStatus.COMPLETED,
            )
            suborders.append(suborder)
            line_plan = []
            for pl in by_shop[shop_id]:
                p = pl.product
                linkage_id, people = p.people_at(paid_at)
                certified = bool(p.certificate) and rng.random() < CERTIFIED_SHARE
                line = OrderLine(
                    product_id=p.pk,
                    title=p.title,
                    unit=p.unit,
                    unit_price_fen=p.price_fen,
                    quantity=pl.quantity,
                    certificate_number=p.certificate if certified else "",
                    linkage_id=None if cancelled else linkage_id,
                    paid_at=None if cancelled else paid_at,
                    live_event_id=pl.live_event_id,
                    live_attribution=pl.live_attribution,
                    certified_at_payment=None if cancelled else certified,
                )
                lines.append(line)
                line_plan.append((line, pl, people, certified, linkage_id))
                if point is not None:
                    offline.append((order, line, pl, point))
            shop_plan.append((suborder, line_plan))
        refund = None
        if not cancelled and point is None and rng.random() < REFUND_SHARE:
            confirmed_at = paid_at + dt.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 8))
            if confirmed_at < end_moment:
                suborder, line_plan = shop_plan[rng.randrange(len(shop_plan))]
                line, pl, *_ = line_plan[rng.randrange(len(line_plan))]
                refund = (line, rng.randint(1, pl.quantity), confirmed_at)
        plan.append((order, shop_plan, paid_at, refund, cancelled))

    with transaction.atomic():
        Order.objects.bulk_create(orders, batch_size=1000)
        for order, shop_plan, *_ in plan:
            for suborder, _lp in shop_plan:
                suborder.order_id = order.pk
        SubOrder.objects.bulk_create(suborders, batch_size=1000)
        for _order, shop_plan, *_ in plan:
            for suborder, line_plan in shop_plan:
                for line, *_rest in line_plan:
                    line.suborder_id = suborder.pk
        OrderLine.objects.bulk_create(lines, batch_size=2000)

        refunds, entries, refund_rows = [], [], []
        for order, shop_plan, paid_at, refund, cancelled in plan:
            if cancelled:
                continue
            method = order.payment_method
            payments.append(
                Payment(
                    order_id=order.pk,
                    method=method,
                    amount_fen=order.total_fen,
                    reference=f"SCALE-{order.number}" if method != PaymentMethod.OFFLINE else f"SCALE/{order.number}",
                    status=Payment.Status.ACCEPTED,
                )
            )
            for _suborder, line_plan in shop_plan:
                for line, pl, people, certified, linkage_id in line_plan:
                    amounts = split(line.unit_price_fen * line.quantity, [b.share_bp for b in people])
                    common = _common(line, order, pl.product, certified, linkage_id)
                    for b, amount in zip(people, amounts, strict=True):
                        entries.append(
                            LedgerEntry(
                                kind=EntryKind.SALE,
                                amount_fen=amount,
                                booked_at=paid_at,
                                **_beneficiary_fields(b),
                                **common,
                            )
                        )
                    if refund is not None and refund[0] is line:
                        _line, quantity, confirmed_at = refund
                        amount = line.unit_price_fen * quantity
                        refund_obj = Refund(
                            order_id=order.pk,
                            amount_fen=amount,
                            status=Refund.Status.CONFIRMED,
                            reason="破损/不想要了",
                            reference=f"SCALE-R-{order.number}",
                            confirmed_at=confirmed_at,
                        )
                        refunds.append(refund_obj)
                        refund_rows.append((refund_obj, line, quantity, amounts, people, common, order))
        Payment.objects.bulk_create(payments, batch_size=2000)
        Refund.objects.bulk_create(refunds, batch_size=1000)
        refund_lines = [
            RefundLine(refund_id=r.pk, line_id=line.pk, quantity=q, amount_fen=line.unit_price_fen * q)
            for r, line, q, *_ in refund_rows
        ]
        RefundLine.objects.bulk_create(refund_lines, batch_size=1000)
        for (refund_obj, line, quantity, amounts, people, common, order), refund_line in zip(
            refund_rows, refund_lines, strict=True
        ):
            parts = split_refund(refund_line.amount_fen, [b.share_bp for b in people], amounts)
            for b, part in zip(people, parts, strict=True):
                if part:
                    entries.append(
                        LedgerEntry(
                            kind=EntryKind.REFUND,
                            amount_fen=-part,
                            booked_at=refund_obj.confirmed_at,
                            refund_id=refund_obj.pk,
                            refund_line_id=refund_line.pk,
                            **_beneficiary_fields(b),
                            **common,
                        )
                    )
            line.refunded_quantity = quantity
            order.refunded_fen += refund_line.amount_fen
        LedgerEntry.objects.bulk_create(entries, batch_size=5000)
        OfflineSale.objects.bulk_create(
            [
                OfflineSale(
                    point_id=point.pk,
                    batch_id=point.batch_pk,
                    sale_id=order.number,
                    kind=OfflineSale.Kind.SALE,
                    sold_at=order.paid_at,
                    product_id=pl.product.pk,
                    product_ref=str(pl.product.pk),
                    quantity=line.quantity,
                    unit_price_fen=line.unit_price_fen,
                    amount_fen=line.unit_price_fen * line.quantity,
                    order_id=order.pk,
                )
                for order, line, pl, point in offline
            ],
            batch_size=2000,
        )
        result.offline_rows += len(offline)

        # What the refunds changed, and the moments that auto_now_add set to "now".
        refunded_lines = [line for _r, line, *_ in refund_rows]
        OrderLine.objects.bulk_update(refunded_lines, ["refunded_quantity"], batch_size=1000)
        touched = {order.pk: order for *_x, order in refund_rows}
        for order in touched.values():
            fully = all(
                line.refunded_quantity == line.quantity
                for _s, line_plan in next(p[1] for p in plan if p[0] is order)
                for line, *_ in line_plan
            )
            order.status = OrderStatus.REFUNDED if fully else OrderStatus.PARTIALLY_REFUNDED
        Order.objects.bulk_update(list(touched.values()), ["refunded_fen", "status"], batch_size=1000)
        for _r, line, *_rest in refund_rows:
            if line.refunded_quantity == line.quantity:
                SubOrder.objects.filter(pk=line.suborder_id).exclude(
                    lines__refunded_quantity__lt=F("lines__quantity")
                ).update(status=FulfilmentStatus.REFUNDED)
        pks = [o.pk for o in orders]
        for start in range(0, len(pks), 1000):
            part = pks[start : start + 1000]
            Order.objects.filter(pk__in=part, paid_at__isnull=False).update(
                created_at=F("paid_at") - dt.timedelta(minutes=5)
            )
            Order.objects.filter(pk__in=part, paid_at__isnull=True).update(
                created_at=F("payment_due_at") - dt.timedelta(minutes=30)
            )
            Payment.objects.filter(order_id__in=part).update(
                received_at=Subquery(Order.objects.filter(pk=OuterRef("order_id")).values("paid_at")[:1])
            )
        Refund.objects.filter(pk__in=[r.pk for r in refunds]).update(created_at=F("confirmed_at"))
    result.orders += len(orders)
    result.lines += len(lines)
    result.refunds += len(refunds)
    result.entries += len(entries)
    return len(entries)


def _common(line: OrderLine, order: Order, p: _Product, certified: bool, linkage_id: int | None) -> dict:
    return {
        "order_id": order.pk,
        "order_line_id": line.pk,
        "paid_at": line.paid_at,
        "producer_id": p.producer_id,
        "producer_kind": p.producer_kind,
        "producer_region_id": p.producer_region_id,
        "shop_id": p.shop_id,
        "product_id": p.pk,
        "category_id": p.category_id,
        "buyer_type": order.buyer_type,
        "channel": order.channel,
        "live_event_id": line.live_event_id,
        "live_attribution": line.live_attribution,
        "certificate_number": line.certificate_number,
        "certified_at_payment": certified,
        "linkage_id": linkage_id,
    }


def _unit_accounts(gen: _Generator, years: list[int]) -> int:
    """The budget units as organisation accounts in their city's first county, one
    purchaser for all of them, a quota for each year (10 % of a planned canteen budget of
    ¥500,000 to ¥4,000,000), and every order placed with a unit's credit code recorded as
    the unit's: the report's reserved-share section then reads them as it would at scale.
    Returns the organisations made."""
    purchaser, _created = User.objects.get_or_create(username="scale-unit-purchaser", defaults={"name": "批量采购员"})
    counties = AddressRegion.objects.filter(level=AddressRegion.Level.COUNTY).order_by("code")
    first_county = {city: counties.filter(code__startswith=city).first() for city in CITIES}
    made, ids = 0, {}
    for name, credit_code, city in gen.units:
        organisation, created = Organisation.objects.get_or_create(
            credit_code=credit_code,
            defaults={"kind": Kind.BUDGET_UNIT, "name": name, "region": first_county[city], "invoice_title": name},
        )
        if created:
            Member.objects.create(organisation=organisation, user=purchaser, is_admin=True, is_purchaser=True)
            made += 1
        ids[credit_code] = organisation.pk
        for year in years:
            Quota.objects.get_or_create(
                organisation=organisation,
                year=year,
                defaults={"planned_food_fen": gen.rng.randrange(50, 400) * 1_000_000, "share_bp": 1_000},
            )
    unlinked = Order.objects.filter(
        buyer_type=BuyerType.BUDGET_UNIT, tax_id__in=list(ids), organisation_link__isnull=True
    ).values_list("pk", "tax_id", "created_at")
    OrganisationOrder.objects.bulk_create(
        [
            OrganisationOrder(order_id=pk, organisation_id=ids[tax_id], purchaser=purchaser, placed_at=created_at)
            for pk, tax_id, created_at in unlinked
        ],
        batch_size=2000,
    )
    return made


def load_scale_sales(
    entries: int, *, seed: int = 1, days: int = DAYS, end: dt.date | None = None, progress: bool = False, log=print
) -> ScaleSalesResult:
    """Insert orders until at least ``entries`` ledger entries are written, paid over the
    ``days`` days before ``end`` (default: today, Asia/Shanghai), then rebuild the report
    summaries. Returns what was made and how long it took."""
    started = time.monotonic()
    end = end or timezone.localdate()
    start = end - dt.timedelta(days=days)
    result = ScaleSalesResult(start=start, end=end - dt.timedelta(days=1))
    log(f"销售时段 sales from {start} to {result.end}")
    gen = _Generator(seed, start, days, log)
    with transaction.atomic():
        events = _make_events(gen, end)
    result.events = len(events)
    end_moment = dt.datetime.combine(end, dt.time.min, tzinfo=gen.tz)
    bar = tqdm(total=entries, desc="台账记录 ledger entries", unit="条", file=sys.stderr, disable=not progress)
    while result.entries < entries:
        written = _insert_batch(gen, _plan_orders(gen, events, BATCH_ORDERS), end_moment, result)
        bar.update(written)
    bar.close()
    with transaction.atomic():
        result.units = _unit_accounts(gen, sorted({start.year, result.end.year}))
    result.seconds = time.monotonic() - started
    log(
        f"已写入 wrote {result.orders} orders, {result.lines} lines, {result.refunds} refunds, "
        f"{result.entries} ledger entries, {result.events} live events in {result.seconds:.1f}s; rebuilding summaries"
    )
    summary_started = time.monotonic()
    result.summary_rows = rebuild_summaries()
    result.summary_seconds = time.monotonic() - summary_started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return result
