"""The price a product's page shows (``live.pricing.shown_quote``, from the kept live
prices, no query) is the price checkout charges (``quote_at``, read from the database) at
every moment, and after every change of an event or a featured product."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from live.pricing import quote_at, shown_quote
from tests.factories import FeaturedProductFactory, LiveEventFactory

from .conftest import SECOND, local

pytestmark = pytest.mark.django_db


def moments(lw):
    start, end = lw.start, lw.end
    return [start - dt.timedelta(hours=3), start - SECOND, start, start + dt.timedelta(minutes=30), end - SECOND, end]


def assert_same(lw, products):
    for at in moments(lw):
        for product in products:
            assert shown_quote(product, at) == quote_at(product, at), (product.title, at)


def test_the_shown_price_is_the_charged_price_through_every_change(live_world):
    lw = live_world
    products = [lw.w.yam, lw.w.oil, lw.asparagus]
    assert_same(lw, products)
    assert shown_quote(lw.w.yam, lw.start).price_fen == 2990

    # A second event at the same time with a lower price for the yam: the lowest applies.
    rival = LiveEventFactory(
        title="菏泽年货直播", shops=[lw.w.shop_a], scheduled_start=local(lw.day, 20), scheduled_end=local(lw.day, 22)
    )
    FeaturedProductFactory(event=rival, product=lw.w.yam, event_price_fen=2500)
    assert shown_quote(lw.w.yam, local(lw.day, 20, 30)).price_fen == 2500
    assert_same(lw, products)

    # A live price above the product's own price never applies.
    FeaturedProductFactory(event=lw.event_b, product=lw.asparagus, event_price_fen=9900)
    assert_same(lw, products)

    # The price changed, the event ended early, then unpublished.
    lw.yam_feature.event_price_fen = 2790
    lw.yam_feature.save()
    assert_same(lw, products)
    lw.event_a.actual_start = lw.start
    lw.event_a.actual_end = lw.start + dt.timedelta(minutes=10)
    lw.event_a.save()
    assert_same(lw, products)
    assert shown_quote(lw.w.yam, lw.start + dt.timedelta(minutes=15)).price_fen == lw.w.yam.price_fen
    rival.is_published = False
    rival.save()
    assert_same(lw, products)
    assert shown_quote(lw.w.yam, local(lw.day, 20, 30)).price_fen == lw.w.yam.price_fen


def test_no_query_while_the_live_prices_are_kept(live_world):
    lw = live_world
    shown_quote(lw.w.yam, lw.start)
    with CaptureQueriesContext(connection) as queries:
        for at in moments(lw):
            shown_quote(lw.w.yam, at)
    assert len(queries) == 0
