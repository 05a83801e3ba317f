"""售后 through the public surface: the buyer asks on the site, the shop's operator and the
platform decide in the admin, the money goes back through the one refund path, and both
sides are told by e-mail and SMS. Exact yuan, states, stock and ledger figures."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from aftersales.models import AfterSale
from aftersales.tasks import move_overdue
from attribution.models import LedgerEntry
from core import sms
from orders.models import FulfilmentStatus, OrderEvent, OrderStatus, SubOrder
from orders.services import apply_transition
from orders.transitions import Actor, Target
from payments.models import Refund

from .conftest import act_url, ask_data, ask_url, line_of, png

pytestmark = pytest.mark.django_db


def ledger_total(order) -> int:
    return LedgerEntry.objects.filter(order=order).aggregate(s=Sum("amount_fen"))["s"] or 0


def ship_and_receive(w, suborder, buyer):
    apply_transition(
        Target.SUBORDER, suborder.pk, "ship", by=w.operator_a, actor=Actor.OPERATOR, carrier="EMS", tracking_number="E1"
    )
    apply_transition(Target.SUBORDER, suborder.pk, "complete", by=buyer, actor=Actor.BUYER)


def test_refund_only_before_shipping_accepted_by_the_shop_and_refunded_by_the_platform(client, post, w, order):
    yam = line_of(order, w.yam)
    stock_before = w.yam.__class__.objects.get(pk=w.yam.pk).stock
    client.force_login(w.buyer)
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert page.count("申请售后") == 2  # one link per parcel, both paid and waiting to ship

    response = post(ask_url(yam), ask_data({yam: 1}, description="拍多了一箱"))
    after_sale = AfterSale.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "aftersales:detail", args=[after_sale.number]
    )
    assert (after_sale.status, after_sale.kind, after_sale.amount_fen) == ("requested", "refund_only", 3880)
    assert after_sale.deadline_at == after_sale.created_at + dt.timedelta(hours=48) or (
        abs((after_sale.deadline_at - after_sale.created_at) - dt.timedelta(hours=48)) < dt.timedelta(seconds=1)
    )
    detail = client.get(response["Location"]).content.decode()
    assert "待商家处理" in detail and "¥38.80" in detail and "拍多了一箱" in detail
    # Both sides told: the buyer and shop A's operator, by e-mail and SMS.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([order.email, w.operator_a.email])
    assert {m.mobile for m in sms.outbox} >= {order.mobile}
    assert all(after_sale.number in m.subject for m in mail.outbox)
    # The order's history has the step.
    history = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert (
        f"售后（售后单 {after_sale.number}（仅退款 ¥38.80）：买家申请售后。不想要了 / 拍错了：单县铁棍山药 × 1）"
        in history
    )

    # The shop accepts; the order is of two shops, so its money is the platform's to pay back.
    client.force_login(w.operator_a)
    mail.outbox.clear()
    response = post(act_url(after_sale, "accept_refund"), follow=True)
    assert "已同意退款。 对公转账订单请线下退款后在本页登记退款流水号。" in response.content.decode()
    after_sale.refresh_from_db()
    assert after_sale.status == "refunding" and after_sale.deadline_at is None
    assert "由平台财务线下办理并登记" in response.content.decode()
    refused = post(reverse("aftersales_admin:hand_refund", args=[after_sale.pk]), {"reference": "X"}, follow=True)
    assert "只有平台管理员或整单所属网店的运营人员可以登记退款。" in refused.content.decode()
    assert not Refund.objects.exists()

    client.force_login(w.admin)
    response = post(reverse("aftersales_admin:hand_refund", args=[after_sale.pk]), {"reference": "RF-001"}, follow=True)
    assert "退款已登记，售后完成，已通知买家。" in response.content.decode()
    after_sale.refresh_from_db()
    order.refresh_from_db()
    yam.refresh_from_db()
    assert after_sale.status == "refunded" and after_sale.refund.reference == "RF-001"
    assert (order.status, order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, 3880)
    assert yam.refunded_quantity == 1
    assert w.yam.__class__.objects.get(pk=w.yam.pk).stock == stock_before + 1  # not shipped: back in stock
    assert ledger_total(order) == order.paid_fen - order.refunded_fen == 3 * 3880 + 12800 - 3880
    steps = list(after_sale.steps.values_list("action", "to_status", "actor_role"))
    assert steps == [
        ("request", "requested", "buyer"),
        ("accept_refund", "refunding", "operator"),
        ("refunded", "refunded", "system"),
    ]


def test_an_accepted_partial_return_reverses_the_ledger_to_the_fen(client, post, w, order):
    yam = line_of(order, w.yam)
    ship_and_receive(w, yam.suborder, w.buyer)
    stock_after_sale = w.yam.__class__.objects.get(pk=w.yam.pk).stock
    client.force_login(w.buyer)
    response = post(ask_url(yam), ask_data({yam: 2}, kind="return", reason="damaged", photos=[png()]))
    assert response.status_code == 302
    after_sale = AfterSale.objects.get()
    assert (after_sale.amount_fen, after_sale.photos.count()) == (7760, 1)
    photo = after_sale.photos.get()
    assert client.get(reverse("aftersales:photo", args=[photo.pk])).status_code == 200

    client.force_login(w.operator_a)
    assert client.get(reverse("aftersales:photo", args=[photo.pk])).status_code == 200  # the shop sees it
    post(act_url(after_sale, "accept_return"))
    after_sale.refresh_from_db()
    assert after_sale.status == "awaiting_return"

    client.force_login(w.buyer)
    bad = post(reverse("aftersales:action", args=[after_sale.number, "ship_return"]), {"carrier": "顺丰"}, follow=True)
    assert "请填写运单号。" in bad.content.decode()
    post(
        reverse("aftersales:action", args=[after_sale.number, "ship_return"]),
        {"carrier": "顺丰速运", "tracking_number": "SF1234567890"},
    )
    after_sale.refresh_from_db()
    assert (after_sale.status, after_sale.return_tracking) == ("return_shipped", "SF1234567890")

    client.force_login(w.operator_a)
    post(act_url(after_sale, "receive_return"))
    client.force_login(w.admin)
    post(reverse("aftersales_admin:hand_refund", args=[after_sale.pk]), {"reference": "RF-002"})
    after_sale.refresh_from_db()
    order.refresh_from_db()
    assert after_sale.status == "refunded"
    assert (order.status, order.paid_fen, order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, 24440, 7760)
    # Entries of the order sum to paid − refunded, to the fen; of the yam line to 1 box.
    assert ledger_total(order) == 24440 - 7760
    assert LedgerEntry.objects.filter(order_line=yam).aggregate(s=Sum("amount_fen"))["s"] == 3880
    assert w.yam.__class__.objects.get(pk=w.yam.pk).stock == stock_after_sale  # shipped: not restocked
    yam.suborder.refresh_from_db()
    assert yam.suborder.status == FulfilmentStatus.COMPLETED  # one box still kept


def test_a_refusal_needs_a_reason_the_buyer_may_dispute_and_the_platform_decides(client, post, w, order):
    oil = line_of(order, w.oil)
    client.force_login(w.buyer)
    post(ask_url(oil), ask_data({oil: 1}, reason="other", description="地址写错了"))
    after_sale = AfterSale.objects.get()

    client.force_login(w.operator_b)
    response = post(act_url(after_sale, "refuse"), {"note": "  "}, follow=True)
    assert "请填写理由。" in response.content.decode()
    after_sale.refresh_from_db()
    assert after_sale.status == "requested"
    post(act_url(after_sale, "refuse"), {"note": "已联系快递改址，可正常收货"})
    after_sale.refresh_from_db()
    assert (after_sale.status, after_sale.refuse_reason) == ("refused", "已联系快递改址，可正常收货")

    client.force_login(w.buyer)
    detail = client.get(reverse("aftersales:detail", args=[after_sale.number])).content.decode()
    assert "商家拒绝理由：已联系快递改址，可正常收货" in detail and "申请平台介入" in detail
    mail.outbox.clear()
    post(reverse("aftersales:action", args=[after_sale.number, "dispute"]), {"note": "改址失败，已退回"})
    after_sale.refresh_from_db()
    assert after_sale.status == "escalated"
    # Escalated: the platform's administrators are told too.
    assert w.admin.email in {m.to[0] for m in mail.outbox}

    # The shop may no longer decide; the platform decides with a note.
    client.force_login(w.operator_b)
    response = post(act_url(after_sale, "platform_refund"), {"note": "同意"}, follow=True)
    assert "不能由该身份办理" in response.content.decode() or "无权办理该售后单" in response.content.decode()
    client.force_login(w.admin)
    response = post(act_url(after_sale, "platform_refund"), {"note": ""}, follow=True)
    assert "请填写处理意见。" in response.content.decode()
    post(act_url(after_sale, "platform_refund"), {"note": "快递确认退回，全额退款"})
    after_sale.refresh_from_db()
    assert (after_sale.status, after_sale.decision_note) == ("refunding", "快递确认退回，全额退款")
    post(reverse("aftersales_admin:hand_refund", args=[after_sale.pk]), {"reference": "RF-003"})
    after_sale.refresh_from_db()
    oil.suborder.refresh_from_db()
    assert after_sale.status == "refunded" and oil.suborder.status == FulfilmentStatus.REFUNDED


def test_the_platform_may_refuse_an_escalated_request(client, post, w, order):
    oil = line_of(order, w.oil)
    client.force_login(w.buyer)
    post(ask_url(oil), ask_data({oil: 1}))
    after_sale = AfterSale.objects.get()
    with time_machine.travel(timezone.now() + dt.timedelta(hours=49)):
        assert move_overdue.apply().get() == 1
    client.force_login(w.admin)
    post(act_url(after_sale, "platform_refuse"), {"note": "商品已签收且无质量问题"})
    after_sale.refresh_from_db()
    assert (after_sale.status, after_sale.decision_note) == ("closed", "商品已签收且无质量问题")
    # Closed: the units are free again for a new request.
    client.force_login(w.buyer)
    assert client.get(ask_url(oil)).status_code == 200


def test_deadlines_move_requests_on_through_the_beat_task(client, post, w, order):
    yam, oil = line_of(order, w.yam), line_of(order, w.oil)
    ship_and_receive(w, yam.suborder, w.buyer)
    client.force_login(w.buyer)
    post(ask_url(oil), ask_data({oil: 1}))  # unanswered
    post(ask_url(yam), ask_data({yam: 1}, kind="return", reason="quality", photos=[png()]))
    post(ask_url(yam), ask_data({yam: 1}, reason="not_wanted"))
    unanswered, to_return, to_refuse = AfterSale.objects.order_by("pk")
    client.force_login(w.operator_a)
    post(act_url(to_return, "accept_return"))
    post(act_url(to_refuse, "refuse"), {"note": "已过保鲜期不支持无理由"})

    now = timezone.now()
    with time_machine.travel(now + dt.timedelta(hours=47)):
        assert move_overdue.apply().get() == 0
    with time_machine.travel(now + dt.timedelta(hours=49)):
        mail.outbox.clear()
        assert move_overdue.apply().get() == 1
    unanswered.refresh_from_db()
    assert unanswered.status == "escalated"
    assert unanswered.steps.last().note == "已超过处理时限"
    assert OrderEvent.objects.filter(order=order, to_status="escalated").count() == 1
    with time_machine.travel(now + dt.timedelta(days=3, hours=1)):
        assert move_overdue.apply().get() == 1  # the refusal nobody disputed closes
    to_refuse.refresh_from_db()
    assert to_refuse.status == "closed"
    with time_machine.travel(now + dt.timedelta(days=7, hours=1)):
        assert move_overdue.apply().get() == 1  # the goods never sent back: closed
    to_return.refresh_from_db()
    assert to_return.status == "closed"
    assert [s.action for s in to_return.steps.all()] == ["request", "accept_return", "close_return_overdue"]


def test_the_buyer_withdraws_and_may_ask_again(client, post, w, order):
    yam = line_of(order, w.yam)
    client.force_login(w.buyer)
    post(ask_url(yam), ask_data({yam: 3}))
    after_sale = AfterSale.objects.get()
    response = client.get(ask_url(yam), follow=True)
    assert "这个包裹的商品都已申请售后或已退款。" in response.content.decode()
    post(reverse("aftersales:action", args=[after_sale.number, "withdraw"]))
    after_sale.refresh_from_db()
    assert after_sale.status == "withdrawn"
    again = post(reverse("aftersales:action", args=[after_sale.number, "withdraw"]), follow=True)
    assert "售后单当前状态为「已撤销」，不能「买家撤销申请」" in again.content.decode()
    assert client.get(ask_url(yam)).status_code == 200


def test_the_secret_link_buyer_asks_without_an_account(client, post, w):
    from tests.worlds import buy_and_pay

    anonymous = buy_and_pay(w, [(w.yam, 2)])
    yam = line_of(anonymous, w.yam)
    page = client.get(anonymous.get_absolute_url()).content.decode()
    assert ask_url(yam, anonymous.token) in page
    response = post(ask_url(yam, anonymous.token), ask_data({yam: 2}))
    after_sale = AfterSale.objects.get()
    detail_url = reverse("aftersales:detail_by_token", args=[anonymous.token, after_sale.number])
    assert response["Location"] == detail_url
    assert "¥77.60" in client.get(detail_url).content.decode()
    # The signed-in URLs are not a way in without the account.
    assert client.get(reverse("aftersales:detail", args=[after_sale.number])).status_code == 302


# --- who may not ------------------------------------------------------------------------------------------------


def test_another_buyer_cannot_ask_about_see_or_move_someone_elses_request(client, post, w, order):
    from tests.factories import UserFactory

    yam = line_of(order, w.yam)
    client.force_login(w.buyer)
    post(ask_url(yam), ask_data({yam: 1}))
    after_sale = AfterSale.objects.get()
    stranger = UserFactory(username="buyer-2")
    client.force_login(stranger)
    assert client.get(ask_url(yam)).status_code == 404
    assert post(ask_url(yam), ask_data({yam: 1})).status_code == 404
    assert client.get(reverse("aftersales:detail", args=[after_sale.number])).status_code == 404
    assert post(reverse("aftersales:action", args=[after_sale.number, "withdraw"])).status_code == 404
    photo_less = reverse("aftersales:detail_by_token", args=["x" * 43, after_sale.number])
    assert client.get(photo_less).status_code == 404
    # A buyer cannot reach the shop's decisions through the buyer's URL either.
    client.force_login(w.buyer)
    assert post(reverse("aftersales:action", args=[after_sale.number, "accept_refund"])).status_code == 404
    after_sale.refresh_from_db()
    assert after_sale.status == "requested" and AfterSale.objects.count() == 1


def test_another_shops_operator_and_an_officer_are_refused_in_the_admin(client, post, w, order):
    yam = line_of(order, w.yam)
    client.force_login(w.buyer)
    post(ask_url(yam), ask_data({yam: 1}))
    after_sale = AfterSale.objects.get()

    client.force_login(w.operator_b)
    assert client.get(reverse("aftersales_admin:detail", args=[after_sale.pk])).status_code == 404
    assert post(act_url(after_sale, "accept_refund")).status_code == 404
    assert post(reverse("aftersales_admin:hand_refund", args=[after_sale.pk]), {"reference": "R"}).status_code == 404
    assert f">{after_sale.number}</a>" not in client.get(reverse("aftersales_admin:index")).content.decode()
    client.force_login(w.officer_a)  # refused: Wagtail sends them back to the dashboard
    for response in (client.get(reverse("aftersales_admin:index")), post(act_url(after_sale, "accept_refund"))):
        assert response.status_code == 302 and response["Location"] == "/admin/"
    # The shop cannot take the platform's decisions or the buyer's steps.
    client.force_login(w.operator_a)
    assert post(act_url(after_sale, "withdraw")).status_code == 404
    response = post(act_url(after_sale, "platform_refund"), {"note": "x"}, follow=True)
    assert "无权办理该售后单。" in response.content.decode()
    after_sale.refresh_from_db()
    assert after_sale.status == "requested"
    # The photo of a request is not for another shop or a stranger.


# --- bad input: a message, 400, nothing written -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-1", "数量须为 0 或正整数。"),
        ("1.5", "数量须为 0 或正整数。"),
        ("1e3", "数量须为 0 或正整数。"),
        ("abc", "数量须为 0 或正整数。"),
        ("0", "请至少选择一件商品，填写要售后的数量。"),
        ("4", "「单县铁棍山药」最多还可申请 3 件。"),
    ],
)
def test_every_bad_quantity_is_refused_with_a_message(client, post, w, order, raw, message):
    yam = line_of(order, w.yam)
    client.force_login(w.buyer)
    data = ask_data({})
    data[f"qty_{yam.pk}"] = raw
    response = post(ask_url(yam), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AfterSale.objects.exists()


def test_bad_kind_reason_and_photos_are_refused_with_a_message(client, post, w, order):
    yam = line_of(order, w.yam)
    client.force_login(w.buyer)
    cases = [
        (ask_data({yam: 1}, kind="return"), "请选择售后类型。"),  # nothing shipped: nothing to send back
        (ask_data({yam: 1}, reason="nonsense"), "请选择售后原因。"),
        (ask_data({yam: 1}, reason="damaged"), "「破损、腐烂变质」须上传至少 1 张照片，便于商家核实。"),
        (
            ask_data(
                {yam: 1}, reason="damaged", photos=[png("x.png").__class__("x.png", b"not an image", "image/png")]
            ),
            "第 1 张照片未通过",
        ),
        (ask_data({yam: 1}, photos=[png(), png(), png(), png()]), "最多上传 3 张照片"),
        (ask_data({yam: 1}, description="长" * 501), "问题描述"),
    ]
    for data, message in cases:
        response = post(ask_url(yam), data)
        assert response.status_code == 400, message
        assert message in response.content.decode(), message
    assert not AfterSale.objects.exists()
    assert client.get(reverse("aftersales:new", args=["abc"])).status_code == 400


def test_no_request_before_payment_or_after_the_window(client, post, w):
    from tests.factories import place_order_for
    from tests.worlds import buy_and_pay

    unpaid = place_order_for([(w.yam, 1)], user=w.buyer)
    yam = line_of(unpaid, w.yam)
    client.force_login(w.buyer)
    response = client.get(ask_url(yam), follow=True)
    assert "订单付款后才能申请售后。" in response.content.decode()
    assert "申请售后" not in client.get(reverse("orders:detail", args=[unpaid.number])).content.decode()

    paid = buy_and_pay(w, [(w.yam, 1)], user=w.buyer)
    yam = line_of(paid, w.yam)
    ship_and_receive(w, yam.suborder, w.buyer)
    # Received 15 days and one hour ago: the window has closed.
    SubOrder.objects.filter(pk=yam.suborder_id).update(completed_at=timezone.now() - dt.timedelta(days=15, hours=1))
    response = post(ask_url(yam), ask_data({yam: 1}), follow=True)
    assert "确认收货已超过 15 天，售后期已过。" in response.content.decode()
    assert "申请售后" not in client.get(reverse("orders:detail", args=[paid.number])).content.decode()
    assert not AfterSale.objects.exists()
