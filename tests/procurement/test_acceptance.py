"""Acceptance (验收) of a unit's parcels and paying after it (验收后付款): an organisation that
pays bank transfers N days after acceptance gets its orders shipped unpaid; its purchaser
accepts each parcel (or records a quantity / quality problem, which opens an after-sales
request); the last acceptance starts the payment clock; the finance members are reminded;
the transfer makes the order paid and only then does the ledger — and the quota — move.
Every step through the pages and the order state table; every wrong person refused."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from aftersales.models import AfterSale
from aftersales.states import Kind, Reason
from attribution.models import LedgerEntry
from catalog.models import Product
from core import sms
from orders.models import Order, OrderEvent, SubOrder
from orders.services import apply_transition, expire_unpaid_orders
from orders.states import FulfilmentStatus, OrderStatus
from orders.transitions import Actor, Target
from payments import services as payments
from procurement import selectors
from procurement.models import Acceptance, Member, Organisation
from procurement.notify import remind_payments_due
from tests.factories import UserFactory, valid_credit_code

from .helpers import checkout_for, organisation_post, sign_in

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def on_terms(unit):
    """单县财政局 pays bank transfers 30 days after acceptance (set on its details page)."""
    organisation, admin = unit
    data = organisation_post(payment_terms_days="30")
    del data["kind"], data["credit_code"]
    response = sign_in(admin).post(f"/org/{organisation.pk}/settings/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation.refresh_from_db()
    assert organisation.payment_terms_days == 30
    return organisation


def ship(world, suborder, operator=None):
    return apply_transition(
        Target.SUBORDER,
        suborder.pk,
        "ship",
        by=operator or world.operator_a,
        actor=Actor.OPERATOR,
        carrier="顺丰速运",
        tracking_number=f"SF{suborder.pk:08d}",
    )


def accept_url(organisation, suborder) -> str:
    return f"/org/{organisation.pk}/acceptance/{suborder.pk}/"


def photo(name="box.png"):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    buf.seek(0)
    buf.name = name
    return buf


def test_terms_days_are_checked_on_the_details_page(unit):
    organisation, admin = unit
    client = sign_in(admin)
    for bad in ("0", "91", "三十", "1.5"):
        data = organisation_post(payment_terms_days=bad)
        del data["kind"], data["credit_code"]
        response = client.post(f"/org/{organisation.pk}/settings/", data)
        assert response.status_code in (200, 400)
        assert "请填写 1 到 90 之间的整数天数。" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.payment_terms_days is None


def test_the_whole_loop_on_terms(on_terms, members, world, django_capture_on_commit_callbacks):
    purchaser, finance = members["purchaser"], members["finance"]
    stock_before = Product.objects.get(pk=world.yam.pk).stock
    order = checkout_for(world, purchaser, on_terms, [(world.yam, 3)])  # ¥116.40
    suborder = order.suborders.get()
    # Shipped unpaid: stock held, nothing in the ledger, nothing expires it.
    assert (order.status, suborder.status, order.payment_terms_days) == (
        OrderStatus.ON_TERMS,
        FulfilmentStatus.ON_TERMS,
        30,
    )
    assert Product.objects.get(pk=world.yam.pk).stock == stock_before - 3
    assert expire_unpaid_orders(timezone.now() + dt.timedelta(days=365)) == 0
    page = sign_in(purchaser).get(f"/orders/{order.number}/").content.decode()
    assert "全部包裹验收后 30 天内对公转账付款" in page
    assert "逾期未付款的订单将自动取消" not in page

    ship(world, suborder)
    # The purchaser, not 确认收货, closes the parcel: the order page links the acceptance.
    page = sign_in(purchaser).get(f"/orders/{order.number}/").content.decode()
    assert accept_url(on_terms, suborder) in page and "确认收货" not in page
    refused = sign_in(purchaser).post(f"/orders/{order.number}/complete/", {"suborder": suborder.pk})
    assert refused.status_code in (302, 400)
    assert SubOrder.objects.get(pk=suborder.pk).status == FulfilmentStatus.SHIPPED

    accepted_at = dt.datetime(2026, 3, 3, 16, 20, tzinfo=SHANGHAI)
    with time_machine.travel(accepted_at, tick=False):
        response = sign_in(purchaser).post(accept_url(on_terms, suborder), {"result": "accepted", "note": ""})
    assert response.status_code == 302
    suborder.refresh_from_db()
    order.refresh_from_db()
    assert suborder.status == FulfilmentStatus.COMPLETED
    acceptance = Acceptance.objects.get(suborder=suborder)
    assert (acceptance.result, acceptance.accepted_by, acceptance.after_sale) == ("accepted", purchaser, None)
    # Due by the end of the 30th Shanghai day after the acceptance: 24:00 on 2 April.
    assert order.payment_due_at == dt.datetime(2026, 4, 3, 0, 0, tzinfo=SHANGHAI)
    assert OrderEvent.objects.filter(order=order, suborder=suborder, action="accept").count() == 1
    assert not LedgerEntry.objects.filter(order=order).exists()
    with time_machine.travel(accepted_at, tick=False):
        dashboard = sign_in(finance).get(f"/org/{on_terms.pk}/").content.decode()
    assert "验收后待付款" in dashboard and order.number in dashboard and "2026-04-03 00:00" in dashboard

    # The transfer, recorded by the shop's operator as any transfer: paid, ledger written,
    # the parcel stays accepted; the quota moves by the order's certified amount.
    year = timezone.localdate().year
    spent_before = selectors.quota_progress(on_terms, year).spent_fen
    payments.record_transfer_receipt(order.pk, amount_fen=11_640, reference="BANK-TERMS-1", by=world.operator_a)
    order.refresh_from_db()
    suborder.refresh_from_db()
    assert (order.status, suborder.status, order.paid_fen) == (OrderStatus.PAID, FulfilmentStatus.COMPLETED, 11_640)
    assert sum(e.amount_fen for e in LedgerEntry.objects.filter(order=order)) == 11_640
    assert selectors.quota_progress(on_terms, year).spent_fen - spent_before == 11_640


def test_a_pay_first_unit_and_card_orders_are_not_on_terms(unit, on_terms, members, world):
    organisation, admin = unit
    on_terms.payment_terms_days = None
    on_terms.save()
    order = checkout_for(world, members["purchaser"], organisation)
    assert (order.status, order.payment_terms_days) == (OrderStatus.AWAITING_PAYMENT, None)


def test_above_the_threshold_an_order_on_terms_is_approved_onto_terms(on_terms, members, world):
    on_terms.approval_threshold_fen = 5_000
    on_terms.save()
    order = checkout_for(world, members["purchaser"], on_terms, [(world.yam, 2)])  # ¥77.60
    assert order.status == OrderStatus.AWAITING_APPROVAL
    response = sign_in(members["approver"]).post(f"/org/{on_terms.pk}/approvals/{order.pk}/approve/")
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.ON_TERMS
    assert order.suborders.get().status == FulfilmentStatus.ON_TERMS


def test_an_order_on_terms_cannot_be_cancelled_once_a_parcel_shipped(on_terms, members, world):
    order = checkout_for(world, members["purchaser"], on_terms, [(world.yam, 1), (world.oil, 1)])
    yam_parcel = order.suborders.get(shop=world.shop_a)
    ship(world, yam_parcel)
    response = sign_in(members["purchaser"]).post(f"/orders/o/{order.token}/cancel/")
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.ON_TERMS
    assert yam_parcel.__class__.objects.get(pk=yam_parcel.pk).status == FulfilmentStatus.SHIPPED


def test_the_clock_starts_with_the_last_parcel(on_terms, members, world):
    order = checkout_for(world, members["purchaser"], on_terms, [(world.yam, 1), (world.oil, 1)])
    first, second = order.suborders.get(shop=world.shop_a), order.suborders.get(shop=world.shop_b)
    ship(world, first)
    ship(world, second, world.operator_b)
    client = sign_in(members["purchaser"])
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert client.post(accept_url(on_terms, first), {"result": "accepted"}).status_code == 302
    order.refresh_from_db()
    assert selectors.payments_due(on_terms) == []
    with time_machine.travel(dt.datetime(2026, 5, 6, 23, 59, tzinfo=SHANGHAI), tick=False):
        assert client.post(accept_url(on_terms, second), {"result": "accepted"}).status_code == 302
    order.refresh_from_db()
    assert order.payment_due_at == dt.datetime(2026, 6, 6, 0, 0, tzinfo=SHANGHAI)
    assert [link.order_id for link in selectors.payments_due(on_terms)] == [order.pk]


def test_a_quantity_problem_opens_a_refund_request_for_the_missing_units(on_terms, members, world):
    order = checkout_for(world, members["purchaser"], on_terms, [(world.yam, 5)])
    suborder = order.suborders.get()
    line = suborder.lines.get()
    ship(world, suborder)
    response = sign_in(members["purchaser"]).post(
        accept_url(on_terms, suborder),
        {"result": "quantity", "note": "少了 2 盒", f"qty_{line.pk}": "2"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    acceptance = Acceptance.objects.get(suborder=suborder)
    request = acceptance.after_sale
    assert (request.kind, request.reason, request.amount_fen) == (Kind.REFUND_ONLY, Reason.MISSING, 2 * 3880)
    assert list(request.lines.values_list("line_id", "quantity")) == [(line.pk, 2)]
    assert request.description == "验收：少了 2 盒"
    assert SubOrder.objects.get(pk=suborder.pk).status == FulfilmentStatus.COMPLETED


def test_a_quality_problem_needs_a_photo_and_records_nothing_without_one(on_terms, members, world):
    order = checkout_for(world, members["purchaser"], on_terms, [(world.yam, 2)])
    suborder = order.suborders.get()
    line = suborder.lines.get()
    ship(world, suborder)
    client = sign_in(members["purchaser"])
    data = {"result": "quality", "note": "一盒发霉", f"qty_{line.pk}": "1"}
    response = client.post(accept_url(on_terms, suborder), data)
    assert response.status_code == 400
    assert "须上传至少 1 张" in response.content.decode()
    assert not Acceptance.objects.exists() and not AfterSale.objects.exists()
    assert SubOrder.objects.get(pk=suborder.pk).status == FulfilmentStatus.SHIPPED
    # No units named, or no note: refused with the reason, nothing written either.
    for bad in ({"result": "quality", "note": "一盒发霉"}, {"result": "quality", f"qty_{line.pk}": "1"}):
        response = client.post(accept_url(on_terms, suborder), bad)
        assert response.status_code == 400
    assert not Acceptance.objects.exists()
    response = client.post(accept_url(on_terms, suborder), {**data, "photos": photo()})
    assert response.status_code == 302
    request = Acceptance.objects.get(suborder=suborder).after_sale
    assert (request.kind, request.reason) == (Kind.RETURN, Reason.QUALITY)
    assert request.photos.count() == 1


def test_who_may_accept(on_terms, members, world):
    order = checkout_for(world, members["purchaser"], on_terms)
    suborder = order.suborders.get()
    url = accept_url(on_terms, suborder)
    # Not shipped yet: nothing to accept (404, as a parcel that is not waiting).
    assert sign_in(members["purchaser"]).get(url).status_code == 404
    ship(world, suborder)
    assert sign_in(members["purchaser"]).get(url).status_code == 200
    for role in ("approver", "finance"):  # in the unit, without the purchaser role
        assert sign_in(members[role]).get(url).status_code == 403
        assert sign_in(members[role]).post(url, {"result": "accepted"}).status_code == 403
        assert sign_in(members[role]).get(f"/org/{on_terms.pk}/acceptance/").status_code == 403
    # Another unit's purchaser: its own URL with this parcel, and this unit's URL — 404 both.
    other_admin = UserFactory(username="other-admin", mobile="13600000099")
    data = organisation_post(name="成武县财政局", credit_code=valid_credit_code("11371723MB7654321"))
    assert sign_in(other_admin).post("/org/new/", data).status_code == 302
    other = Organisation.objects.get(name="成武县财政局")
    assert sign_in(other_admin).post(accept_url(other, suborder), {"result": "accepted"}).status_code == 404
    assert sign_in(other_admin).post(url, {"result": "accepted"}).status_code == 404
    assert sign_in(world.buyer).get(url).status_code == 404
    assert not Acceptance.objects.exists()
    assert SubOrder.objects.get(pk=suborder.pk).status == FulfilmentStatus.SHIPPED
    # Accepted once; the second time the parcel is not waiting any more.
    assert sign_in(members["purchaser"]).post(url, {"result": "accepted"}).status_code == 302
    assert sign_in(members["purchaser"]).post(url, {"result": "accepted"}).status_code == 404
    assert Acceptance.objects.count() == 1


def test_finance_is_reminded_before_the_due_day_once_a_day_until_paid(on_terms, members, world):
    finance = members["finance"]
    order = checkout_for(world, members["purchaser"], on_terms, [(world.yam, 2)])
    suborder = order.suborders.get()
    ship(world, suborder)
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI), tick=False):
        sign_in(members["purchaser"]).post(accept_url(on_terms, suborder), {"result": "accepted"})
    # Due by 24:00 on 2 April. Too early on 29 March; from 30 March once a day.
    finance_mobiles = set(
        Member.objects.filter(organisation=on_terms, is_finance=True).values_list("user__mobile", flat=True)
    )
    assert finance.mobile in finance_mobiles

    def run(when):
        sms.outbox.clear()
        with time_machine.travel(when, tick=False):
            count = remind_payments_due()
        return count, [m for m in sms.outbox if m.mobile in finance_mobiles]

    assert run(dt.datetime(2026, 3, 29, 9, 0, tzinfo=SHANGHAI)) == (0, [])
    count, sent = run(dt.datetime(2026, 3, 30, 9, 0, tzinfo=SHANGHAI))
    assert count == 1 and {m.mobile for m in sent} == finance_mobiles
    assert "请于 2026-04-02 前对公转账 ¥77.60" in sent[0].text
    assert run(dt.datetime(2026, 3, 30, 15, 0, tzinfo=SHANGHAI)) == (0, [])
    count, sent = run(dt.datetime(2026, 4, 5, 9, 0, tzinfo=SHANGHAI))
    assert count == 1 and "已逾期 3 天" in sent[0].text
    payments.record_transfer_receipt(order.pk, amount_fen=7_760, reference="BANK-TERMS-2", by=world.admin)
    assert run(dt.datetime(2026, 4, 6, 9, 0, tzinfo=SHANGHAI)) == (0, [])
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_an_invoice_request_for_the_units_order_starts_with_its_invoice_details(on_terms, members, world):
    order = checkout_for(world, members["purchaser"], on_terms)
    suborder = order.suborders.get()
    page = sign_in(members["purchaser"]).get(f"/invoices/new/{suborder.pk}/").content.decode()
    for value in ("单县财政局", on_terms.credit_code, "单县园艺街道 1 号", "0530-4621000", "中国农业银行单县支行"):
        assert f'value="{value}"' in page, value
    # Another institution's order (its name and tax id typed at checkout) has only those two.
    typed = checkout_for(world, world.buyer, None, pay=True, tax_id=valid_credit_code("11371722MB7654321"))
    page = sign_in(world.buyer).get(f"/invoices/new/{typed.suborders.get().pk}/").content.decode()
    assert 'value="冒名单位"' in page and "中国农业银行单县支行" not in page


def test_the_order_email_of_an_order_on_terms_says_when_it_is_paid(
    on_terms, members, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        checkout_for(world, members["purchaser"], on_terms)
    (message,) = mailoutbox
    assert "全部包裹验收后 30 天内对公转账付款" in message.body
    assert "逾期未付款订单将自动取消" not in message.body and "逾期订单将自动取消" not in message.body
