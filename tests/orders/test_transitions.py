"""The order state machine, row by row: every transition of the table from every state,
allowed only from its sources and only by its actors, each recorded in the history."""

import pytest

from core.errors import DomainError
from orders.models import FulfilmentStatus, Order, OrderEvent, OrderStatus, SubOrder
from orders.services import apply_transition
from orders.transitions import TRANSITIONS, Actor, Target, available_actions
from tests.factories import place_order_for

pytestmark = pytest.mark.django_db

STATES = {Target.ORDER: OrderStatus.values, Target.SUBORDER: FulfilmentStatus.values}


def test_the_table():
    table = {(str(t.target), t.action): (tuple(str(s) for s in t.sources), str(t.to)) for t in TRANSITIONS.values()}
    assert table == {
        ("order", "approve"): (("awaiting_approval",), "awaiting_payment"),
        ("order", "return"): (("awaiting_approval",), "returned"),
        ("order", "approve_on_terms"): (("awaiting_approval",), "on_terms"),
        ("order", "pay"): (("awaiting_payment", "on_terms"), "paid"),
        ("order", "cancel"): (("awaiting_approval", "awaiting_payment", "on_terms"), "cancelled"),
        ("order", "refund_part"): (("paid", "partially_refunded"), "partially_refunded"),
        ("order", "refund_full"): (("paid", "partially_refunded"), "refunded"),
        ("suborder", "approve"): (("awaiting_approval",), "awaiting_payment"),
        ("suborder", "approve_on_terms"): (("awaiting_approval",), "on_terms"),
        ("suborder", "pay"): (("awaiting_payment", "on_terms"), "paid"),
        ("suborder", "cancel"): (("awaiting_approval", "awaiting_payment", "on_terms"), "cancelled"),
        ("suborder", "ship"): (("paid", "on_terms"), "shipped"),
        ("suborder", "complete"): (("shipped",), "completed"),
        ("suborder", "accept"): (("shipped",), "completed"),
        ("suborder", "refund"): (("paid", "shipped", "completed"), "refunded"),
    }
    assert [t.action for t in available_actions(Target.SUBORDER, "paid", {Actor.OPERATOR})] == ["ship"]
    assert [t.action for t in available_actions(Target.SUBORDER, "shipped", {Actor.BUYER})] == ["complete"]
    assert available_actions(Target.ORDER, "awaiting_payment", {Actor.OPERATOR}) == []


def _arrange(shop_world, target: Target, status: str):
    order = place_order_for([(shop_world.yam, 1)])
    suborder = order.suborders.get()
    Order.objects.filter(pk=order.pk).update(status=status if target == Target.ORDER else "paid")
    if target == Target.SUBORDER:
        sub_status = status
    else:  # sub-orders follow the order's payment state
        sub_status = {"awaiting_approval": "awaiting_approval", "returned": "cancelled", "on_terms": "on_terms"}.get(
            status, "awaiting_payment" if status in ("awaiting_payment", "cancelled") else "paid"
        )
    SubOrder.objects.filter(pk=suborder.pk).update(status=sub_status)
    return order, suborder


def _system_or_admin(transition, shop_world):
    if Actor.SYSTEM in transition.actors:
        return None, Actor.SYSTEM
    return shop_world.admin, Actor.ADMIN


@pytest.mark.parametrize("key", list(TRANSITIONS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_each_transition_from_every_state(shop_world, key):
    transition = TRANSITIONS[key]
    by, actor = _system_or_admin(transition, shop_world)
    for status in STATES[transition.target]:
        order, suborder = _arrange(shop_world, transition.target, status)
        pk = order.pk if transition.target == Target.ORDER else suborder.pk
        row = Order if transition.target == Target.ORDER else SubOrder
        events = OrderEvent.objects.filter(order=order).count()
        extra = {"carrier": "顺丰", "tracking_number": "SF100"} if transition.action == "ship" else {}
        if status in transition.sources:
            apply_transition(transition.target, pk, transition.action, by=by, actor=actor, **extra)
            assert row.objects.get(pk=pk).status == transition.to
            event = OrderEvent.objects.filter(order=order).latest("pk")
            assert (event.action, event.from_status, event.to_status) == (transition.action, status, transition.to)
            assert OrderEvent.objects.filter(order=order).count() > events
        else:
            with pytest.raises(DomainError, match="不能执行"):
                apply_transition(transition.target, pk, transition.action, by=by, actor=actor, **extra)
            assert row.objects.get(pk=pk).status == status
            assert OrderEvent.objects.filter(order=order).count() == events


def test_actor_not_in_the_row_is_refused(shop_world):
    order, suborder = _arrange(shop_world, Target.SUBORDER, "paid")
    with pytest.raises(DomainError, match="不能由该身份办理"):
        apply_transition(Target.SUBORDER, suborder.pk, "ship", by=shop_world.buyer, actor=Actor.BUYER)
    with pytest.raises(DomainError, match="不能由该身份办理"):
        apply_transition(Target.ORDER, order.pk, "pay", by=shop_world.admin, actor=Actor.ADMIN)


def test_claimed_actor_is_verified(shop_world):
    order, suborder = _arrange(shop_world, Target.SUBORDER, "paid")
    # operator_b claims to operate shop_a's sub-order
    with pytest.raises(DomainError, match="无权办理"):
        apply_transition(
            Target.SUBORDER,
            suborder.pk,
            "ship",
            by=shop_world.operator_b,
            actor=Actor.OPERATOR,
            carrier="顺丰",
            tracking_number="SF1",
        )
    # a user cannot pass as the system
    with pytest.raises(DomainError, match="只能由系统执行"):
        apply_transition(Target.SUBORDER, suborder.pk, "refund", by=shop_world.admin, actor=Actor.SYSTEM)
    # the buyer role needs the order's owner or its token
    Order.objects.filter(pk=order.pk).update(status="awaiting_payment")
    SubOrder.objects.filter(pk=suborder.pk).update(status="awaiting_payment")
    with pytest.raises(DomainError, match="无权办理"):
        apply_transition(Target.ORDER, order.pk, "cancel", by=shop_world.other_buyer, actor=Actor.BUYER)
    with pytest.raises(DomainError, match="无权办理"):
        apply_transition(Target.ORDER, order.pk, "cancel", by=None, actor=Actor.BUYER, token="x" * 43)
    apply_transition(Target.ORDER, order.pk, "cancel", by=None, actor=Actor.BUYER, token=order.token)
    assert Order.objects.get(pk=order.pk).status == "cancelled"


def test_ship_needs_carrier_and_tracking_number(shop_world):
    _order, suborder = _arrange(shop_world, Target.SUBORDER, "paid")
    with pytest.raises(DomainError, match="快递公司和运单号"):
        apply_transition(Target.SUBORDER, suborder.pk, "ship", by=shop_world.operator_a, actor=Actor.OPERATOR)
    apply_transition(
        Target.SUBORDER,
        suborder.pk,
        "ship",
        by=shop_world.operator_a,
        actor=Actor.OPERATOR,
        carrier="邮政",
        tracking_number="EMS9",
    )
    suborder.refresh_from_db()
    assert (suborder.status, suborder.carrier, suborder.tracking_number) == ("shipped", "邮政", "EMS9")
    event = OrderEvent.objects.filter(suborder=suborder).latest("pk")
    assert event.actor == shop_world.operator_a and event.note == "邮政 EMS9"


def test_cancel_returns_stock(shop_world):
    order = place_order_for([(shop_world.yam, 3), (shop_world.oil, 2)])
    shop_world.yam.refresh_from_db()
    assert shop_world.yam.stock == 17
    apply_transition(Target.ORDER, order.pk, "cancel", by=shop_world.admin, actor=Actor.ADMIN, note="买家电话取消")
    shop_world.yam.refresh_from_db()
    shop_world.oil.refresh_from_db()
    assert (shop_world.yam.stock, shop_world.oil.stock) == (20, 5)
    assert set(order.suborders.values_list("status", flat=True)) == {"cancelled"}


def test_shipping_emails_the_buyer_in_chinese(shop_world, django_capture_on_commit_callbacks):
    from django.core import mail

    order = place_order_for([(shop_world.yam, 1)])
    _o, suborder = order, order.suborders.get()
    Order.objects.filter(pk=order.pk).update(status="paid")
    SubOrder.objects.filter(pk=suborder.pk).update(status="paid")
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(
            Target.SUBORDER,
            suborder.pk,
            "ship",
            by=shop_world.operator_a,
            actor=Actor.OPERATOR,
            carrier="顺丰速运",
            tracking_number="SF123456",
        )
    assert [m.subject for m in mail.outbox] == [f"您的订单已发货：{order.number}"]
    body = mail.outbox[0].body
    assert "「朱楼村电商服务站」的商品已发货" in body and "SF123456" in body and order.token in body
