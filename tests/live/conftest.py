"""Live events on top of the ledger world (tests/worlds.py, as tests/attribution uses it):
shop A in 单县 sells yam (¥38.80, shared by three households and the collective) and
asparagus, shop B in 成武县 sells peony oil. Event A is shop A's broadcast tomorrow
19:00–21:00 (Asia/Shanghai) featuring the yam at a live price of ¥29.90; event B is shop
B's, at the same time, featuring the oil at its own price."""

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

import pytest
from django.utils import timezone

from live.attribution import LiveTag
from live.pricing import quotes_at
from orders.services import CheckoutLine, place_order
from payments import services as payments
from tests.factories import FeaturedProductFactory, LiveEventFactory, ProductFactory, buyer_details
from tests.worlds import LedgerWorld, refund_lines

__all__ = ["refund_lines"]  # the tests import it from here

SHANGHAI = timezone.get_default_timezone()
SECOND = dt.timedelta(seconds=1)


@contextmanager
def clock(moment: dt.datetime):
    """Every ``timezone.now()`` (services, auto_now fields, localdate) answers ``moment``."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def local(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=SHANGHAI)


@pytest.fixture
def pages(db):
    """The storefront's page tree with the live events page (/live/) under it."""
    from cms.setup import ensure_live_page

    return ensure_live_page()


@dataclass
class LiveWorld:
    w: LedgerWorld
    asparagus: object
    event_a: object
    event_b: object
    yam_feature: object
    day: dt.date  # the day of both events

    @property
    def start(self) -> dt.datetime:
        return self.event_a.window_start

    @property
    def end(self) -> dt.datetime:
        return self.event_a.window_end


@pytest.fixture
def live_world(ledger_world) -> LiveWorld:
    w = ledger_world
    day = timezone.localdate() + dt.timedelta(days=2)
    asparagus = ProductFactory(shop=w.shop_a, producer=w.coop, title="单县白芦笋", price_fen=2590, stock=300)
    event_a = LiveEventFactory(
        title="单县山药直播专场", shops=[w.shop_a], scheduled_start=local(day, 19), scheduled_end=local(day, 21)
    )
    event_b = LiveEventFactory(
        title="成武牡丹籽油直播", shops=[w.shop_b], scheduled_start=local(day, 19), scheduled_end=local(day, 21)
    )
    yam_feature = FeaturedProductFactory(event=event_a, product=w.yam, event_price_fen=2990)
    FeaturedProductFactory(event=event_b, product=w.oil)
    return LiveWorld(w=w, asparagus=asparagus, event_a=event_a, event_b=event_b, yam_feature=yam_feature, day=day)


def tag_of(event, at: dt.datetime) -> LiveTag:
    return LiveTag(event.pk, at)


def place(products_quantities, *, at: dt.datetime, tag: LiveTag | None = None, user=None, **buyer):
    """An order through the checkout service at the moment ``at``, at the prices of that
    moment, every line carrying ``tag`` (as a tagged cart would)."""
    with clock(at):
        quotes = quotes_at([p for p, _q in products_quantities], at)
        return place_order(
            lines=[CheckoutLine(p.pk, q, quotes[p.pk].price_fen, tag) for p, q in products_quantities],
            buyer=buyer_details(**buyer),
            payment_method="transfer",
            user=user,
        )


def pay(world: LedgerWorld, order, *, at: dt.datetime):
    """The platform administrator records the whole transfer at ``at``."""
    with clock(at):
        payments.record_transfer_receipt(
            order.pk, amount_fen=order.total_fen, reference=f"BANK-{order.pk}", by=world.admin
        )
    order.refresh_from_db()
    return order
