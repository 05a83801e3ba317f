"""Orders above an organisation's approval threshold wait for its approver: no stock held
while they wait, approved → stock reserved and the payment window open, returned with a
reason → ended. Each step from the order state table; every wrong person refused."""

import datetime as dt

import pytest
from django.utils import timezone

from catalog.models import Product
from core import sms
from orders.models import Order, OrderEvent, SubOrder
from orders.services import expire_unpaid_orders
from orders.states import FulfilmentStatus, OrderStatus
from payments import services as payments
from procurement.models import Member, Organisation
from tests.factories import UserFactory, valid_credit_code

from .helpers import checkout_for, organisation_post, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def threshold(unit):
    """单县财政局 approves orders above ¥100.00."""
    organisation, admin = unit
    data = organisation_post(approval_threshold="100")
    del data["kind"], data["credit_code"]
    response = sign_in(admin).post(f"/org/{organisation.pk}/settings/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation.refresh_from_db()
    assert organisation.approval_threshold_fen == 10_000
    return organisation


def stock(product) -> int:
    return Product.objects.get(pk=product.pk).stock


def test_up_to_the_threshold_no_approval(threshold, members, world):
    before = stock(world.yam)
    order = checkout_for(world, members["purchaser"], threshold, [(world.yam, 2)])  # ¥77.60
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert stock(world.yam) == before - 2


def test_above_the_threshold_the_order_waits_holding_no_stock(
    threshold, members, world, django_capture_on_commit_callbacks
):
    before = stock(world.yam)
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order = checkout_for(world, members["purchaser"], threshold, [(world.yam, 3)])  # ¥116.40
    assert order.status == OrderStatus.AWAITING_APPROVAL
    assert set(order.suborders.values_list("status", flat=True)) == {FulfilmentStatus.AWAITING_APPROVAL}
    assert stock(world.yam) == before
    # Every approver is told by SMS (the administrator registered it with every role); nobody
    # can pay it, nothing expires it.
    admin = Member.objects.get(organisation=threshold, is_admin=True).user
    assert sorted(m.mobile for m in sms.outbox) == sorted([members["approver"].mobile, admin.mobile])
    assert order.number in sms.outbox[-1].text and "¥116.40" in sms.outbox[-1].text
    with pytest.raises(Exception, match="不需要登记收款"):
        payments.record_transfer_receipt(order.pk, amount_fen=order.total_fen, reference="X", by=world.admin)
    assert expire_unpaid_orders(now=timezone.now() + dt.timedelta(days=30)) == 0
    page = sign_in(members["purchaser"]).get(f"/orders/{order.number}/").content.decode()
    assert "等待单位审批" in page and "<h2>对公转账</h2>" not in page  # no payment box yet


def test_the_approver_approves_and_stock_is_reserved_then(
    threshold, members, world, django_capture_on_commit_callbacks
):
    order = checkout_for(world, members["purchaser"], threshold, [(world.yam, 3)])
    before = stock(world.yam)
    approver = sign_in(members["approver"])
    listing = approver.get(f"/org/{threshold.pk}/approvals/")
    assert order.number in listing.content.decode() and "单县铁棍山药 × 3" in listing.content.decode()
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = approver.post(f"/org/{threshold.pk}/approvals/{order.pk}/approve/", follow=True)
    assert "已审批通过，库存已保留" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert set(order.suborders.values_list("status", flat=True)) == {FulfilmentStatus.AWAITING_PAYMENT}
    assert stock(world.yam) == before - 3
    assert order.payment_due_at > timezone.now()
    assert list(OrderEvent.objects.filter(order=order, suborder=None).values_list("action", flat=True)) == [
        "place",
        "approve",
    ]
    assert [m.mobile for m in sms.outbox] == [members["purchaser"].mobile]
    assert "审批通过" in sms.outbox[-1].text
    # Approving twice: refused by the table, nothing moves.
    again = approver.post(f"/org/{threshold.pk}/approvals/{order.pk}/approve/", follow=True)
    assert "不能审批" in again.content.decode()
    assert stock(world.yam) == before - 3
    # Now it is paid like any order.
    payments.record_transfer_receipt(order.pk, amount_fen=order.total_fen, reference="BANK-1", by=world.admin)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_approval_refused_when_stock_is_short_the_order_still_waits(threshold, members, world):
    order = checkout_for(world, members["purchaser"], threshold, [(world.yam, 3)])
    Product.objects.filter(pk=world.yam.pk).update(stock=2)
    response = sign_in(members["approver"]).post(f"/org/{threshold.pk}/approvals/{order.pk}/approve/", follow=True)
    assert "库存不足，仅剩 2 件" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_APPROVAL
    assert stock(world.yam) == 2


def test_returned_with_a_reason_only(threshold, members, world, django_capture_on_commit_callbacks):
    order = checkout_for(world, members["purchaser"], threshold, [(world.yam, 3)])
    approver = sign_in(members["approver"])
    empty = approver.post(f"/org/{threshold.pk}/approvals/{order.pk}/return/", {"reason": "  "}, follow=True)
    assert "退回订单须填写原因" in empty.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_APPROVAL
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approver.post(f"/org/{threshold.pk}/approvals/{order.pk}/return/", {"reason": "超出本月预算"})
    order.refresh_from_db()
    assert order.status == OrderStatus.RETURNED
    assert set(SubOrder.objects.filter(order=order).values_list("status", flat=True)) == {FulfilmentStatus.CANCELLED}
    assert "超出本月预算" in sms.outbox[-1].text and sms.outbox[-1].mobile == members["purchaser"].mobile
    assert "已退回" in sign_in(members["purchaser"]).get(f"/orders/{order.number}/").content.decode()


def test_the_purchaser_may_cancel_a_waiting_order_nothing_to_give_back(threshold, members, world):
    before = stock(world.yam)
    order = checkout_for(world, members["purchaser"], threshold, [(world.yam, 3)])
    sign_in(members["purchaser"]).post(f"/orders/o/{order.token}/cancel/")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert stock(world.yam) == before


def test_who_may_approve(threshold, members, world):
    order = checkout_for(world, members["purchaser"], threshold, [(world.yam, 3)])
    # Inside the organisation: the purchaser, finance and an administrator without the role.
    for role in ("purchaser", "finance"):
        client = sign_in(members[role])
        assert client.get(f"/org/{threshold.pk}/approvals/").status_code == 403
        assert client.post(f"/org/{threshold.pk}/approvals/{order.pk}/approve/").status_code == 403
    admin = Member.objects.get(organisation=threshold, is_admin=True)
    admin.is_approver = False
    admin.save()
    assert sign_in(admin.user).post(f"/org/{threshold.pk}/approvals/{order.pk}/approve/").status_code == 403
    # Across organisations: another unit's approver gets a 404 for this unit and this order.
    other_admin = UserFactory(username="edu", mobile="13600000008")
    sign_in(other_admin).post(
        "/org/new/", organisation_post(name="单县教育局", credit_code=valid_credit_code("11371722MB0000002"))
    )
    other = Organisation.objects.get(name="单县教育局")
    client = sign_in(other_admin)
    assert client.get(f"/org/{threshold.pk}/approvals/").status_code == 404
    assert client.post(f"/org/{other.pk}/approvals/{order.pk}/approve/").status_code == 404
    assert client.post(f"/org/{other.pk}/approvals/{order.pk}/elsewhere/").status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_APPROVAL
    assert Order.objects.filter(status=OrderStatus.AWAITING_APPROVAL).count() == 1
