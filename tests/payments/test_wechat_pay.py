"""WeChat Pay API v3, contracted directly: the real ``wechatpayv3`` library against a local
endpoint in WeChat's wire format (tests/payments/wechat_endpoint.py), with keys generated
for each test. Through the public surface: ``payments.direct`` (start, sync, refund), the
notify URL ``POST /payments/notify/wechat_pay/`` with Django's test client, and the Celery
tasks (eager in tests) ``reconcile_direct_payments`` and ``check_bills``."""

import datetime as dt
import json
from urllib.parse import quote

import pytest
from django.db.models import Sum
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from attribution.models import EntryKind, LedgerEntry
from core.parsing import BadInput, yuan_to_fen
from orders.models import OrderLine, OrderStatus, PaymentMethod
from orders.services import expire_unpaid_orders
from payments import direct
from payments.models import (
    BillCheck,
    BillDifference,
    DirectRefund,
    DirectTrade,
    Payment,
    ProviderNotification,
    Refund,
)
from payments.providers import provider_for
from payments.providers.base import ProviderRefused, ProviderUnavailable
from payments.providers.wechat import WeChatPayClient, parse_trade_bill, rfc3339

from .conftest import place_stripe_order
from .wechat_endpoint import SHANGHAI, new_key, post_notification

pytestmark = pytest.mark.django_db

WECHAT = "wechat_pay"
TOTAL = 2 * 5990 + 1250  # the order of place_stripe_order: 13230 fen


def place_order():
    return place_stripe_order(method=PaymentMethod.WECHAT_PAY)


def browser(device: str = "desktop"):
    agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile" if device == "phone" else "Mozilla/5.0"
    return RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=agent)


def start(order, device: str = "desktop"):
    return direct.start_payment(order, WECHAT, device=device, request=browser(device))


def trade_of(order) -> DirectTrade:
    return DirectTrade.objects.get(order=order)


@pytest.fixture
def notify(client, django_capture_on_commit_callbacks):
    """POST a notification as WeChat does and run what it queued after commit."""

    def _notify(headers: dict, body):
        with django_capture_on_commit_callbacks(execute=True):
            return post_notification(client, headers, body)

    return _notify


@pytest.fixture
def paid(wechat_endpoint, notify):
    """An order paid by QR code, booked from WeChat's notification: (order, transaction id)."""
    order = place_order()
    start(order)
    out_trade_no = trade_of(order).out_trade_no
    transaction_id = wechat_endpoint.pay(out_trade_no)
    assert notify(*wechat_endpoint.paid_notification(out_trade_no)).status_code == 204
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order, transaction_id


# --- creating trades ------------------------------------------------------------------------------------------------


def test_wechat_pay_is_offered_direct_once_its_settings_are_complete(wechat_endpoint):
    assert direct.configured(WECHAT)
    assert provider_for(PaymentMethod.WECHAT_PAY).code == WECHAT


def test_native_create_shows_the_code_url_and_reopening_reuses_the_trade(wechat_endpoint):
    order = place_order()

    first = start(order)
    again = start(order)

    trade = trade_of(order)
    at_wechat = wechat_endpoint.trades[trade.out_trade_no]
    assert first.flavour == "native"
    assert first.qr_text == f"weixin://wxpay/bizpayurl?pr={at_wechat['_prepay'][2:12]}"
    assert (again.flavour, again.qr_text) == ("native", first.qr_text)
    [call] = wechat_endpoint.calls("POST", "/v3/pay/transactions/")
    assert call.path == "/v3/pay/transactions/native"
    assert call.body == {
        "notify_url": "http://127.0.0.1:8000/payments/notify/wechat_pay/",
        "description": f"消费帮扶商城订单 {order.number}",
        "out_trade_no": f"{order.number}W01",
        "amount": {"total": TOTAL, "currency": "CNY"},
        "time_expire": rfc3339(order.payment_due_at),
        "appid": wechat_endpoint.appid,
        "mchid": wechat_endpoint.mchid,
    }
    assert call.body["time_expire"].endswith("+08:00")
    assert call.headers["wechatpay-serial"] == wechat_endpoint.public_key_id
    assert (trade.flavour, trade.amount_fen, trade.status, trade.checkout_qr) == (
        "native",
        TOTAL,
        "pending",
        first.qr_text,
    )


def test_h5_create_sends_the_buyer_to_wechat_with_our_return_page(wechat_endpoint):
    order = place_order()

    checkout = start(order, "phone")

    trade = trade_of(order)
    [call] = wechat_endpoint.calls("POST", "/v3/pay/transactions/")
    assert call.path == "/v3/pay/transactions/h5"
    assert call.body["scene_info"] == {"payer_client_ip": "203.0.113.7", "h5_info": {"type": "Wap"}}
    prepay = wechat_endpoint.trades[trade.out_trade_no]["_prepay"]
    return_url = "http://127.0.0.1:8000" + reverse("payments:pay_return", args=[order.token])
    assert checkout.flavour == "h5"
    assert checkout.redirect_url == (
        f"https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id={prepay}&package=2150917749"
        f"&redirect_url={quote(return_url, safe='')}"
    )
    assert trade.checkout_url == checkout.redirect_url


def test_an_answer_whose_signature_fails_is_not_believed(wechat_endpoint, caplog):
    order = place_order()
    wechat_endpoint.answer_key = new_key()  # someone else signs WeChat's answer

    with pytest.raises(ProviderUnavailable, match="未通过签名验证"):
        start(order)

    assert "signature did not verify" in caplog.text
    assert trade_of(order).last_error == "微信支付的应答未通过签名验证，未予采信。"
    assert trade_of(order).checkout_qr == ""


def test_an_answer_under_another_key_id_is_not_believed(wechat_endpoint):
    order = place_order()
    wechat_endpoint.answer_serial = "PUB_KEY_ID_0119000001092026120700000000000002"

    with pytest.raises(ProviderUnavailable, match="未通过签名验证"):
        start(order)

    # The library looked for a platform certificate of that serial (not there: refused).
    assert [r.path for r in wechat_endpoint.requests] == ["/v3/pay/transactions/native", "/v3/certificates"]


def test_server_errors_and_an_unreachable_endpoint_are_unavailable_and_refusals_carry_wechats_message(
    wechat_endpoint, settings
):
    order = place_order()
    wechat_endpoint.failures = [500]
    with pytest.raises(ProviderUnavailable):
        start(order)
    assert trade_of(order).last_error == "微信支付暂时无法处理请求（系统错误），请稍后再试。"

    assert start(order).qr_text  # tried again: created
    trade = trade_of(order)
    out_trade_no = trade.out_trade_no
    wechat_endpoint.pay(out_trade_no)
    with pytest.raises(ProviderRefused, match="^该订单已支付$"):  # WeChat's message, for a person
        WeChatPayClient().create(trade, description="再下单", client_ip="203.0.113.7", return_url="http://x/")

    settings.WECHATPAY_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(ProviderUnavailable, match="暂时无法连接微信支付"):
        WeChatPayClient().query(out_trade_no)


def test_query_maps_wechats_states(wechat_endpoint):
    order = place_order()
    start(order)
    out_trade_no = trade_of(order).out_trade_no
    client = WeChatPayClient()

    assert client.query("NOSUCHTRADE01").status == "unknown"
    assert client.query(out_trade_no).status == "pending"
    wechat_endpoint.trades[out_trade_no]["trade_state"] = "USERPAYING"
    assert client.query(out_trade_no).status == "pending"
    transaction_id = wechat_endpoint.pay(out_trade_no, at=dt.datetime(2026, 12, 7, 10, 0, 5, tzinfo=SHANGHAI))
    state = client.query(out_trade_no)
    assert (state.status, state.transaction_id, state.amount_fen, state.currency) == (
        "paid",
        transaction_id,
        TOTAL,
        "CNY",
    )
    assert state.at == dt.datetime(2026, 12, 7, 2, 0, 5, tzinfo=dt.UTC)
    wechat_endpoint.trades[out_trade_no]["trade_state"] = "REFUND"
    assert client.query(out_trade_no).status == "paid"
    for closed in ("CLOSED", "REVOKED", "PAYERROR"):
        wechat_endpoint.trades[out_trade_no]["trade_state"] = closed
        assert client.query(out_trade_no).status == "closed"


# --- notifications --------------------------------------------------------------------------------------------------


def test_a_paid_notification_books_exactly_one_payment(wechat_endpoint, notify):
    order = place_order()
    start(order)
    trade = trade_of(order)
    transaction_id = wechat_endpoint.pay(trade.out_trade_no, at=timezone.now().replace(microsecond=0))
    headers, body = wechat_endpoint.paid_notification(trade.out_trade_no)

    answer = notify(headers, body)

    assert (answer.status_code, answer.content) == (204, b"")
    [payment] = Payment.objects.all()
    assert (payment.method, payment.reference, payment.amount_fen, payment.currency, payment.status) == (
        "wechat_pay",
        transaction_id,
        TOTAL,
        "CNY",
        "accepted",
    )
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, TOTAL)
    trade.refresh_from_db()
    success_time = dt.datetime.fromisoformat(wechat_endpoint.trades[trade.out_trade_no]["success_time"])
    assert (trade.status, trade.transaction_id, trade.paid_at) == ("paid", transaction_id, success_time)
    [stored] = ProviderNotification.objects.all()
    assert (stored.provider, stored.event_id, stored.out_trade_no) == (
        WECHAT,
        json.loads(body)["id"],
        trade.out_trade_no,
    )
    assert stored.processed_at is not None
    assert stored.payload["event_type"] == "TRANSACTION.SUCCESS"
    assert stored.payload["resource"]["transaction_id"] == transaction_id  # kept decrypted
    lines = OrderLine.objects.filter(suborder__order=order).select_related("product")
    assert sorted((line.quantity, line.product.units_sold) for line in lines) == [(1, 1), (2, 2)]


def test_the_same_notification_ten_times_books_once(wechat_endpoint, notify):
    order = place_order()
    start(order)
    out_trade_no = trade_of(order).out_trade_no
    wechat_endpoint.pay(out_trade_no)
    headers, body = wechat_endpoint.paid_notification(out_trade_no)

    answers = [notify(headers, body).status_code for _ in range(10)]

    assert answers == [204] * 10
    assert Payment.objects.count() == 1
    assert ProviderNotification.objects.count() == 1
    order.refresh_from_db()
    assert order.paid_fen == TOTAL


def test_a_closed_report_after_the_payment_changes_nothing(wechat_endpoint, notify, paid):
    order, transaction_id = paid
    out_trade_no = trade_of(order).out_trade_no
    closed = dict(wechat_endpoint.transaction(out_trade_no), trade_state="CLOSED", trade_state_desc="订单已关闭")

    assert notify(*wechat_endpoint.notification("TRANSACTION.SUCCESS", closed)).status_code == 204

    assert ProviderNotification.objects.count() == 2
    assert list(Payment.objects.values_list("reference", "status")) == [(transaction_id, "accepted")]
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, TOTAL)
    assert trade_of(order).status == "paid"


def test_a_payment_for_a_trade_we_already_closed_is_kept_flagged(
    wechat_endpoint, notify, django_capture_on_commit_callbacks
):
    order = place_order()
    start(order)
    trade = trade_of(order)
    order.payment_due_at = timezone.now() - dt.timedelta(minutes=1)
    order.save(update_fields=["payment_due_at"])
    assert expire_unpaid_orders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert direct.close_direct_trade(trade.pk) == "closed"
    # The buyer's payment was under way when the close reached WeChat: it went through.
    transaction_id = wechat_endpoint.pay(trade.out_trade_no)

    assert notify(*wechat_endpoint.paid_notification(trade.out_trade_no)).status_code == 204

    [payment] = Payment.objects.all()
    assert (payment.reference, payment.amount_fen, payment.status) == (transaction_id, TOTAL, "flagged")
    assert payment.flag_reason == "订单当前状态为「已取消」，不应再收款"
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.CANCELLED, 0)


def test_a_paid_amount_that_differs_is_flagged_and_the_order_stays_unpaid(wechat_endpoint, notify):
    order = place_order()
    start(order)
    out_trade_no = trade_of(order).out_trade_no
    wechat_endpoint.pay(out_trade_no, amount_fen=TOTAL - 100)

    assert notify(*wechat_endpoint.paid_notification(out_trade_no)).status_code == 204

    [payment] = Payment.objects.all()
    assert (payment.amount_fen, payment.status, payment.flag_reason) == (
        13130,
        "flagged",
        "金额 ¥131.30 与应收 ¥132.30 不符",
    )
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.AWAITING_PAYMENT, 0)


def _forged(endpoint, how: str):
    """A notification for a paid trade, spoiled in one way."""
    out_trade_no = next(iter(endpoint.trades))
    if how == "wrong mchid":
        resource = dict(endpoint.transaction(out_trade_no), mchid="1900000999")
        return endpoint.notification("TRANSACTION.SUCCESS", resource)
    if how == "wrong appid":
        resource = dict(endpoint.transaction(out_trade_no), appid="wx0000000000000000")
        return endpoint.notification("TRANSACTION.SUCCESS", resource)
    if how == "bad signature":
        return endpoint.paid_notification(out_trade_no, key=new_key())
    if how == "wrong serial":
        return endpoint.paid_notification(out_trade_no, serial="PUB_KEY_ID_0119000001092026120700000000000002")
    if how == "stale timestamp":
        return endpoint.paid_notification(out_trade_no, timestamp=int(timezone.now().timestamp()) - 301)
    headers, body = endpoint.paid_notification(out_trade_no)
    if how == "tampered body":
        return headers, body.replace('"summary": "支付成功"', '"summary": "支付成功 "')
    if how == "wrong encryption key":
        endpoint.apiv3_key, real = "0" * 32, endpoint.apiv3_key
        headers, body = endpoint.paid_notification(out_trade_no)
        endpoint.apiv3_key = real
        return headers, body
    if how.startswith("missing "):
        return {k: v for k, v in headers.items() if k != how.removeprefix("missing ")}, body
    if how == "too large":
        envelope = json.loads(body)
        envelope["padding"] = "x" * 70_000
        text = json.dumps(envelope)
        return endpoint.signed_headers(text), text
    raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    [
        "bad signature",
        "tampered body",
        "wrong serial",
        "stale timestamp",
        "wrong mchid",
        "wrong appid",
        "wrong encryption key",
        "too large",
        "missing Wechatpay-Signature",
        "missing Wechatpay-Timestamp",
        "missing Wechatpay-Nonce",
        "missing Wechatpay-Serial",
        "missing Wechatpay-Signature-Type",
    ],
)
def test_a_notification_that_fails_verification_is_refused_and_stored_nowhere(wechat_endpoint, notify, how):
    order = place_order()
    start(order)
    wechat_endpoint.pay(trade_of(order).out_trade_no)
    headers, body = _forged(wechat_endpoint, how)
    before = len(wechat_endpoint.requests)

    answer = notify(headers, body)

    assert answer.status_code == 400
    assert answer.json()["code"] == "FAIL"
    assert ProviderNotification.objects.count() == 0
    assert Payment.objects.count() == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert len(wechat_endpoint.requests) == before  # never went looking for certificates


def test_an_unknown_event_is_stored_and_applies_nothing(wechat_endpoint, notify):
    order = place_order()
    start(order)
    resource = {"mchid": wechat_endpoint.mchid, "appid": wechat_endpoint.appid, "out_trade_no": "X"}

    assert notify(*wechat_endpoint.notification("PAYSCORE.USER_OPEN_SERVICE", resource)).status_code == 204

    [stored] = ProviderNotification.objects.all()
    assert (stored.result, stored.out_trade_no, stored.payload["event_type"]) == (
        "nothing to apply",
        "",
        "PAYSCORE.USER_OPEN_SERVICE",
    )
    assert Payment.objects.count() == 0


# --- query on return, reconciliation ------------------------------------------------------------------------------


def test_the_query_on_return_books_a_paid_trade_without_any_notification(wechat_endpoint):
    order = place_order()
    start(order)
    out_trade_no = trade_of(order).out_trade_no
    assert direct.sync_order(order, WECHAT) is False  # not paid yet
    transaction_id = wechat_endpoint.pay(out_trade_no)

    assert direct.sync_order(order, WECHAT) is True

    assert list(Payment.objects.values_list("reference", "amount_fen", "status")) == [
        (transaction_id, TOTAL, "accepted")
    ]
    assert ProviderNotification.objects.count() == 0
    assert [c.path for c in wechat_endpoint.calls("GET", "/v3/pay/transactions/")] == [
        f"/v3/pay/transactions/out-trade-no/{out_trade_no}"
    ] * 2


def test_reconciliation_books_a_lost_notification_and_closes_the_trades_of_a_cancelled_order(
    wechat_endpoint, django_capture_on_commit_callbacks
):
    lost = place_order()
    start(lost)
    lost_trade = trade_of(lost)
    transaction_id = wechat_endpoint.pay(lost_trade.out_trade_no)  # its notification never came
    cancelled = place_order()
    start(cancelled, "phone")
    start(cancelled, "desktop")  # two trades: the buyer switched devices
    cancelled.payment_due_at = timezone.now() - dt.timedelta(minutes=1)
    cancelled.save(update_fields=["payment_due_at"])
    assert expire_unpaid_orders() == 1
    DirectTrade.objects.update(created_at=timezone.now() - dt.timedelta(minutes=20))

    with django_capture_on_commit_callbacks(execute=True):
        counts = direct.reconcile_direct_payments()

    assert counts == {"notifications": 0, "trades": 3, "paid": 1, "closed": 2, "refunds": 0, "errors": 0}
    assert list(Payment.objects.values_list("order_id", "reference", "status")) == [
        (lost.pk, transaction_id, "accepted")
    ]
    lost.refresh_from_db()
    assert lost.status == OrderStatus.PAID
    closed = DirectTrade.objects.filter(order=cancelled)
    assert sorted(closed.values_list("status", flat=True)) == ["closed", "closed"]
    assert sorted(wechat_endpoint.trades[t.out_trade_no]["trade_state"] for t in closed) == ["CLOSED", "CLOSED"]
    assert sorted(c.path for c in wechat_endpoint.calls("POST", "/v3/pay/transactions/out-trade-no/")) == sorted(
        f"/v3/pay/transactions/out-trade-no/{t.out_trade_no}/close" for t in closed
    )


# --- refunds --------------------------------------------------------------------------------------------------------


def _first_line(order) -> OrderLine:
    return OrderLine.objects.filter(suborder__order=order).order_by("pk").first()


def _ledger(order) -> dict[str, int]:
    rows = LedgerEntry.objects.filter(order=order).values("kind").annotate(total=Sum("amount_fen"))
    return {row["kind"]: row["total"] for row in rows}


def test_a_refund_goes_to_wechat_once_and_its_notification_confirms_it(
    wechat_endpoint, notify, paid, django_capture_on_commit_callbacks
):
    order, transaction_id = paid
    trade = trade_of(order)
    line = _first_line(order)
    assert _ledger(order) == {EntryKind.SALE: TOTAL}

    with django_capture_on_commit_callbacks(execute=True):
        refund = direct.refund_through_direct(WECHAT, order.pk, lines={line.pk: 1}, reason="少发一箱")

    direct_refund = DirectRefund.objects.get(refund=refund)
    out_refund_no = f"{trade.out_trade_no}R{refund.pk}"
    [call] = wechat_endpoint.calls("POST", "/v3/refund/domestic/refunds")
    assert call.body == {
        "notify_url": "http://127.0.0.1:8000/payments/notify/wechat_pay/",
        "out_refund_no": out_refund_no,
        "amount": {"refund": 5990, "total": TOTAL, "currency": "CNY"},
        "out_trade_no": trade.out_trade_no,
        "reason": "少发一箱",
    }
    at_wechat = wechat_endpoint.refunds[out_refund_no]
    assert (direct_refund.out_refund_no, direct_refund.status, direct_refund.provider_refund_id) == (
        out_refund_no,
        "pending",
        at_wechat["refund_id"],
    )
    assert direct_refund.sent_at is not None
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PENDING  # sent, not yet back with the buyer

    # Sent again (a retry after a lost answer): the same out_refund_no, the same refund at WeChat.
    direct.send_direct_refund(direct_refund.pk)
    calls = wechat_endpoint.calls("POST", "/v3/refund/domestic/refunds")
    assert [c.body["out_refund_no"] for c in calls] == [out_refund_no] * 2
    assert len(wechat_endpoint.refunds) == 1

    headers, body = wechat_endpoint.settle_refund(out_refund_no)
    assert notify(headers, body).status_code == 204
    assert notify(headers, body).status_code == 204  # twice: once

    refund.refresh_from_db()
    assert (refund.status, refund.reference) == (Refund.Status.CONFIRMED, at_wechat["refund_id"])
    direct_refund.refresh_from_db()
    success_time = dt.datetime.fromisoformat(at_wechat["success_time"])
    assert (direct_refund.status, direct_refund.refunded_at) == ("succeeded", success_time)
    order.refresh_from_db()
    assert (order.status, order.paid_fen, order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, TOTAL, 5990)
    assert _ledger(order) == {EntryKind.SALE: TOTAL, EntryKind.REFUND: -5990}
    reversals = LedgerEntry.objects.filter(order=order, kind=EntryKind.REFUND)
    assert list(reversals.values_list("order_line_id", "amount_fen")) == [(line.pk, -5990)]
    assert ProviderNotification.objects.filter(out_refund_no=out_refund_no).count() == 1

    # WeChat's own refund query now says the same.
    state = WeChatPayClient().query_refund(direct_refund)
    assert (state.status, state.provider_refund_id, state.amount_fen, state.at) == (
        "succeeded",
        at_wechat["refund_id"],
        5990,
        success_time,
    )


def test_a_refund_wechat_refuses_fails_and_nothing_is_reversed(
    wechat_endpoint, paid, django_capture_on_commit_callbacks
):
    order, _transaction_id = paid
    wechat_endpoint.refund_balance_fen = 1000  # the merchant account cannot cover 59.90

    with django_capture_on_commit_callbacks(execute=True):
        refund = direct.refund_through_direct(WECHAT, order.pk, lines={_first_line(order).pk: 1}, reason="少发一箱")

    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED
    direct_refund = DirectRefund.objects.get(refund=refund)
    assert (direct_refund.status, direct_refund.last_error) == ("failed", "基本账户余额不足，请充值后重新发起")
    assert wechat_endpoint.refunds == {}
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (OrderStatus.PAID, 0)
    assert _ledger(order) == {EntryKind.SALE: TOTAL}


def test_a_refund_wechat_closes_fails_by_its_notification(
    wechat_endpoint, notify, paid, django_capture_on_commit_callbacks
):
    order, _transaction_id = paid
    with django_capture_on_commit_callbacks(execute=True):
        refund = direct.refund_through_direct(WECHAT, order.pk, lines=None, reason="")
    out_refund_no = DirectRefund.objects.get(refund=refund).out_refund_no

    assert notify(*wechat_endpoint.settle_refund(out_refund_no, "ABNORMAL")).status_code == 204

    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED
    assert DirectRefund.objects.get(refund=refund).last_error.startswith("微信支付退款异常")
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (OrderStatus.PAID, 0)


# --- the daily bill -------------------------------------------------------------------------------------------------


def test_the_bill_check_lists_a_payment_missing_at_wechat_and_one_unknown_to_us(
    wechat_endpoint, notify, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    noon = dt.datetime.combine(today, dt.time(12, 0), tzinfo=SHANGHAI)
    orders = [place_order() for _ in range(3)]
    for order in orders:
        start(order)
    matched, missing, unknown = [trade_of(o).out_trade_no for o in orders]
    ids = {
        no: wechat_endpoint.pay(no, at=noon + dt.timedelta(minutes=i))
        for i, no in enumerate([matched, missing, unknown])
    }
    for no in (matched, missing):  # booked from their notifications; the third one's never came
        assert notify(*wechat_endpoint.paid_notification(no)).status_code == 204
    wechat_endpoint.hidden_from_bill.add(ids[missing])  # WeChat's bill lacks a payment we booked
    refunded = orders[0]  # and a refund of the matched payment, the same day, matches too
    with django_capture_on_commit_callbacks(execute=True):
        refund = direct.refund_through_direct(WECHAT, refunded.pk, lines={_first_line(refunded).pk: 1})
    out_refund_no = DirectRefund.objects.get(refund=refund).out_refund_no
    settled = wechat_endpoint.settle_refund(out_refund_no, at=noon + dt.timedelta(hours=1))
    assert notify(*settled).status_code == 204

    assert direct.check_bills(today.isoformat()) == {WECHAT: "differences"}

    check = BillCheck.objects.get(provider=WECHAT, day=today)
    assert (check.status, check.provider_lines, check.matched, check.error) == ("differences", 3, 2, "")
    rows = check.differences.order_by("kind").values_list(
        "kind", "line_kind", "transaction_id", "out_trade_no", "provider_amount_fen", "our_amount_fen", "payment_id"
    )
    booked = Payment.objects.get(reference=ids[missing])
    assert list(rows) == [
        (BillDifference.Kind.MISSING_AT_PROVIDER, "payment", ids[missing], missing, None, TOTAL, booked.pk),
        (BillDifference.Kind.UNKNOWN_TO_US, "payment", ids[unknown], unknown, TOTAL, None, None),
    ]
    [tradebill] = wechat_endpoint.calls("GET", "/v3/bill/tradebill")
    assert tradebill.query == {"bill_date": today.isoformat(), "bill_type": "ALL", "tar_type": "GZIP"}


def test_a_day_without_transactions_has_no_bill_and_nothing_to_list(wechat_endpoint):
    assert direct.check_bills("2026-11-30") == {WECHAT: "matched"}
    check = BillCheck.objects.get(provider=WECHAT, day=dt.date(2026, 11, 30))
    assert (check.provider_lines, check.matched, check.differences.count()) == (0, 0, 0)


def test_a_bill_whose_digest_does_not_match_fails_the_check(wechat_endpoint, paid):
    today = timezone.localdate()
    wechat_endpoint.bill_damaged = True  # the file downloaded is not the one WeChat digested

    assert direct.check_bills(today.isoformat()) == {WECHAT: "failed"}
    check = BillCheck.objects.get(provider=WECHAT, day=today)
    assert (check.error, check.differences.count()) == ("账单文件校验失败（SHA1 不符）。", 0)


def test_the_bill_csv_is_read_exactly():
    text = (
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
        "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
        "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n"
        "`2026-12-06 10:00:00,`wxA,`1900000109,`0,`,`4200001,`O1W01,`oU,`NATIVE,`SUCCESS,`OTHERS,`CNY,"
        "`1234.56,`0.00,`0,`0,`0.00,`0.00,`,`,`商品,`,`7.41,`0.60%,`1234.56,`0.00,`\r\n"
        "`2026-12-06 18:30:01,`wxA,`1900000109,`0,`,`4200001,`O1W01,`oU,`NATIVE,`REFUND,`OTHERS,`CNY,"
        "`0.00,`0.00,`5000001,`O1W01R7,`0.10,`0.00,`ORIGINAL,`SUCCESS,`商品,`,`0.00,`0.60%,`1234.56,`0.10,`\r\n"
        "`2026-12-06 19:00:00,`wxA,`1900000109,`0,`,`4200002,`O2W01,`oU,`NATIVE,`REVOKED,`OTHERS,`CNY,"
        "`0.00,`0.00,`0,`0,`0.00,`0.00,`,`,`商品,`,`0.00,`0.60%,`8.00,`0.00,`\r\n"
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n"
        "`3,`1234.56,`0.10,`0.00,`7.41,`1242.56,`0.10\r\n"
    )
    payment, refund = parse_trade_bill(text)
    assert (payment.kind, payment.transaction_id, payment.out_trade_no, payment.amount_fen) == (
        "payment",
        "4200001",
        "O1W01",
        123456,
    )
    assert payment.at == dt.datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI)
    assert (refund.kind, refund.amount_fen, refund.out_refund_no, refund.provider_refund_id) == (
        "refund",
        10,
        "O1W01R7",
        "5000001",
    )


def test_yuan_become_fen_exactly():
    assert [yuan_to_fen(t) for t in ("0.01", "12.34", "1234.5", "7", "0.10")] == [1, 1234, 123450, 700, 10]
    for bad in ("12.345", "abc", "", "NaN"):
        with pytest.raises(BadInput):
            yuan_to_fen(bad)
