"""A year of sales for the reports, on top of the ledger world of tests/worlds.py
(``ledger_world``, as the attribution tests use it; 单县 = county A, 成武县 = county B, both
in 菏泽市): every order through the real checkout, paid by a bank transfer the platform
administrator records, refunds by hand, at moments set with a clock. The year is next
calendar year, so that the benefit linkages (made "now" by ``ledger_world``) are in force at
every sale.

What the year holds: several villages and townships of county A (one producer registered
at county level), products of four categories and four producer kinds (one with no
linkage, so the producer keeps it all), all four buyer types, partial and full refunds on
later days, a sale on each side of midnight in Asia/Shanghai, a sale made after the
product's certificate was revoked (uncertified), and live events of both counties, one
of them featuring a county A product.

The institutional buyers are organisation accounts (procurement), registered by their
administrators, who also purchase: 单县财政局 (county A, a quota of ¥5,000.00 for the
year) and 成武县教育局 (county B, ¥2,000.00) buy as budget units through checkout's
采购单位; 单县教育局 (county A) has an account but no quota and buys nothing; 单县总工会
(county A) is a union, not a budget unit."""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from catalog.models import Product
from certification.models import Certificate
from live.models import LiveEvent
from orders.models import OrderLine
from procurement import services as procurement
from procurement.models import Member
from producers.models import BenefitMode, Producer
from producers.services import ShareSpec, revise_benefit_linkage
from tests.factories import (
    CategoryFactory,
    CollectiveFactory,
    HouseholdFactory,
    ProducerFactory,
    ProductFactory,
    ShopFactory,
    UserFactory,
    address_county,
    region_chain,
    valid_credit_code,
)
from tests.worlds import refund_lines

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
YEAR = timezone.localdate().year + 1
UNIT_1 = valid_credit_code("11371722MB0000001")  # 单县财政局
UNIT_2 = valid_credit_code("11371723MB0000002")  # 成武县教育局
UNIT_3 = valid_credit_code("11371722MB0000005")  # 单县教育局 (no quota)
UNION = valid_credit_code("81371722MC0000003")  # 单县总工会
UNIT_1_RESERVED_FEN = 500_000  # 10 % of ¥50,000.00
UNIT_2_RESERVED_FEN = 200_000  # an amount: ¥2,000.00 of ¥10,000.00


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = YEAR) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class Clock:
    """``django.utils.timezone.now`` answers what it is set to (every service reads the
    time through it: order numbers, payment and refund moments, certificate validity)."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, moment: dt.datetime) -> None:
        self.now = moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@dataclass
class ReportWorld:
    ledger: object
    year: int
    tea: Product
    mutton: Product
    canned: Product
    noodles: Product
    event_a: LiveEvent
    event_b: LiveEvent
    event_region: LiveEvent
    village_a2: object
    township_a: object
    units: dict = field(default_factory=dict)  # name → (Organisation, its administrator and purchaser)
    orders: dict = field(default_factory=dict)

    def __getattr__(self, name):
        return getattr(self.ledger, name)


def _tag(order, product, event, attribution: str) -> None:
    OrderLine.objects.filter(suborder__order=order, product=product).update(
        live_event=event, live_attribution=attribution
    )


def _buy(w, clock, moment, items, *, buyer_type="individual", tag=None, **buyer):
    """Place at ``moment`` - 5 minutes, tag lines with a live event, pay at ``moment``."""
    from payments import services as payments
    from tests.factories import place_order_for

    clock.set(moment - dt.timedelta(minutes=5))
    order = place_order_for(items, buyer_type=buyer_type, **buyer)
    for product, event, attribution in tag or []:
        _tag(order, product, event, attribution)
    clock.set(moment)
    payments.record_transfer_receipt(order.pk, amount_fen=order.total_fen, reference=f"BANK-{order.pk}", by=w.admin)
    order.refresh_from_db()
    return order


def register_unit(name: str, credit_code: str, county: str, username: str, *, kind: str = "budget_unit"):
    """An organisation account registered through the procurement service by a person who
    thereby holds every role (administrator and purchaser). Returns (organisation, person)."""
    person = UserFactory(username=username, name=f"{name}采购员")
    organisation = procurement.register_organisation(
        person,
        procurement.OrganisationDetails(
            kind=kind, name=name, credit_code=credit_code, region=address_county(county), invoice_title=name
        ),
    )
    return organisation, person


def buying_for(unit) -> dict:
    """``_buy`` keywords placing an order for ``unit`` (organisation, purchaser) at checkout."""
    organisation, person = unit
    return {
        "buyer_type": organisation.kind,
        "organisation_name": organisation.name,
        "tax_id": organisation.credit_code,
        "buying_for": str(organisation.pk),
        "user": person,
    }


def set_quota(unit, year: int, planned_fen: int, **share_or_amount) -> None:
    organisation, person = unit
    admin = Member.objects.get(organisation=organisation, user=person)
    procurement.set_quota(admin, year, planned_fen, **share_or_amount)


def _line(order, product) -> OrderLine:
    return OrderLine.objects.get(suborder__order=order, product=product)


@pytest.fixture
def report_world(ledger_world, clock) -> ReportWorld:
    w = ledger_world
    # Categories: two levels, as the demo's.
    veg = CategoryFactory(slug="fruit-vegetables", name="果蔬", sort_order=1)
    tubers = CategoryFactory(slug="roots-tubers", name="山药薯类", parent=veg)
    grain = CategoryFactory(slug="grain-oil", name="粮油", sort_order=2)
    oil_cat = CategoryFactory(slug="edible-oil", name="食用油", parent=grain)
    noodles_cat = CategoryFactory(slug="flour-noodles", name="面粉粉条", parent=grain)
    snacks = CategoryFactory(slug="snacks", name="休闲食品", sort_order=3)
    tea_cat = CategoryFactory(slug="tea-drinks", name="茶饮冲调", parent=snacks)
    cooked = CategoryFactory(slug="cooked-pastry", name="熟食糕点", sort_order=5)
    meat_cat = CategoryFactory(slug="cooked-meats", name="卤味熟食", parent=cooked)
    Product.objects.filter(pk=w.yam.pk).update(category=tubers)
    Product.objects.filter(pk=w.oil.pk).update(category=oil_cat)
    w.yam.refresh_from_db()
    w.oil.refresh_from_db()

    # A second township and village of county A, with a workshop selling tea.
    *_, township_a2, village_a2 = region_chain(county="371722", township="371722102", village="371722102203")
    shop_a2 = ShopFactory(region=village_a2, name="李庄村电商服务站")
    workshop = ProducerFactory(shop=shop_a2, kind=Producer.Kind.WORKSHOP, name="李庄村扶贫车间", region=village_a2)
    tea = ProductFactory(shop=shop_a2, producer=workshop, category=tea_cat, title="芦笋茶", price_fen=3800, stock=500)
    zhao = HouseholdFactory(registration_number="371722102200000055", head_name="赵六", village=village_a2)
    collective_a2 = CollectiveFactory(village=village_a2, name="李庄村股份经济合作社")
    revise_benefit_linkage(
        tea,
        [
            ShareSpec(5000, BenefitMode.EMPLOYMENT, household=zhao),
            ShareSpec(2000, BenefitMode.DIVIDEND, collective=collective_a2),
        ],
    )
    # An enterprise of village A with no linkage (the producer keeps everything) ...
    enterprise = ProducerFactory(shop=w.shop_a, kind=Producer.Kind.ENTERPRISE, name="单县羊肉汤食品公司")
    mutton = ProductFactory(shop=w.shop_a, producer=enterprise, category=meat_cat, title="羊肉汤料包", price_fen=8800)
    # ... and one registered at county level (no village): its sales sit at the county itself.
    county_firm = ProducerFactory(
        shop=w.shop_a, kind=Producer.Kind.ENTERPRISE, name="单县芦笋罐头厂", region=w.county_a
    )
    canned = ProductFactory(shop=w.shop_a, producer=county_firm, category=veg, title="芦笋罐头", price_fen=1990)
    revise_benefit_linkage(canned, [ShareSpec(3333, BenefitMode.GUARANTEED_PURCHASE, household=w.wang)])
    # Sold once after its certificate was revoked: not consumption support.
    noodles = ProductFactory(shop=w.shop_a, producer=w.coop, category=noodles_cat, title="红薯粉皮", price_fen=2590)
    revise_benefit_linkage(noodles, [ShareSpec(5000, BenefitMode.GUARANTEED_PURCHASE, household=w.zhang)])

    # Every certificate runs through the whole year.
    Certificate.objects.update(valid_from=dt.date(YEAR - 1, 1, 1), valid_until=dt.date(YEAR + 1, 12, 31))

    event_a = LiveEvent.objects.create(
        title="单县山药直播节",
        scheduled_start=at(3, 10, 20),
        scheduled_end=at(3, 10, 22),
        actual_start=at(3, 10, 20, 5),
    )
    event_a.shops.add(w.shop_a)
    event_b = LiveEvent.objects.create(
        title="成武牡丹籽油专场", scheduled_start=at(3, 12, 20), scheduled_end=at(3, 12, 22)
    )
    event_b.shops.add(w.shop_b)
    event_region = LiveEvent.objects.create(
        title="单县商务局助农直播", region=w.county_a, scheduled_start=at(6, 18, 19), scheduled_end=at(6, 18, 21)
    )

    rw = ReportWorld(
        ledger=w,
        year=YEAR,
        tea=tea,
        mutton=mutton,
        canned=canned,
        noodles=noodles,
        event_a=event_a,
        event_b=event_b,
        event_region=event_region,
        village_a2=village_a2,
        township_a=w.village_a.parent,
    )
    units = rw.units
    units["单县财政局"] = register_unit("单县财政局", UNIT_1, "371722", "unit-shan-finance")
    units["成武县教育局"] = register_unit("成武县教育局", UNIT_2, "371723", "unit-chengwu-education")
    units["单县教育局"] = register_unit("单县教育局", UNIT_3, "371722", "unit-shan-education")
    units["单县总工会"] = register_unit("单县总工会", UNION, "371722", "unit-shan-union", kind="union")
    set_quota(units["单县财政局"], YEAR, 5_000_000, share_bp=1_000)
    set_quota(units["成武县教育局"], YEAR, 1_000_000, amount_fen=UNIT_2_RESERVED_FEN)
    o = rw.orders
    unit_1, unit_2 = buying_for(units["单县财政局"]), buying_for(units["成武县教育局"])
    o["jan"] = _buy(w, clock, at(1, 5), [(w.yam, 3), (w.oil, 1)])
    o["feb_unit"] = _buy(w, clock, at(2, 10, 9), [(w.yam, 10), (tea, 4)], **unit_1)
    o["live_a"] = _buy(w, clock, at(3, 10, 20, 30), [(w.yam, 2)], tag=[(w.yam, event_a, "in_live")])
    o["live_b"] = _buy(
        w,
        clock,
        at(3, 12, 21),
        [(w.oil, 2), (w.yam, 1)],
        tag=[(w.oil, event_b, "in_live"), (w.yam, event_b, "in_live")],
    )
    o["union"] = _buy(
        w,
        clock,
        at(3, 15, 14),
        [(w.yam, 1), (mutton, 2)],
        tag=[(w.yam, event_a, "post_live")],
        **buying_for(units["单县总工会"]),
    )
    # Either side of midnight, Asia/Shanghai (UTC 15:30 and 16:10 on March 31).
    o["late"] = _buy(
        w,
        clock,
        at(3, 31, 23, 30),
        [(tea, 2)],
        buyer_type="enterprise",
        organisation_name="菏泽某食品公司",
        tax_id=valid_credit_code("91371700MA0000004"),
    )
    o["early"] = _buy(w, clock, at(4, 1, 0, 10), [(canned, 5)])
    clock.set(at(4, 15, 11))
    refund_lines(w, o["feb_unit"], {_line(o["feb_unit"], w.yam): 4})

    # Uncertified: ordered while certified, certificate revoked before the money came.
    clock.set(at(5, 20, 9, 55))
    from tests.factories import place_order_for

    pending = place_order_for([(noodles, 3)])
    Certificate.objects.filter(product=noodles).update(revoked_at=at(5, 20, 10), revoke_reason="抽检不合格")
    clock.set(at(5, 20, 10, 10))
    from payments import services as payments

    payments.record_transfer_receipt(pending.pk, amount_fen=pending.total_fen, reference="BANK-NOODLES", by=w.admin)
    o["uncertified"] = pending
    clock.set(at(5, 25, 9))
    refund_lines(w, pending, {_line(pending, noodles): 1})

    o["window"] = _buy(w, clock, at(6, 18, 20), [(tea, 3)], tag=[(tea, event_region, "window")])
    clock.set(at(6, 20, 16))
    refund_lines(w, o["window"], {_line(o["window"], tea): 3})
    o["unit_2"] = _buy(w, clock, at(11, 5, 15), [(w.oil, 3), (w.yam, 2)], **unit_2)
    o["year_end"] = _buy(w, clock, at(12, 31, 23, 59), [(w.yam, 5)], **unit_1)

    clock.set(at(12, 31, 23, 59, year=YEAR) + dt.timedelta(minutes=30))
    return rw
