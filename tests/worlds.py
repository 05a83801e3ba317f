"""The shared test worlds: the two-county world, and the ledger world stocked on top of it.

The two-county world (``build_two_county_world``, finished by ``TwoCountyWorld.add_staff``)
is the cast most areas test with. Regions come from the official division codes::

    山东省 37 ─ 菏泽市 3717 ┬ 单县 371722 (county A) ─ 浮岗镇 371722100 ─ village 371722100201 (village A)
                            └ 成武县 371723 (county B) ─ 汶上镇 371723100 ─ village 371723100201 (village B)

    shop A in village A, run by operator A; shop B in village B, run by operator B
    a commerce bureau with its officer for county A, for county B and for the city (add_staff)
    if asked: the platform administrator and a buyer (add_staff)

Who builds on it, each in its own conftest, adding its own producers, products, households,
collectives and benefit linkages between the two steps:

    tests/admin/conftest.py          ``world``: a producer, a certified product and a household in
                                     each county, one category, village A's collective
    tests/certification/conftest.py  ``world``: a cooperative with an uncertified product in each
                                     county, two households and a collective sharing each product
    this module, ``build_ledger_world`` (the ``ledger_world`` fixture of tests/conftest.py):
                                     the yam cooperative of county A with four households and the
                                     village collective, peony oil in county B; used by
                                     tests/attribution, and extended by tests/reports
                                     (``report_world``: a year of sales) and tests/live
                                     (``live_world``: two live events)

Each area keeps its own names (usernames, shop names) and returns its own world dataclass,
with the attribute names its tests use (``area_world`` copies the shared rows into it).

Order matters: tests see ids, sequence-numbered names (``user12``, ``测试商务局3``) and
"first"/"latest" rows, all of which follow the order rows are made in. So the steps keep the
order every area has always used: regions, operators, shops, then the area's own stock, and
only then the officers, administrator and buyer (certifying a product in the stock already
makes a bureau and a user, which come before the officers' own)."""

from dataclasses import dataclass, fields

from core.roles import Role
from payments import services as payments
from producers.models import BenefitMode, Household, Producer
from producers.services import ShareSpec, revise_benefit_linkage
from tests.factories import (
    CollectiveFactory,
    HouseholdFactory,
    ProducerFactory,
    ProductFactory,
    ShopFactory,
    UserFactory,
    officer_for,
    place_order_for,
    region_chain,
    valid_credit_code,
)

# --- the two-county world ---------------------------------------------------------------------------------


@dataclass
class TwoCountyWorld:
    province: object
    city: object
    county_a: object
    township_a: object
    village_a: object
    county_b: object
    township_b: object
    village_b: object
    operator_a: object
    operator_b: object
    shop_a: object
    shop_b: object
    # Made by add_staff, after the area's own stock:
    officer_a: object = None
    officer_b: object = None
    officer_city: object = None
    admin: object = None
    buyer: object = None

    def add_staff(
        self,
        *,
        officers: tuple[str, str, str] | None = None,
        admin: str | None = None,
        buyer: str | None = None,
    ) -> "TwoCountyWorld":
        """The officers of county A, county B and the city, each with a bureau named after its
        region (``officers``: their usernames; by default the factory's numbered ones); then the
        platform administrator and a buyer, when their usernames are given."""
        a, b, city = ({"username": name} for name in officers) if officers else ({}, {}, {})
        self.officer_a = officer_for(self.county_a, **a)
        self.officer_b = officer_for(self.county_b, **b)
        self.officer_city = officer_for(self.city, **city)
        if admin:
            self.admin = UserFactory(username=admin, roles=[Role.PLATFORM_ADMIN])
        if buyer:
            self.buyer = UserFactory(username=buyer, roles=[Role.BUYER])
        return self


def build_two_county_world(*, operators: tuple[str, str], shops: tuple[str, str]) -> TwoCountyWorld:
    """Regions of both counties, the operators (``operators``: usernames of A and B) and their
    shops (``shops``: names of A and B). Call ``add_staff`` once the area's stock is made."""
    province, city, county_a, township_a, village_a = region_chain()
    *_, county_b, township_b, village_b = region_chain(county="371723", township="371723100", village="371723100201")
    operator_a = UserFactory(username=operators[0], roles=[Role.SHOP_OPERATOR])
    operator_b = UserFactory(username=operators[1], roles=[Role.SHOP_OPERATOR])
    return TwoCountyWorld(
        province=province,
        city=city,
        county_a=county_a,
        township_a=township_a,
        village_a=village_a,
        county_b=county_b,
        township_b=township_b,
        village_b=village_b,
        operator_a=operator_a,
        operator_b=operator_b,
        shop_a=ShopFactory(name=shops[0], region=village_a, operators=[operator_a]),
        shop_b=ShopFactory(name=shops[1], region=village_b, operators=[operator_b]),
    )


def area_world(cls, world: TwoCountyWorld, **own):
    """An area's world dataclass ``cls``: the fields given in ``own``, and every other field
    taken from the two-county world by the same name."""
    shared = {f.name: getattr(world, f.name) for f in fields(cls) if f.name not in own}
    return cls(**shared, **own)


# --- the ledger world: the two-county world stocked for sales ---------------------------------------------


@dataclass
class LedgerWorld:
    city: object
    county_a: object
    county_b: object
    village_a: object
    village_b: object
    shop_a: object
    shop_b: object
    operator_a: object
    operator_b: object
    officer_a: object
    officer_b: object
    officer_city: object
    admin: object
    buyer: object
    coop: object
    yam: object
    oil: object
    zhang: object
    li: object
    wang: object
    chen: object
    collective: object


def build_ledger_world() -> LedgerWorld:
    """One cooperative in 单县 selling yam (¥38.80) through its village shop, three registered
    households and the village collective sharing its sales; peony oil (¥128.00) of the shop
    in 成武县 with one household of its own. Both certified, 500 in stock."""
    w = build_two_county_world(operators=("op-a", "op-b"), shops=("朱楼村电商服务站", "汶上村电商服务站"))
    coop = ProducerFactory(
        shop=w.shop_a, name="单县浮岗山药专业合作社", kind=Producer.Kind.COOPERATIVE, region=w.village_a
    )
    yam = ProductFactory(shop=w.shop_a, producer=coop, title="单县铁棍山药", price_fen=3880, stock=500)
    oil = ProductFactory(shop=w.shop_b, title="成武牡丹籽油", price_fen=12800, stock=500)
    status = Household.Status.LIFTED_OUT
    zhang = HouseholdFactory(
        registration_number="371722100200000011", head_name="张小文", village=w.village_a, status=status
    )
    li = HouseholdFactory(
        registration_number="371722100200000022", head_name="李四", village=w.village_a, status=status
    )
    wang = HouseholdFactory(
        registration_number="371722100200000033", head_name="王大山", village=w.village_a, status=status
    )
    chen = HouseholdFactory(
        registration_number="371723100200000044", head_name="陈芳", village=w.village_b, status=status
    )
    collective = CollectiveFactory(village=w.village_a, name="朱楼村股份经济合作社")
    revise_benefit_linkage(
        yam,
        [
            ShareSpec(3000, BenefitMode.GUARANTEED_PURCHASE, household=zhang),
            ShareSpec(2500, BenefitMode.EMPLOYMENT, household=li),
            ShareSpec(1000, BenefitMode.DIVIDEND, household=wang),
            ShareSpec(1500, BenefitMode.DIVIDEND, collective=collective),
        ],
    )
    revise_benefit_linkage(oil, [ShareSpec(4000, BenefitMode.GUARANTEED_PURCHASE, household=chen)])
    w.add_staff(admin="platform", buyer="buyer-1")
    return area_world(
        LedgerWorld, w, coop=coop, yam=yam, oil=oil, zhang=zhang, li=li, wang=wang, chen=chen, collective=collective
    )


def buy_and_pay(world: LedgerWorld, products_quantities, *, buyer_type="individual", **buyer):
    """An order through the real checkout, paid in full by a bank transfer the platform
    administrator records."""
    if buyer_type != "individual":
        buyer.update(organisation_name="单县财政局", tax_id=valid_credit_code())
    order = place_order_for(products_quantities, buyer_type=buyer_type, **buyer)
    payments.record_transfer_receipt(order.pk, amount_fen=order.total_fen, reference=f"BANK-{order.pk}", by=world.admin)
    order.refresh_from_db()
    return order


def refund_lines(world: LedgerWorld, order, quantities: dict):
    """Refund ``{order line: quantity}`` by hand (a transfer order), as the admin."""
    return payments.refund_by_hand(
        order.pk,
        lines={line.pk: q for line, q in quantities.items()},
        reference=f"REFUND-{order.pk}-{sum(quantities.values())}",
        reason="破损",
        by=world.admin,
    )
