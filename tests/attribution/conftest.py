"""A small, explicit attribution world: one cooperative in 单县 selling yam through its
village shop, three registered households and the village collective sharing its sales,
and a second shop in 成武县 with one household of its own."""

from dataclasses import dataclass

import pytest

from core.roles import Role
from orders.models import OrderLine
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
)


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


@pytest.fixture
def ledger_world(role_groups) -> LedgerWorld:
    _p, city, county_a, _t, village_a = region_chain()
    *_, county_b, _tb, village_b = region_chain(county="371723", township="371723100", village="371723100201")
    operator_a = UserFactory(username="op-a", roles=[Role.SHOP_OPERATOR])
    operator_b = UserFactory(username="op-b", roles=[Role.SHOP_OPERATOR])
    shop_a = ShopFactory(region=village_a, operators=[operator_a], name="朱楼村电商服务站")
    shop_b = ShopFactory(region=village_b, operators=[operator_b], name="汶上村电商服务站")
    coop = ProducerFactory(shop=shop_a, name="单县浮岗山药专业合作社", kind=Producer.Kind.COOPERATIVE, region=village_a)
    yam = ProductFactory(shop=shop_a, producer=coop, title="单县铁棍山药", price_fen=3880, stock=500)
    oil = ProductFactory(shop=shop_b, title="成武牡丹籽油", price_fen=12800, stock=500)
    status = Household.Status.LIFTED_OUT
    zhang = HouseholdFactory(
        registration_number="371722100200000011", head_name="张小文", village=village_a, status=status
    )
    li = HouseholdFactory(registration_number="371722100200000022", head_name="李四", village=village_a, status=status)
    wang = HouseholdFactory(
        registration_number="371722100200000033", head_name="王大山", village=village_a, status=status
    )
    chen = HouseholdFactory(
        registration_number="371723100200000044", head_name="陈芳", village=village_b, status=status
    )
    collective = CollectiveFactory(village=village_a, name="朱楼村股份经济合作社")
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
    return LedgerWorld(
        city=city,
        county_a=county_a,
        county_b=county_b,
        village_a=village_a,
        village_b=village_b,
        shop_a=shop_a,
        shop_b=shop_b,
        operator_a=operator_a,
        operator_b=operator_b,
        officer_a=officer_for(county_a),
        officer_b=officer_for(county_b),
        officer_city=officer_for(city),
        admin=UserFactory(username="platform", roles=[Role.PLATFORM_ADMIN]),
        buyer=UserFactory(username="buyer-1", roles=[Role.BUYER]),
        coop=coop,
        yam=yam,
        oil=oil,
        zhang=zhang,
        li=li,
        wang=wang,
        chen=chen,
        collective=collective,
    )


@pytest.fixture
def sales(ledger_world) -> LedgerWorld:
    """Two yam orders (3 + 2 boxes), one oil order, a refund of one yam box."""
    w = ledger_world
    first = buy_and_pay(w, [(w.yam, 3), (w.oil, 1)], buyer_type="union")
    buy_and_pay(w, [(w.yam, 2)])
    refund_lines(w, first, {OrderLine.objects.get(suborder__order=first, product=w.yam): 1})
    return w


def buy_and_pay(world: LedgerWorld, products_quantities, *, buyer_type="individual", **buyer):
    """An order through the real checkout, paid in full by a bank transfer the platform
    administrator records."""
    if buyer_type != "individual":
        from tests.factories import valid_credit_code

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
