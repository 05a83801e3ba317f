"""Every paid line's ledger entries record where the sale came from, as at payment: its
channel (线上商城, 直播带货, 单位采购) and the pairing it counts under — by the organisation
that placed it, else by the buyer's delivery county against the product's producer, among
the pairings in force that Shanghai day, the most specific winning — and a refund's
entries repeat their sale's, whatever changed since."""

import datetime as dt

import pytest
from django.utils import timezone

from attribution.models import LedgerEntry
from orders.models import AddressRegion
from sales_channels.models import Channel, Pairing, PairingKind
from tests.factories import UserFactory
from tests.live.conftest import live_world, local, pay, place, tag_of  # noqa: F401  (the fixture)
from tests.procurement.helpers import checkout_for, organisation_post, sign_in
from tests.worlds import buy_and_pay, refund_lines

pytestmark = pytest.mark.django_db


def region(code: str) -> AddressRegion:
    return AddressRegion.objects.filter(code=code).order_by("-level").first()


def pairing(name, helped="371722", *, helping="3701", organisation=None, kind=PairingKind.EAST_WEST, **dates):
    return Pairing.objects.create(
        kind=kind,
        name=name,
        helping_region=None if organisation else region(helping),
        helping_organisation=organisation,
        helped_region=region(helped),
        valid_from=dates.get("valid_from", dt.date(2020, 1, 1)),
        valid_to=dates.get("valid_to"),
    )


def sources(order) -> set:
    return set(
        LedgerEntry.objects.filter(order=order).values_list("order_line__product__title", "kind", "channel", "pairing")
    )


def test_a_storefront_sale_without_pairing(ledger_world):
    w = ledger_world
    pairing("济南→单县")  # the buyer ships to 单县 itself: not the helping side
    order = buy_and_pay(w, [(w.yam, 1)])
    assert sources(order) == {("单县铁棍山药", "sale", Channel.ONLINE, None)}


def test_the_buyers_county_against_the_producers_the_most_specific_in_force(ledger_world):
    w = ledger_world
    today = timezone.localdate()
    province = pairing("山东省→菏泽市", helped="3717", helping="37")  # contains both sides: never chosen
    pairing("济南→单县（已到期）", valid_to=today - dt.timedelta(days=1))
    pairing("济南→单县（未开始）", valid_from=today + dt.timedelta(days=1))
    city = pairing("济南→菏泽", helped="3717")
    county = pairing("济南→单县")
    order = buy_and_pay(w, [(w.yam, 1), (w.oil, 1)], ship_region=region("370102"))  # 济南市历下区
    assert sources(order) == {
        ("单县铁棍山药", "sale", Channel.ONLINE, county.pk),  # 单县 beats 菏泽 for a 单县 producer
        ("成武牡丹籽油", "sale", Channel.ONLINE, city.pk),  # 成武县 is only under 菏泽's
    }
    assert province.pk not in {p for *_rest, p in sources(order)}
    # The refund's entries repeat the sale's, though the county's pairing has ended since.
    Pairing.objects.filter(pk=county.pk).update(valid_to=today - dt.timedelta(days=30))
    yam_line = order.suborders.get(shop=w.shop_a).lines.get()
    refund_lines(w, order, {yam_line: 1})
    assert ("单县铁棍山药", "refund", Channel.ONLINE, county.pk) in sources(order)


def test_an_organisations_order_is_institutional_under_its_own_pairing(ledger_world):
    from procurement.models import Organisation

    w = ledger_world
    admin = UserFactory(username="unit-admin", name="赵主任", mobile="13600000001")
    data = organisation_post(name="济南市某局", county="370102", city="3701")
    assert sign_in(admin).post("/org/new/", data).status_code == 302
    unit = Organisation.objects.get()
    by_region = pairing("济南→单县")
    by_unit = pairing("济南市某局结对单县", organisation=unit, kind=PairingKind.UNIT)
    order = checkout_for(w, admin, unit, [(w.yam, 2)], pay=True, province="37", city="3701", county="370102")
    assert sources(order) == {("单县铁棍山药", "sale", Channel.INSTITUTIONAL, by_unit.pk)}
    # Someone else shipping to 济南 with the unit's name typed is an institution, by region.
    typed = buy_and_pay(w, [(w.yam, 1)], buyer_type="budget_unit", ship_region=region("370102"))
    assert sources(typed) == {("单县铁棍山药", "sale", Channel.INSTITUTIONAL, by_region.pk)}


def test_a_live_events_line_is_live(live_world):  # noqa: F811
    lw = live_world
    at = local(lw.day, 19, 30)
    order = pay(lw.w, place([(lw.w.yam, 1)], at=at, tag=tag_of(lw.event_a, at)), at=at)
    assert sources(order) == {("单县铁棍山药", "sale", Channel.LIVE, None)}
