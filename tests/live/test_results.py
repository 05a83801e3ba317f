"""Per-event results: exact figures for a small set of sales of each kind (a refund, an
unpaid order, a returning buyer, a guest by e-mail), equal to sums over the ledger; viewer
figures from samples or hand-entered totals; conversion; uplift; bounded queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from attribution.models import BeneficiaryKind, EntryKind, LedgerEntry
from core.errors import DomainError
from live import services
from live.metrics import record_samples
from live.models import LiveAttribution
from live_results.selectors import event_results, events_results
from orders.models import OrderLine

from .conftest import clock, pay, place, refund_lines, tag_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(live_world):
    """Event A's sales, as described in the module docstring of each test."""
    lw, w = live_world, live_world.w
    minutes = lambda m: lw.start + dt.timedelta(minutes=m)  # noqa: E731
    tag = tag_of(lw.event_a, lw.start - dt.timedelta(hours=1))
    orders = {}

    def sale(name, products, at, *, tagged=True, paid=True, **buyer):
        order = place(products, at=at, tag=tag if tagged else None, **buyer)
        if paid:
            pay(w, order, at=at + dt.timedelta(minutes=5))
        orders[name] = order
        return order

    # Before the event: one order inside the 7 days before it, one outside.
    sale("long_before", [(w.yam, 1)], lw.start - dt.timedelta(days=8), tagged=False)
    sale("week_before", [(w.yam, 2)], lw.start - dt.timedelta(days=3), tagged=False)
    # In-live: the signed-in buyer twice, a guest once; one more order never paid.
    sale("in_1", [(w.yam, 3), (lw.asparagus, 1)], minutes(10), user=w.buyer)
    sale("in_2", [(w.yam, 1)], minutes(20), email="Li@Example.cn")
    sale("in_3", [(w.yam, 2)], minutes(30), user=w.buyer)
    sale("unpaid", [(w.yam, 1)], minutes(50), paid=False)
    # Post-live: the same guest (her address in other letter case), the next day.
    sale("post", [(w.yam, 1)], lw.end + dt.timedelta(days=1), email="li@example.cn")
    # Window: a buyer who came without the link.
    sale("window", [(w.yam, 2)], minutes(40), tagged=False, email="zhao@example.cn")
    # Event B's window sales of the oil, to show the events stay apart.
    sale("b_window", [(w.oil, 1)], minutes(45), tagged=False, email="sun@example.cn")
    # One of in_3's two yams is refunded.
    with clock(lw.end + dt.timedelta(hours=2)):
        refund_lines(w, orders["in_3"], {orders["in_3"].suborders.get().lines.get(): 1})
    return orders


def ledger_sum(**filters) -> int:
    return LedgerEntry.objects.filter(**filters).aggregate(s=Sum("amount_fen"))["s"] or 0


def test_figures_of_each_kind_are_exact(live_world, sales):
    lw = live_world
    results = event_results(lw.event_a, now=lw.end + dt.timedelta(days=2))
    in_live, post_live, attributed, window = results.in_live, results.post_live, results.attributed, results.window

    # 3 × ¥29.90 + ¥25.90, ¥29.90, 2 × ¥29.90 paid in-live; one ¥29.90 refunded.
    assert (in_live.orders, in_live.lines, in_live.units, in_live.units_refunded) == (3, 4, 6, 1)
    assert (in_live.gmv_fen, in_live.refunds_fen, in_live.net_fen) == (20530, -2990, 17540)
    assert in_live.buyers == 2  # the account (two orders) and the guest
    assert in_live.average_order_fen == 6843  # 20530 / 3 = 6843.33
    # Post-live, at the product's own price again.
    assert (post_live.orders, post_live.units, post_live.gmv_fen, post_live.net_fen, post_live.buyers) == (
        1,
        1,
        3880,
        3880,
        1,
    )
    # Together: the guest bought in both periods and counts once.
    assert (attributed.orders, attributed.lines, attributed.units, attributed.gmv_fen, attributed.net_fen) == (
        4,
        5,
        7,
        24410,
        21420,
    )
    assert attributed.buyers == 2
    # Window sales, apart: not in the attributed figures.
    assert (window.orders, window.units, window.gmv_fen, window.net_fen, window.buyers) == (1, 2, 5980, 5980, 1)
    # Beneficiaries: the yam's three households and collective; the asparagus has no linkage.
    assert (in_live.households, in_live.collectives) == (3, 1)
    assert (attributed.households, attributed.collectives, window.households) == (3, 1, 3)
    # Event B's window sales are B's only.
    b = event_results(lw.event_b)
    assert (b.window.orders, b.window.gmv_fen, b.attributed.orders) == (1, 12800, 0)


def test_results_equal_sums_over_the_ledger(live_world, sales):
    lw = live_world
    results = event_results(lw.event_a)
    event = lw.event_a
    for key, kinds in (
        ("in_live", [LiveAttribution.IN_LIVE]),
        ("post_live", [LiveAttribution.POST_LIVE]),
        ("attributed", [LiveAttribution.IN_LIVE, LiveAttribution.POST_LIVE]),
        ("window", [LiveAttribution.WINDOW]),
    ):
        figures = getattr(results, key)
        mine = {"live_event": event, "live_attribution__in": kinds}
        assert figures.gmv_fen == ledger_sum(kind=EntryKind.SALE, **mine), key
        assert figures.refunds_fen == ledger_sum(kind=EntryKind.REFUND, **mine), key
        assert figures.net_fen == ledger_sum(**mine), key
        assert figures.household_income_fen == ledger_sum(beneficiary_kind=BeneficiaryKind.HOUSEHOLD, **mine), key
        assert figures.collective_income_fen == ledger_sum(beneficiary_kind=BeneficiaryKind.COLLECTIVE, **mine), key
        assert figures.support_fen == ledger_sum(certified_at_payment=True, **mine), key
        assert figures.orders == LedgerEntry.objects.filter(**mine).values("order").distinct().count(), key
        # The lines paid for the event are exactly those the ledger names.
        lines = OrderLine.objects.filter(live_event=event, live_attribution__in=kinds, paid_at__isnull=False)
        assert (
            figures.lines == lines.count() == LedgerEntry.objects.filter(**mine).values("order_line").distinct().count()
        )
    # The yam's beneficiaries get the same shares of event money as of any other sale: the
    # households' in-live income is what their statements show for those order lines.
    household_lines = LedgerEntry.objects.filter(live_event=event, beneficiary_kind=BeneficiaryKind.HOUSEHOLD)
    assert (
        results.attributed.household_income_fen + results.window.household_income_fen
        == (household_lines.aggregate(s=Sum("amount_fen"))["s"])
    )
    assert results.attributed.household_income_fen > 0


def test_viewers_conversion_and_hand_entered_totals(live_world, sales):
    lw = live_world
    record_samples(
        lw.event_a.pk,
        [
            {
                "at": (lw.start + dt.timedelta(minutes=m)).isoformat(),
                "concurrent_viewers": c,
                "cumulative_views": v,
                "likes": k,
            }
            for m, c, v, k in ((10, 900, 20_000, 3000), (60, 2970, 90_000, 21_000), (110, 1500, 120_000, 56_000))
        ],
        token=None,
        now=lw.end,
    )
    results = event_results(lw.event_a)
    assert (results.viewers.peak_concurrent, results.viewers.total_views, results.viewers.likes) == (
        2970,
        120_000,
        56_000,
    )
    assert (results.viewers.samples, results.viewers.entered_by_hand) == (3, False)
    assert results.conversion_percent == Decimal("0.0017")  # 2 buyers / 120,000 views

    with pytest.raises(DomainError, match="直播结束后才能录入观看总数"):
        with clock(lw.end - dt.timedelta(seconds=1)):
            services.enter_totals(lw.event_a.pk, peak_viewers=297_000, total_views=None, likes=None, by=lw.w.operator_a)
    with clock(lw.end + dt.timedelta(hours=1)):
        services.enter_totals(
            lw.event_a.pk, peak_viewers=297_000, total_views=1_200_000, likes=None, by=lw.w.operator_a
        )
    lw.event_a.refresh_from_db()
    results = event_results(lw.event_a)
    # The hand-entered figures replace the samples'; the likes left blank keep theirs.
    assert (results.viewers.peak_concurrent, results.viewers.total_views, results.viewers.likes) == (
        297_000,
        1_200_000,
        56_000,
    )
    assert results.viewers.entered_by_hand
    assert results.conversion_percent == Decimal("0.0002")
    lw.event_b.refresh_from_db()
    assert event_results(lw.event_b).conversion_percent is None  # no views, no ratio


def test_uplift_compares_the_week_from_the_start_with_the_week_before(live_world, sales):
    lw = live_world
    uplift = event_results(lw.event_a, now=lw.end).uplift

    assert (uplift.before_from, uplift.start, uplift.during_until) == (
        lw.start - dt.timedelta(days=7),
        lw.start,
        lw.start + dt.timedelta(days=7),
    )
    # Before: the 2 yams three days before (the order eight days before is outside).
    assert uplift.before_fen == 7760
    # During: every paid yam placed in the week, whatever the kind, net of the refund;
    # the asparagus is not featured, the unpaid order is not in the ledger.
    assert uplift.during_fen == (3 * 2990 + 2990 + 2 * 2990 - 2990) + 3880 + 2 * 2990 == 24810
    assert (uplift.difference_fen, uplift.percent, uplift.complete) == (17050, Decimal("219.7"), False)
    assert event_results(lw.event_a, now=lw.start + dt.timedelta(days=7)).uplift.complete


def test_many_events_in_a_bounded_number_of_queries(live_world, sales, django_assert_max_num_queries):
    from tests.factories import FeaturedProductFactory, LiveEventFactory

    lw = live_world
    extra = [LiveEventFactory(shops=[lw.w.shop_a]) for _ in range(5)]
    for event in extra:
        FeaturedProductFactory(event=event, product=lw.asparagus)
    events = [lw.event_a, lw.event_b, *extra]

    with django_assert_max_num_queries(8):
        batch = events_results(events)

    single = event_results(lw.event_a)
    assert batch[lw.event_a.pk].attributed == single.attributed
    assert batch[lw.event_a.pk].window == single.window
    assert batch[lw.event_a.pk].uplift.during_fen == single.uplift.during_fen
    assert batch[lw.event_b.pk].window.gmv_fen == 12800
    assert all(batch[e.pk].attributed.orders == 0 for e in extra)
