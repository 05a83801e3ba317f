"""Receipt confirms itself: a sub-order shipped AUTO_CONFIRM_DAYS (10) Asia/Shanghai days ago
that its buyer has not confirmed is completed by the beat task ``orders.auto_confirm_receipts``
through the order's transition table, as the system, with 系统自动确认收货 in the history.

The clock: orders are placed and paid today; "now" is 10:00 of a day D three weeks ahead (in
Shanghai), within the products' certificates. A parcel shipped on D − 10 (even at 23:59)
confirms itself; one shipped on D − 9 at 00:00 waits until the next morning."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.checks import run_checks
from django.utils import timezone

from orders.models import FulfilmentStatus, OrderEvent, SubOrder
from orders.services import apply_transition, auto_confirm_receipts
from orders.tasks import auto_confirm_receipts as auto_confirm_task
from orders.transitions import Actor, Target
from payments.services import confirm_payment
from tests.factories import place_order_for

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = timezone.localdate() + dt.timedelta(days=21)


def at(days_before: int, hour: int, minute: int = 0) -> dt.datetime:
    """``hour``:``minute`` in Shanghai, ``days_before`` days before day D."""
    return dt.datetime.combine(D - dt.timedelta(days=days_before), dt.time(hour, minute), tzinfo=SHANGHAI)


NOW = at(0, 10)
TEN_DAYS_AGO_LATE = at(10, 23, 59)
NINE_DAYS_AGO_EARLY = at(9, 0, 0)


def shipped_suborder(world, product, when: dt.datetime, *, user=None) -> SubOrder:
    """A one-shop order, placed and paid now, shipped at ``when``."""
    order = place_order_for([(product, 1)], user=user)
    confirm_payment(
        order.pk, amount_fen=order.total_fen, currency="CNY", method="transfer", reference=f"ICBC-{order.pk}"
    )
    suborder = order.suborders.get()
    operator = world.operator_a if product.shop_id == world.shop_a.pk else world.operator_b
    with time_machine.travel(when, tick=False):
        apply_transition(
            Target.SUBORDER,
            suborder.pk,
            "ship",
            by=operator,
            actor=Actor.OPERATOR,
            carrier="中国邮政",
            tracking_number="E1",
        )
    suborder.refresh_from_db()
    return suborder


def test_ten_days_after_shipping_the_parcel_confirms_itself_nine_days_waits(shop_world):
    w = shop_world
    due = shipped_suborder(w, w.yam, TEN_DAYS_AGO_LATE)
    waiting = shipped_suborder(w, w.oil, NINE_DAYS_AGO_EARLY)
    confirmed = shipped_suborder(w, w.yam, TEN_DAYS_AGO_LATE - dt.timedelta(days=3))
    buyer_confirmed_at = TEN_DAYS_AGO_LATE
    with time_machine.travel(buyer_confirmed_at, tick=False):
        apply_transition(Target.SUBORDER, confirmed.pk, "complete", by=None, actor=Actor.SYSTEM, note="买家已确认")
    events_before = OrderEvent.objects.count()

    with time_machine.travel(NOW, tick=False):
        assert auto_confirm_receipts() == 1

    due.refresh_from_db()
    waiting.refresh_from_db()
    confirmed.refresh_from_db()
    assert (due.status, due.completed_at) == (FulfilmentStatus.COMPLETED, NOW)
    assert (waiting.status, waiting.completed_at) == (FulfilmentStatus.SHIPPED, None)
    assert (confirmed.status, confirmed.completed_at) == (FulfilmentStatus.COMPLETED, buyer_confirmed_at)
    # Exactly one history entry, on the due parcel's order: the system, its note, the moment.
    assert OrderEvent.objects.count() == events_before + 1
    event = OrderEvent.objects.latest("pk")
    assert (event.order_id, event.suborder_id, event.action) == (due.order_id, due.pk, "complete")
    assert (event.from_status, event.to_status) == ("shipped", "completed")
    assert (event.actor, event.note, event.at) == (None, "系统自动确认收货", NOW)
    assert event.get_action_label() == "确认收货"

    # A second run (or the next hour's) finds nothing more; the ninth-day parcel goes the next morning.
    with time_machine.travel(NOW, tick=False):
        assert auto_confirm_receipts() == 0
    with time_machine.travel(at(0, 23, 59), tick=False):
        assert auto_confirm_receipts() == 0
    with time_machine.travel(at(-1, 0, 15), tick=False):
        assert auto_confirm_receipts() == 1
    waiting.refresh_from_db()
    assert waiting.status == FulfilmentStatus.COMPLETED
    assert OrderEvent.objects.count() == events_before + 2


def test_the_buyer_sees_the_automatic_confirmation_in_the_order_history(client, shop_world):
    w = shop_world
    suborder = shipped_suborder(w, w.yam, TEN_DAYS_AGO_LATE, user=w.buyer)
    with time_machine.travel(NOW, tick=False):
        auto_confirm_receipts()
    client.force_login(w.buyer)
    page = client.get(f"/orders/{suborder.order.number}/").content.decode()
    assert f"{D:%Y-%m-%d} 10:00 · 朱楼村电商服务站：确认收货（系统自动确认收货）" in page
    assert 'name="suborder"' not in page  # nothing left to confirm by hand


def test_batches_take_every_due_parcel_and_parcels_not_shipped_stay(shop_world):
    w = shop_world
    due = [shipped_suborder(w, w.yam, TEN_DAYS_AGO_LATE - dt.timedelta(days=i)) for i in range(5)]
    paid = place_order_for([(w.oil, 1)])
    confirm_payment(paid.pk, amount_fen=paid.total_fen, currency="CNY", method="transfer", reference=f"ICBC-{paid.pk}")
    unpaid = place_order_for([(w.oil, 1)])
    with time_machine.travel(NOW, tick=False):
        assert auto_confirm_receipts(batch=2) == 5
    assert set(SubOrder.objects.filter(pk__in=[s.pk for s in due]).values_list("status", flat=True)) == {"completed"}
    assert paid.suborders.get().status == FulfilmentStatus.PAID
    assert unpaid.suborders.get().status == FulfilmentStatus.AWAITING_PAYMENT
    assert OrderEvent.objects.filter(note="系统自动确认收货").count() == 5


def test_the_number_of_days_is_a_setting(shop_world, settings):
    settings.AUTO_CONFIRM_DAYS = 3
    w = shop_world
    three = shipped_suborder(w, w.yam, at(3, 9))
    two = shipped_suborder(w, w.oil, at(2, 0))
    with time_machine.travel(NOW, tick=False):
        assert auto_confirm_receipts() == 1
    three.refresh_from_db()
    two.refresh_from_db()
    assert (three.status, two.status) == (FulfilmentStatus.COMPLETED, FulfilmentStatus.SHIPPED)


def test_the_beat_task_runs_it_every_hour(shop_world):
    w = shop_world
    suborder = shipped_suborder(w, w.yam, TEN_DAYS_AGO_LATE)
    entry = settings.CELERY_BEAT_SCHEDULE["orders-auto-confirm-receipts"]
    assert entry["task"] == auto_confirm_task.name == "orders.auto_confirm_receipts"
    assert entry["schedule"].minute == {15} and len(entry["schedule"].hour) == 24
    assert settings.AUTO_CONFIRM_DAYS == 10
    with time_machine.travel(NOW, tick=False):
        assert auto_confirm_task.delay().get() == 1
    suborder.refresh_from_db()
    assert suborder.status == FulfilmentStatus.COMPLETED


@pytest.mark.parametrize("days", [0, -1])
def test_a_number_of_days_below_one_stops_the_start(settings, days):
    settings.AUTO_CONFIRM_DAYS = days
    assert [e.id for e in run_checks() if e.id.startswith("orders.")] == ["orders.E002"]
    settings.AUTO_CONFIRM_DAYS = 1
    assert [e.id for e in run_checks() if e.id.startswith("orders.")] == []
