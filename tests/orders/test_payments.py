"""Money in and out through payments.services: full and partial receipts,
over-payment refused, mismatches flagged (never marking paid), idempotency on the
provider event and reference, units sold, refunds never above what was paid, stock back
only for goods not shipped, and lapsed reservations returning stock."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from catalog.models import Product
from core.errors import DomainError
from orders.models import Order, OrderLine, SubOrder
from orders.services import apply_transition, expire_unpaid_orders
from orders.transitions import Actor, Target
from payments.models import Payment, Refund
from payments.services import (
    confirm_payment,
    confirm_refund,
    record_refund,
    record_transfer_receipt,
    refund_by_hand,
)
from tests.factories import place_order_for

pytestmark = pytest.mark.django_db


def _product(pk):
    return Product.objects.get(pk=pk)


@pytest.fixture
def order(shop_world):
    return place_order_for([(shop_world.yam, 2), (shop_world.oil, 1)])  # 7760 + 12800 = 20560


def test_card_payment_of_the_full_amount_marks_paid_and_counts_units(shop_world, order):
    payment = confirm_payment(order.pk, amount_fen=20560, currency="CNY", method="card", reference="pi_1", by=None)
    order.refresh_from_db()
    assert (payment.status, order.status, order.paid_fen) == ("accepted", "paid", 20560)
    assert set(order.suborders.values_list("status", flat=True)) == {"paid"}
    assert (_product(shop_world.yam.pk).units_sold, _product(shop_world.oil.pk).units_sold) == (2, 1)
    lines = OrderLine.objects.filter(suborder__order=order)
    assert all(line.paid_at and line.certified_at_payment for line in lines)


@pytest.mark.parametrize(
    "kwargs, reason",
    [
        ({"amount_fen": 20000, "currency": "CNY", "method": "card"}, "金额 ¥200.00 与应收 ¥205.60 不符"),
        ({"amount_fen": 20560, "currency": "USD", "method": "card"}, "币种 USD 与订单币种 CNY 不符"),
        ({"amount_fen": 20560, "currency": "usd", "method": "transfer"}, "币种 usd 与订单币种 CNY 不符"),
    ],
)
def test_mismatch_is_flagged_not_accepted(shop_world, order, kwargs, reason):
    payment = confirm_payment(order.pk, reference="ref-x", **kwargs)
    order.refresh_from_db()
    assert (payment.status, payment.flag_reason) == ("flagged", reason)
    assert (order.status, order.paid_fen) == ("awaiting_payment", 0)
    assert _product(shop_world.yam.pk).units_sold == 0


def test_payment_for_a_cancelled_order_is_flagged(shop_world, order):
    apply_transition(Target.ORDER, order.pk, "cancel", by=None, actor=Actor.SYSTEM)
    payment = confirm_payment(order.pk, amount_fen=20560, currency="CNY", method="card", reference="pi_late")
    assert payment.status == "flagged" and "已取消" in payment.flag_reason
    assert Order.objects.get(pk=order.pk).paid_fen == 0


def test_duplicate_event_ten_times_makes_one_payment(shop_world, order):
    payments = [
        confirm_payment(
            order.pk, amount_fen=20560, currency="CNY", method="card", reference="pi_dup", provider_event_id="evt_1"
        )
        for _ in range(10)
    ]
    assert len({p.pk for p in payments}) == 1
    assert Payment.objects.count() == 1
    order.refresh_from_db()
    assert order.paid_fen == 20560
    assert _product(shop_world.yam.pk).units_sold == 2  # counted once


def test_reference_used_for_another_order_is_refused(shop_world, order):
    other = place_order_for([(shop_world.yam, 1)])
    confirm_payment(order.pk, amount_fen=100, currency="CNY", method="transfer", reference="BANK-1")
    with pytest.raises(DomainError, match="已用于另一订单"):
        confirm_payment(other.pk, amount_fen=100, currency="CNY", method="transfer", reference="BANK-1")


def test_partial_transfer_receipts_then_paid(shop_world, order, django_capture_on_commit_callbacks):
    record_transfer_receipt(order.pk, amount_fen=10000, reference="BANK-A", by=shop_world.admin)
    order.refresh_from_db()
    assert (order.status, order.paid_fen, order.outstanding_fen) == ("awaiting_payment", 10000, 10560)
    assert _product(shop_world.yam.pk).units_sold == 0
    with django_capture_on_commit_callbacks(execute=True):
        record_transfer_receipt(order.pk, amount_fen=10560, reference="BANK-B", by=shop_world.admin)
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == ("paid", 20560)
    assert [m.subject for m in mail.outbox] == [f"付款已确认：{order.number}"]


def test_transfer_over_payment_is_refused(shop_world, order):
    record_transfer_receipt(order.pk, amount_fen=20000, reference="BANK-A", by=shop_world.admin)
    with pytest.raises(DomainError, match="登记金额超过待收金额：待收 ¥5.60，不能多收"):
        record_transfer_receipt(order.pk, amount_fen=561, reference="BANK-B", by=shop_world.admin)
    assert Payment.objects.count() == 1
    assert Order.objects.get(pk=order.pk).paid_fen == 20000


def test_only_admin_or_whole_order_operator_records_receipts(shop_world, order):
    single = place_order_for([(shop_world.yam, 1)])
    for user in (shop_world.operator_a, shop_world.operator_b, shop_world.officer, shop_world.buyer):
        with pytest.raises(DomainError, match="只有平台管理员或整单所属网店的运营人员"):
            record_transfer_receipt(order.pk, amount_fen=100, reference=f"R-{user.pk}", by=user)
    with pytest.raises(DomainError, match="只有平台管理员或整单所属网店的运营人员"):
        record_transfer_receipt(single.pk, amount_fen=100, reference="R-b", by=shop_world.operator_b)
    record_transfer_receipt(single.pk, amount_fen=3880, reference="R-a", by=shop_world.operator_a)
    assert Order.objects.get(pk=single.pk).status == "paid"


def _paid(order):
    confirm_payment(order.pk, amount_fen=order.total_fen, currency="CNY", method="transfer", reference=f"P{order.pk}")
    order.refresh_from_db()
    return order


def _line(order, product):
    return OrderLine.objects.get(suborder__order=order, product=product)


def test_partial_refund_before_shipping_returns_stock(shop_world, order, django_capture_on_commit_callbacks):
    _paid(order)
    yam_line = _line(order, shop_world.yam)
    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_by_hand(
            order.pk, lines={yam_line.pk: 1}, reference="RF-1", reason="少发一件", by=shop_world.admin
        )
    assert (refund.status, refund.amount_fen) == ("confirmed", 3880)
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("partially_refunded", 3880)
    yam = _product(shop_world.yam.pk)
    assert (yam.stock, yam.units_sold) == (19, 1)  # 20 - 2 reserved + 1 back; 2 sold - 1
    assert SubOrder.objects.get(order=order, shop=shop_world.shop_a).status == "paid"  # one unit still to ship
    assert mail.outbox[-1].subject == f"退款已办理：{order.number}"


def test_refund_after_shipping_does_not_return_stock(shop_world, order):
    _paid(order)
    suborder = SubOrder.objects.get(order=order, shop=shop_world.shop_b)
    apply_transition(
        Target.SUBORDER,
        suborder.pk,
        "ship",
        by=shop_world.operator_b,
        actor=Actor.OPERATOR,
        carrier="顺丰",
        tracking_number="SF1",
    )
    refund_by_hand(order.pk, lines={_line(order, shop_world.oil).pk: 1}, reference="RF", reason="", by=shop_world.admin)
    oil = _product(shop_world.oil.pk)
    assert (oil.stock, oil.units_sold) == (4, 0)
    assert SubOrder.objects.get(pk=suborder.pk).status == "refunded"


def test_full_refund_then_nothing_more(shop_world, order):
    _paid(order)
    refund_by_hand(order.pk, lines=None, reference="RF-ALL", reason="整单退", by=shop_world.admin)
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("refunded", 20560)
    assert set(order.suborders.values_list("status", flat=True)) == {"refunded"}
    with pytest.raises(DomainError, match="不能退款"):
        record_refund(order.pk, lines=None, by=shop_world.admin)


def test_refunds_never_exceed_what_was_paid(shop_world, order):
    _paid(order)
    yam_line = _line(order, shop_world.yam)
    with pytest.raises(DomainError, match="最多还可退 2 件"):
        record_refund(order.pk, lines={yam_line.pk: 3}, by=shop_world.admin)
    pending = record_refund(order.pk, lines={yam_line.pk: 2}, by=shop_world.admin)  # e.g. waiting for Stripe
    with pytest.raises(DomainError, match="最多还可退 0 件"):
        record_refund(order.pk, lines={yam_line.pk: 1}, by=shop_world.admin)
    confirm_refund(pending.pk, reference="re_1")
    confirm_refund(pending.pk, reference="re_1")  # idempotent
    order.refresh_from_db()
    assert order.refunded_fen == 7760
    assert _product(shop_world.yam.pk).units_sold == 0
    assert Refund.objects.filter(status="confirmed").count() == 1


def test_database_refuses_refunded_above_paid_and_paid_above_total(shop_world, order):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(refunded_fen=1)  # nothing paid yet
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(paid_fen=order.total_fen + 1)


def test_unpaid_order_cannot_be_refunded_and_others_may_not_refund(shop_world, order):
    with pytest.raises(DomainError, match="不能退款"):
        record_refund(order.pk, lines=None, by=shop_world.admin)
    _paid(order)
    with pytest.raises(DomainError, match="只有平台管理员或整单所属网店的运营人员可以办理退款"):
        record_refund(order.pk, lines=None, by=shop_world.operator_a)  # order spans two shops
    with pytest.raises(DomainError, match="只有平台管理员"):
        record_refund(order.pk, lines=None, by=shop_world.officer)


def test_lapsed_reservations_are_cancelled_and_stock_returns(shop_world):
    card = place_order_for([(shop_world.yam, 4)], method="card")
    transfer = place_order_for([(shop_world.yam, 1)])
    partly = place_order_for([(shop_world.oil, 2)])
    record_transfer_receipt(partly.pk, amount_fen=100, reference="PART", by=shop_world.admin)
    assert _product(shop_world.yam.pk).stock == 15
    assert transfer.payment_due_at - card.payment_due_at > dt.timedelta(days=6)

    assert expire_unpaid_orders(now=timezone.now()) == 0
    assert expire_unpaid_orders(now=card.payment_due_at + dt.timedelta(seconds=1)) == 1
    assert Order.objects.get(pk=card.pk).status == "cancelled"
    assert _product(shop_world.yam.pk).stock == 19
    later = transfer.payment_due_at + dt.timedelta(days=1)
    assert expire_unpaid_orders(now=later) == 1  # the transfer order; the partly paid one waits for a person
    assert Order.objects.get(pk=partly.pk).status == "awaiting_payment"
    assert _product(shop_world.yam.pk).stock == 20


def test_beat_task_is_scheduled_and_runs(shop_world, settings):
    from orders.tasks import expire_unpaid_orders as task

    assert settings.CELERY_BEAT_SCHEDULE["orders-expire-unpaid"]["task"] == "orders.expire_unpaid_orders"
    order = place_order_for([(shop_world.yam, 1)], method="card")
    Order.objects.filter(pk=order.pk).update(payment_due_at=timezone.now() - dt.timedelta(minutes=1))
    assert task.delay().get() == 1
    assert Order.objects.get(pk=order.pk).status == "cancelled"
