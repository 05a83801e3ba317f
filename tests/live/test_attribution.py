"""Which event an order line counts for, and how: in-live, post-live, window — at both
sides of every boundary. Orders go through the checkout service at a set moment; the
kind is read back from the order line and from its ledger entries after payment."""

import datetime as dt

import pytest

from attribution.models import LedgerEntry
from live.models import LiveAttribution
from orders.models import OrderLine
from tests.factories import FeaturedProductFactory, LiveEventFactory, ProductFactory

from .conftest import SECOND, local, pay, place, tag_of

pytestmark = pytest.mark.django_db

IN_LIVE, POST_LIVE, WINDOW = LiveAttribution.IN_LIVE, LiveAttribution.POST_LIVE, LiveAttribution.WINDOW


def attribution_of(order, product):
    line = OrderLine.objects.get(suborder__order=order, product=product)
    return (line.live_event_id, line.live_attribution)


def test_last_second_of_the_event_is_in_live_the_first_second_after_is_post_live(live_world):
    lw = live_world
    tagged = tag_of(lw.event_a, lw.start - dt.timedelta(hours=1))  # link shared before the stream

    last_second = place([(lw.w.yam, 1)], at=lw.end - SECOND, tag=tagged)
    first_after = place([(lw.w.yam, 1)], at=lw.end, tag=tagged)

    assert attribution_of(last_second, lw.w.yam) == (lw.event_a.pk, IN_LIVE)
    assert attribution_of(first_after, lw.w.yam) == (lw.event_a.pk, POST_LIVE)
    # The live price ends with the window too: ¥29.90 in the last second, ¥38.80 after.
    assert (last_second.total_fen, first_after.total_fen) == (2990, 3880)


def test_a_tag_is_worth_nothing_before_the_window_opens(live_world):
    lw = live_world
    tagged = tag_of(lw.event_a, lw.start - dt.timedelta(days=1))

    before = place([(lw.asparagus, 1)], at=lw.start - SECOND, tag=tagged)
    at_start = place([(lw.asparagus, 1)], at=lw.start, tag=tagged)

    assert attribution_of(before, lw.asparagus) == (None, "")
    assert attribution_of(at_start, lw.asparagus) == (lw.event_a.pk, IN_LIVE)


def test_post_live_runs_to_the_end_of_the_seventh_day_after_the_event_day(live_world):
    lw = live_world
    tagged = tag_of(lw.event_a, lw.start + dt.timedelta(minutes=5))
    # The event ends at 21:00 on its day; day 7 after it ends at 00:00 of the 8th day.
    post_live_end = local(lw.day + dt.timedelta(days=8), 0)
    assert lw.event_a.post_live_end == post_live_end

    last_second = place([(lw.w.yam, 2)], at=post_live_end - SECOND, tag=tagged)
    just_after = place([(lw.w.yam, 2)], at=post_live_end, tag=tagged)

    assert attribution_of(last_second, lw.w.yam) == (lw.event_a.pk, POST_LIVE)
    assert attribution_of(just_after, lw.w.yam) == (None, "")  # the tag lapsed


def test_a_featured_product_bought_in_the_window_without_the_code_is_window_sales(live_world):
    lw = live_world

    before = place([(lw.w.yam, 1)], at=lw.start - SECOND)
    first_second = place([(lw.w.yam, 1)], at=lw.start)
    last_second = place([(lw.w.yam, 1)], at=lw.end - SECOND)
    after = place([(lw.w.yam, 1)], at=lw.end)
    not_featured = place([(lw.asparagus, 1)], at=lw.start + dt.timedelta(minutes=30))

    assert attribution_of(before, lw.w.yam) == (None, "")
    assert attribution_of(first_second, lw.w.yam) == (lw.event_a.pk, WINDOW)
    assert attribution_of(last_second, lw.w.yam) == (lw.event_a.pk, WINDOW)
    assert attribution_of(after, lw.w.yam) == (None, "")
    assert attribution_of(not_featured, lw.asparagus) == (None, "")
    # Anybody buying in the window pays the live price, with or without the link.
    assert [o.total_fen for o in (before, first_second, last_second, after)] == [3880, 2990, 2990, 3880]


def test_a_non_featured_product_through_the_code_counts_only_for_the_events_own_shops(live_world):
    lw = live_world
    tagged = tag_of(lw.event_a, lw.start)
    other_shops_product = ProductFactory(shop=lw.w.shop_b, title="成武酱大头", price_fen=1590)

    order = place([(lw.asparagus, 1), (other_shops_product, 1)], at=lw.start + dt.timedelta(minutes=10), tag=tagged)

    assert attribution_of(order, lw.asparagus) == (lw.event_a.pk, IN_LIVE)
    assert attribution_of(order, other_shops_product) == (None, "")


def test_recorded_actual_times_replace_the_scheduled_ones(live_world):
    lw = live_world
    event = lw.event_a
    event.actual_start = event.scheduled_start + dt.timedelta(minutes=20)
    event.actual_end = event.scheduled_end + dt.timedelta(minutes=40)  # ran over
    event.save()
    tagged = tag_of(event, event.scheduled_start)

    scheduled_start = place([(lw.w.yam, 1)], at=event.scheduled_start, tag=tagged)
    overtime = place([(lw.w.yam, 1)], at=event.scheduled_end + dt.timedelta(minutes=39), tag=tagged)
    after_actual_end = place([(lw.w.yam, 1)], at=event.actual_end, tag=tagged)

    assert attribution_of(scheduled_start, lw.w.yam) == (None, "")  # before it actually went on air
    assert attribution_of(overtime, lw.w.yam) == (event.pk, IN_LIVE)
    assert attribution_of(after_actual_end, lw.w.yam) == (event.pk, POST_LIVE)


def test_a_tag_wins_over_another_events_window(live_world):
    lw = live_world
    # Event C features the yam at a later date; a buyer tagged by event A orders in C's window.
    later = LiveEventFactory(
        shops=[lw.w.shop_a],
        scheduled_start=lw.start + dt.timedelta(days=2),
        scheduled_end=lw.start + dt.timedelta(days=2, hours=1),
    )
    FeaturedProductFactory(event=later, product=lw.w.yam)
    tagged = tag_of(lw.event_a, lw.start)

    tagged_order = place([(lw.w.yam, 1)], at=later.window_start + SECOND, tag=tagged)
    untagged_order = place([(lw.w.yam, 1)], at=later.window_start + SECOND)

    assert attribution_of(tagged_order, lw.w.yam) == (lw.event_a.pk, POST_LIVE)
    assert attribution_of(untagged_order, lw.w.yam) == (later.pk, WINDOW)


def test_unpublished_events_attribute_nothing(live_world):
    lw = live_world
    lw.event_a.is_published = False
    lw.event_a.save()

    order = place([(lw.w.yam, 1)], at=lw.start + SECOND, tag=tag_of(lw.event_a, lw.start))

    assert attribution_of(order, lw.w.yam) == (None, "")
    assert order.total_fen == 3880  # and its live price is not offered


def test_the_ledger_entries_carry_the_event_and_the_kind_of_their_line(live_world):
    lw = live_world
    tagged = tag_of(lw.event_a, lw.start)
    order = place([(lw.w.yam, 2), (lw.w.oil, 1)], at=lw.start + dt.timedelta(minutes=1), tag=tagged)

    pay(lw.w, order, at=lw.start + dt.timedelta(minutes=3))

    yam_entries = LedgerEntry.objects.filter(order=order, product=lw.w.yam)
    oil_entries = LedgerEntry.objects.filter(order=order, product=lw.w.oil)
    # The yam came through event A's link; the oil, featured by event B and bought in its
    # window without B's code, is B's window sales.
    assert set(yam_entries.values_list("live_event", "live_attribution")) == {(lw.event_a.pk, IN_LIVE)}
    assert set(oil_entries.values_list("live_event", "live_attribution")) == {(lw.event_b.pk, WINDOW)}
    # The ledger splits the price paid: 2 × ¥29.90 over the yam's beneficiaries.
    assert sum(e.amount_fen for e in yam_entries) == 5980
    assert OrderLine.objects.get(suborder__order=order, product=lw.w.yam).unit_price_fen == 2990
