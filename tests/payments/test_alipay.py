"""Alipay contracted directly (``payments.providers.alipay``), end to end through the
public surface: ``payments.direct``'s services, ``POST /payments/notify/alipay/`` and the
tasks, with the real ``alipay`` library talking to the local gateway of
``tests/payments/alipay_endpoint.py`` (keys generated in the test, answers signed as
Alipay signs them).

The order of ``place_stripe_order``: 2 × ¥59.90 + 1 × ¥12.50 = ¥132.30 (13230 fen)."""

import datetime as dt
import io
import json
import zipfile
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db.models import Sum
from django.test import RequestFactory
from django.utils import timezone

from attribution.models import EntryKind, LedgerEntry
from orders.models import Order, OrderLine, OrderStatus, PaymentMethod
from orders.services import expire_unpaid_orders
from payments import direct
from payments.direct_models import BillCheck, BillDifference, DirectRefund, DirectTrade, ProviderNotification
from payments.models import Payment, Refund
from payments.providers.alipay import library_client
from payments.providers.base import ProviderRefused, ProviderUnavailable

from .alipay_endpoint import alipay_keys, pem_public, post_notification, rsa2_sign, rsa2_verify, signed_content
from .conftest import place_stripe_order

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def alipay_order() -> Order:
    return place_stripe_order(method=PaymentMethod.ALIPAY)


def start(order: Order, device: str = "desktop"):
    agent = PHONE if device == "phone" else "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
    request = RequestFactory().get("/", HTTP_USER_AGENT=agent)
    assert direct.device_of(request) == device
    return direct.start_payment(order, "alipay", device=direct.device_of(request), request=request)


def paid_by_buyer(endpoint, order: Order) -> DirectTrade:
    """The buyer opens the cashier page and pays (no notification sent yet)."""
    checkout = start(order)
    endpoint.open(checkout.redirect_url)
    trade = DirectTrade.objects.get(order=order)
    endpoint.pay(trade.out_trade_no)
    return trade


def signed_request(url: str) -> tuple[str, dict]:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", dict(parse_qsl(parts.query, keep_blank_values=True))


def ledger_sum(order: Order, kind: str | None = None) -> int:
    entries = LedgerEntry.objects.filter(order=order)
    if kind:
        entries = entries.filter(kind=kind)
    return entries.aggregate(s=Sum("amount_fen"))["s"] or 0


# --- creating the trade -----------------------------------------------------------------------------------------------


def test_desktop_gets_page_pay_signed_with_the_app_key_and_no_server_call(alipay_endpoint, settings):
    order = alipay_order()

    checkout = start(order, "desktop")

    trade = DirectTrade.objects.get(order=order)
    assert (checkout.flavour, trade.flavour, trade.amount_fen, trade.status) == ("page", "page", 13230, "pending")
    assert trade.out_trade_no == f"{order.number}A01"
    assert alipay_endpoint.requests == []  # page pay is carried by the buyer's browser
    gateway, params = signed_request(checkout.redirect_url)
    assert gateway == alipay_endpoint.gateway
    assert rsa2_verify(alipay_keys().app.public_key(), signed_content(params), params["sign"])
    assert (params["method"], params["app_id"], params["sign_type"], params["charset"], params["version"]) == (
        "alipay.trade.page.pay",
        settings.ALIPAY_APP_ID,
        "RSA2",
        "utf-8",
        "1.0",
    )
    assert params["notify_url"] == settings.SITE_URL + "/payments/notify/alipay/"
    assert params["return_url"] == direct.return_url(order)
    due = order.payment_due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    assert json.loads(params["biz_content"]) == {
        "subject": f"消费帮扶商城订单 {order.number}",
        "out_trade_no": trade.out_trade_no,
        "total_amount": "132.30",
        "product_code": "FAST_INSTANT_TRADE_PAY",
        "time_expire": due,
    }
    # Reopening the page gives the same trade and address; the gateway takes the request.
    assert start(order, "desktop") == checkout
    assert DirectTrade.objects.count() == 1
    assert "¥132.30" in alipay_endpoint.open(checkout.redirect_url)
    assert alipay_endpoint.trades[trade.out_trade_no].status == "WAIT_BUYER_PAY"


def test_phone_gets_wap_pay_with_the_order_page_as_quit_url(alipay_endpoint, settings):
    order = alipay_order()

    checkout = start(order, "phone")

    trade = DirectTrade.objects.get(order=order)
    assert (checkout.flavour, trade.flavour) == ("wap", "wap")
    _gateway, params = signed_request(checkout.redirect_url)
    assert rsa2_verify(alipay_keys().app.public_key(), signed_content(params), params["sign"])
    assert params["method"] == "alipay.trade.wap.pay"
    biz = json.loads(params["biz_content"])
    assert (biz["product_code"], biz["total_amount"], biz["out_trade_no"]) == (
        "QUICK_WAP_PAY",
        "132.30",
        trade.out_trade_no,
    )
    assert biz["quit_url"] == settings.SITE_URL + order.get_absolute_url()
    alipay_endpoint.open(checkout.redirect_url)
    assert alipay_endpoint.trades[trade.out_trade_no].product_code == "QUICK_WAP_PAY"


def test_a_changed_amount_in_the_address_is_refused_by_the_gateway(alipay_endpoint):
    checkout = start(alipay_order())
    tampered = checkout.redirect_url.replace("132.30", "1.30")

    page = alipay_endpoint.open(tampered)

    assert "isv.invalid-signature" in page
    assert alipay_endpoint.trades == {}


# --- notifications ----------------------------------------------------------------------------------------------------


def test_a_paid_notification_books_one_payment_and_is_answered_success(alipay_endpoint, client):
    order = alipay_order()
    trade = paid_by_buyer(alipay_endpoint, order)
    form = alipay_endpoint.paid_notification(trade.out_trade_no)

    response = post_notification(client, form)

    assert (response.status_code, response.content, response["Content-Type"]) == (200, b"success", "text/plain")
    [payment] = Payment.objects.all()
    assert (payment.method, payment.reference, payment.amount_fen, payment.currency, payment.status) == (
        "alipay",
        form["trade_no"],
        13230,
        "CNY",
        Payment.Status.ACCEPTED,
    )
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, 13230)
    trade.refresh_from_db()
    paid_at = dt.datetime.strptime(form["gmt_payment"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    assert (trade.status, trade.transaction_id, trade.paid_at) == ("paid", form["trade_no"], paid_at)
    [stored] = ProviderNotification.objects.all()
    assert (stored.provider, stored.event_id, stored.out_trade_no) == ("alipay", form["notify_id"], trade.out_trade_no)
    assert stored.payload == form
    assert stored.processed_at is not None and stored.result.startswith(f"payment {payment.pk} accepted")
    assert ledger_sum(order, EntryKind.SALE) == 13230


def test_the_same_notification_ten_times_books_once(alipay_endpoint, client):
    order = alipay_order()
    trade = paid_by_buyer(alipay_endpoint, order)
    form = alipay_endpoint.paid_notification(trade.out_trade_no)

    answers = [post_notification(client, form) for _ in range(10)]

    assert [(a.status_code, a.content) for a in answers] == [(200, b"success")] * 10
    assert Payment.objects.count() == 1
    assert ProviderNotification.objects.count() == 1
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.PAID, 13230)
    assert ledger_sum(order) == 13230


def test_trade_closed_after_trade_success_changes_nothing(alipay_endpoint, client):
    order = alipay_order()
    trade = paid_by_buyer(alipay_endpoint, order)
    paid = alipay_endpoint.paid_notification(trade.out_trade_no)
    closed = alipay_endpoint.closed_notification(trade.out_trade_no)

    assert post_notification(client, paid).content == b"success"
    assert post_notification(client, closed).content == b"success"

    trade.refresh_from_db()
    order.refresh_from_db()
    assert (trade.status, order.status, order.paid_fen) == ("paid", OrderStatus.PAID, 13230)
    assert Payment.objects.count() == 1
    assert ProviderNotification.objects.get(event_id=closed["notify_id"]).result == "no change (paid)"


def test_trade_finished_is_paid_too_and_a_status_we_do_not_know_books_nothing(alipay_endpoint, client):
    order = alipay_order()
    trade = paid_by_buyer(alipay_endpoint, order)
    strange = alipay_endpoint.paid_notification(trade.out_trade_no, trade_status="TRADE_PENDING_SETTLE")
    finished = alipay_endpoint.paid_notification(trade.out_trade_no, trade_status="TRADE_FINISHED")

    assert post_notification(client, strange).content == b"success"
    assert Payment.objects.count() == 0
    assert ProviderNotification.objects.get(event_id=strange["notify_id"]).result == "nothing to apply"
    assert post_notification(client, finished).content == b"success"

    order.refresh_from_db()
    assert (order.status, Payment.objects.get().reference) == (OrderStatus.PAID, finished["trade_no"])


def test_an_amount_that_differs_is_flagged_and_does_not_pay_the_order(alipay_endpoint, client):
    order = alipay_order()
    trade = paid_by_buyer(alipay_endpoint, order)
    form = alipay_endpoint.paid_notification(trade.out_trade_no, total_amount="100.00")

    response = post_notification(client, form)

    assert (response.status_code, response.content) == (200, b"success")  # taken: a person settles it
    [payment] = Payment.objects.all()
    assert (payment.status, payment.amount_fen) == (Payment.Status.FLAGGED, 10000)
    assert "100.00" in payment.flag_reason and "132.30" in payment.flag_reason
    order.refresh_from_db()
    assert (order.status, order.paid_fen) == (OrderStatus.AWAITING_PAYMENT, 0)
    assert ledger_sum(order) == 0


def _bad_forms(endpoint, trade):
    good = endpoint.paid_notification(trade.out_trade_no)
    unsigned = {k: v for k, v in good.items() if k not in ("sign", "sign_type")}
    signed_by_us = dict(good, sign=rsa2_sign(alipay_keys().app, signed_content(unsigned)))
    return {
        "signed with another key": signed_by_us,
        "tampered amount": dict(good, total_amount="1.00"),
        "tampered status": dict(good, trade_status="TRADE_FINISHED"),
        "another app_id": endpoint.paid_notification(trade.out_trade_no, app_id="2021000999999999"),
        "another seller_id": endpoint.paid_notification(trade.out_trade_no, seller_id="2088999999999999"),
        "missing sign": {k: v for k, v in good.items() if k != "sign"},
        "sign not base64": dict(good, sign="%%%not-base64%%%"),
        "sign_type RSA": dict(good, sign_type="RSA"),
        "no notify_id": endpoint.sign_form({k: v for k, v in unsigned.items() if k != "notify_id"}),
        "unreadable amount": endpoint.paid_notification(trade.out_trade_no, total_amount="132.301"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "signed with another key",
        "tampered amount",
        "tampered status",
        "another app_id",
        "another seller_id",
        "missing sign",
        "sign not base64",
        "sign_type RSA",
        "no notify_id",
        "unreadable amount",
    ],
)
def test_a_notification_that_fails_verification_is_answered_fail_and_stored_nowhere(alipay_endpoint, client, case):
    order = alipay_order()
    trade = paid_by_buyer(alipay_endpoint, order)
    form = _bad_forms(alipay_endpoint, trade)[case]

    response = post_notification(client, form)

    assert (response.status_code, response.content, response["Content-Type"]) == (400, b"fail", "text/plain")
    assert ProviderNotification.objects.count() == 0
    assert Payment.objects.count() == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT


def test_a_notification_that_is_not_a_small_form_is_refused(alipay_endpoint, client):
    order = alipay_order()
    trade = paid_by_buyer(alipay_endpoint, order)
    form = alipay_endpoint.paid_notification(trade.out_trade_no)

    as_json = client.post("/payments/notify/alipay/", data=json.dumps(form), content_type="application/json")
    too_big = post_notification(client, alipay_endpoint.paid_notification(trade.out_trade_no, body="x" * 70_000))
    not_utf8 = client.post(
        "/payments/notify/alipay/", data=b"subject=\xff\xfe", content_type="application/x-www-form-urlencoded"
    )
    twice = client.post(
        "/payments/notify/alipay/",
        data="&".join(f"{k}={v}" for k, v in [("notify_id", "a"), ("notify_id", "b")]),
        content_type="application/x-www-form-urlencoded",
    )

    assert [(r.status_code, r.content) for r in (as_json, too_big, not_utf8, twice)] == [(400, b"fail")] * 4
    assert (ProviderNotification.objects.count(), Payment.objects.count()) == (0, 0)


# --- queries --------------------------------------------------------------------------------------------------------


def test_the_return_page_query_books_a_paid_trade(alipay_endpoint):
    order = alipay_order()
    checkout = start(order)

    assert direct.sync_order(order, "alipay") is False  # the page was not even opened: Alipay knows no trade
    alipay_endpoint.open(checkout.redirect_url)
    assert direct.sync_order(order, "alipay") is False  # WAIT_BUYER_PAY
    trade = DirectTrade.objects.get(order=order)
    trade_no = alipay_endpoint.pay(trade.out_trade_no)
    assert direct.sync_order(order, "alipay") is True

    [payment] = Payment.objects.all()
    assert (payment.reference, payment.amount_fen, payment.status) == (trade_no, 13230, Payment.Status.ACCEPTED)
    assert [json.loads(r["biz_content"]) for r in alipay_endpoint.calls("alipay.trade.query")] == [
        {"out_trade_no": trade.out_trade_no}
    ] * 3
    assert direct.sync_order(order, "alipay") is True  # nothing pending any more: no further query
    assert len(alipay_endpoint.calls("alipay.trade.query")) == 3


def test_an_unreachable_gateway_or_a_bad_answer_signature_books_nothing(alipay_endpoint, settings, tmp_path):
    order = alipay_order()
    trade = paid_by_buyer(alipay_endpoint, order)
    client = direct.client_for("alipay")

    alipay_endpoint.fail_next(502)
    with pytest.raises(ProviderUnavailable, match="HTTPError 502"):
        client.query(trade.out_trade_no)
    for garbage in (b"<html>\xe7\xb3\xbb\xe7\xbb\x9f\xe7\xbb\xb4\xe6\x8a\xa4</html>", b"{}", b"[1]", b"\xff\xfe"):
        alipay_endpoint.fail_next(200, body=garbage)  # a maintenance page, JSON of another shape, not UTF-8
        with pytest.raises(ProviderUnavailable, match="unreadable answer"):
            client.query(trade.out_trade_no)
    # Another "Alipay public key": the endpoint's signatures no longer verify.
    other = tmp_path / "other_public.pem"
    other.write_text(pem_public(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    settings.ALIPAY_PUBLIC_KEY_PATH = str(other)
    with pytest.raises(ProviderUnavailable, match="signature"):
        direct.client_for("alipay").query(trade.out_trade_no)
    assert direct.sync_order(order, "alipay") is False
    assert Payment.objects.count() == 0


def test_a_request_the_gateway_refuses_is_a_refusal_with_alipays_words(alipay_endpoint, settings):
    order = alipay_order()
    trade = paid_by_buyer(alipay_endpoint, order)
    settings.ALIPAY_APP_ID = "2021000999999999"  # an app Alipay does not know: error_response

    with pytest.raises(ProviderRefused) as refused:
        direct.client_for("alipay").query(trade.out_trade_no)

    assert str(refused.value) == "无效的AppID参数 (isv.invalid-app-id)"
    settings.ALIPAY_APP_ID = alipay_endpoint.app_id
    with pytest.raises(ProviderRefused, match="交易状态不合法"):  # a paid trade cannot be closed
        direct.client_for("alipay").close(trade.out_trade_no)
    assert alipay_endpoint.trades[trade.out_trade_no].status == "TRADE_SUCCESS"


def test_one_library_client_per_process_and_settings(alipay_endpoint, settings):
    first = direct.client_for("alipay").ali
    assert direct.client_for("alipay").ali is first is library_client()
    assert first._gateway == alipay_endpoint.gateway
    settings.PAYMENT_PROVIDER_TIMEOUT = 7
    assert library_client() is not first
    settings.ALIPAY_APP_PRIVATE_KEY_PATH = "/nonexistent/key.pem"
    with pytest.raises(ProviderUnavailable, match="keys unusable"):
        library_client()


# --- reconciliation -------------------------------------------------------------------------------------------------


def test_reconciliation_books_a_lost_notification_and_closes_trades_of_a_cancelled_order(alipay_endpoint):
    paid_order, cancelled_order, never_opened = alipay_order(), alipay_order(), alipay_order()
    paid_trade = paid_by_buyer(alipay_endpoint, paid_order)
    alipay_endpoint.open(start(cancelled_order).redirect_url)  # opened, never paid
    open_trade = DirectTrade.objects.get(order=cancelled_order)
    start(never_opened)  # the buyer left before Alipay's page: Alipay has no trade to close
    unopened_trade = DirectTrade.objects.get(order=never_opened)
    DirectTrade.objects.update(created_at=timezone.now() - dt.timedelta(minutes=30))
    Order.objects.filter(pk__in=[cancelled_order.pk, never_opened.pk]).update(
        payment_due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert expire_unpaid_orders() == 2

    counts = direct.reconcile_direct_payments()

    assert (counts["paid"], counts["closed"], counts["errors"]) == (1, 2, 0)
    unopened_trade.refresh_from_db()
    assert unopened_trade.status == "closed"
    assert unopened_trade.out_trade_no not in alipay_endpoint.trades
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.paid_fen) == (OrderStatus.PAID, 13230)
    assert Payment.objects.get().reference == alipay_endpoint.trades[paid_trade.out_trade_no].trade_no
    open_trade.refresh_from_db()
    assert open_trade.status == "closed"
    assert alipay_endpoint.trades[open_trade.out_trade_no].status == "TRADE_CLOSED"
    assert [json.loads(r["biz_content"]) for r in alipay_endpoint.calls("alipay.trade.close")] == [
        {"out_trade_no": open_trade.out_trade_no}
    ]
    # Run again: nothing left to do.
    assert direct.reconcile_direct_payments()["trades"] == 0


# --- refunds --------------------------------------------------------------------------------------------------------


def paid_order_with_notification(endpoint, client) -> tuple[Order, DirectTrade]:
    order = alipay_order()
    trade = paid_by_buyer(endpoint, order)
    assert post_notification(client, endpoint.paid_notification(trade.out_trade_no)).content == b"success"
    return order, trade


def first_line(order: Order) -> OrderLine:
    return OrderLine.objects.filter(suborder__order=order, unit_price_fen=5990).get()


def test_a_refund_goes_back_through_alipay_and_the_ledger_reverses(
    alipay_endpoint, client, django_capture_on_commit_callbacks
):
    order, trade = paid_order_with_notification(alipay_endpoint, client)
    line = first_line(order)

    with django_capture_on_commit_callbacks(execute=True):
        refund = direct.refund_through_direct("alipay", order.pk, lines={line.pk: 1}, reason="少发一箱")

    refund.refresh_from_db()
    direct_refund = DirectRefund.objects.get(refund=refund)
    assert (refund.status, refund.amount_fen) == (Refund.Status.CONFIRMED, 5990)
    assert (direct_refund.status, direct_refund.out_refund_no) == ("succeeded", f"{trade.out_trade_no}R{refund.pk}")
    [sent] = alipay_endpoint.calls("alipay.trade.refund")
    assert json.loads(sent["biz_content"]) == {
        "refund_amount": "59.90",
        "out_trade_no": trade.out_trade_no,
        "out_request_no": direct_refund.out_refund_no,
        "refund_reason": "少发一箱",
    }
    [at_alipay] = alipay_endpoint.refunds.values()
    assert (at_alipay.refund_amount, at_alipay.out_request_no) == ("59.90", direct_refund.out_refund_no)
    refunded_at = dt.datetime.strptime(at_alipay.gmt_refund_pay[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    assert direct_refund.refunded_at == refunded_at
    order.refresh_from_db()
    assert (order.status, order.paid_fen, order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, 13230, 5990)
    assert (ledger_sum(order, EntryKind.SALE), ledger_sum(order, EntryKind.REFUND), ledger_sum(order)) == (
        13230,
        -5990,
        7240,
    )
    reversals = LedgerEntry.objects.filter(order=order, kind=EntryKind.REFUND)
    assert list(reversals.values_list("order_line_id", "amount_fen")) == [(line.pk, -5990)]


def test_a_refund_whose_answer_was_lost_is_sent_again_with_the_same_number_and_made_once(
    alipay_endpoint, client, django_capture_on_commit_callbacks
):
    order, trade = paid_order_with_notification(alipay_endpoint, client)
    alipay_endpoint.fail_next(502, after_processing=True)  # Alipay refunds; its answer is lost

    with django_capture_on_commit_callbacks(execute=True):  # the task's error is logged (robust)
        refund = direct.refund_through_direct("alipay", order.pk, reason="整单退款")
    direct_refund = DirectRefund.objects.get(refund=refund)
    assert (direct_refund.status, direct_refund.sent_at, len(alipay_endpoint.refunds)) == ("pending", None, 1)
    # The task's retry, or the reconciliation once the refund is old enough, sends it again.
    DirectRefund.objects.filter(pk=direct_refund.pk).update(created_at=timezone.now() - dt.timedelta(minutes=30))
    assert direct.reconcile_direct_payments()["refunds"] == 1

    direct_refund.refresh_from_db()
    sent = [json.loads(r["biz_content"]) for r in alipay_endpoint.calls("alipay.trade.refund")]
    assert [(s["out_request_no"], s["refund_amount"]) for s in sent] == [(direct_refund.out_refund_no, "132.30")] * 2
    assert len(alipay_endpoint.refunds) == 1  # the second request was the same refund (fund_change N)
    assert len(alipay_endpoint.calls("alipay.trade.fastpay.refund.query")) == 1
    refund.refresh_from_db()
    assert (refund.status, direct_refund.status) == (Refund.Status.CONFIRMED, "succeeded")
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (OrderStatus.REFUNDED, 13230)
    assert ledger_sum(order) == 0
    # Alipay reports the fully refunded trade as TRADE_CLOSED: it stays paid with us.
    assert direct.client_for("alipay").query(trade.out_trade_no).status == "closed"
    assert direct.sync_order(order, "alipay") is True
    trade.refresh_from_db()
    assert trade.status == "paid"


def test_a_refund_notification_confirms_a_refund_once_however_often_it_comes(
    alipay_endpoint, client, django_capture_on_commit_callbacks
):
    order, trade = paid_order_with_notification(alipay_endpoint, client)
    line = first_line(order)
    with django_capture_on_commit_callbacks(execute=False):  # the refund task has not run yet
        refund = direct.refund_through_direct("alipay", order.pk, lines={line.pk: 2}, reason="质量问题")
    direct_refund = DirectRefund.objects.get(refund=refund)
    DirectRefund.objects.filter(pk=direct_refund.pk).update(created_at=timezone.now() - dt.timedelta(minutes=30))
    alipay_endpoint.fail_next(502, after_processing=True)  # reconciliation sends it; the answer is lost
    assert direct.reconcile_direct_payments()["errors"] == 1
    direct_refund.refresh_from_db()
    assert (direct_refund.status, len(alipay_endpoint.refunds)) == ("pending", 1)

    form = alipay_endpoint.refund_notification(direct_refund.out_refund_no)
    again = alipay_endpoint.refund_notification(direct_refund.out_refund_no)  # another notify_id, same refund
    answers = [post_notification(client, f).content for f in (form, form, again)]

    assert answers == [b"success"] * 3
    assert (form["out_biz_no"], form["refund_fee"], form["trade_status"]) == (
        direct_refund.out_refund_no,
        "119.80",
        "TRADE_SUCCESS",
    )
    assert ProviderNotification.objects.filter(out_refund_no=direct_refund.out_refund_no).count() == 2
    refund.refresh_from_db()
    direct_refund.refresh_from_db()
    assert (refund.status, direct_refund.status) == (Refund.Status.CONFIRMED, "succeeded")
    refunded_at = dt.datetime.strptime(form["gmt_refund"], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=SHANGHAI)
    assert direct_refund.refunded_at == refunded_at
    assert ledger_sum(order, EntryKind.REFUND) == -11980
    assert Payment.objects.count() == 1
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, 11980)
    # The reconciliation finds nothing left to send.
    assert direct.reconcile_direct_payments()["refunds"] == 0
    assert len(alipay_endpoint.calls("alipay.trade.refund")) == 1


def test_a_refund_alipay_refuses_fails(alipay_endpoint, client, django_capture_on_commit_callbacks):
    order, _trade = paid_order_with_notification(alipay_endpoint, client)
    alipay_endpoint.refuse_refunds = ("ACQ.SELLER_BALANCE_NOT_ENOUGH", "卖家余额不足")

    with django_capture_on_commit_callbacks(execute=True):
        refund = direct.refund_through_direct("alipay", order.pk, lines={first_line(order).pk: 1}, reason="少发")

    refund.refresh_from_db()
    direct_refund = DirectRefund.objects.get(refund=refund)
    assert (refund.status, direct_refund.status) == (Refund.Status.FAILED, "failed")
    assert "卖家余额不足" in direct_refund.last_error and "ACQ.SELLER_BALANCE_NOT_ENOUGH" in direct_refund.last_error
    assert alipay_endpoint.refunds == {}
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (OrderStatus.PAID, 0)
    assert ledger_sum(order) == 13230


# --- the daily bill -------------------------------------------------------------------------------------------------


def test_the_bill_check_lists_exactly_what_differs(alipay_endpoint, client, django_capture_on_commit_callbacks):
    order_a, trade_a = paid_order_with_notification(alipay_endpoint, client)
    order_b, trade_b = paid_order_with_notification(alipay_endpoint, client)
    with django_capture_on_commit_callbacks(execute=True):
        refund = direct.refund_through_direct("alipay", order_a.pk, lines={first_line(order_a).pk: 1})
    trade_a.refresh_from_db()
    trade_b.refresh_from_db()
    day = timezone.localdate()
    alipay_endpoint.publish_bill(
        day,
        omit={trade_b.transaction_id},  # a payment we booked that the bill does not have
        extra=[
            {
                "trade_no": "2026120722001499990000000099",
                "out_trade_no": "X2026120700001",
                "kind": "交易",
                "amount": "88.00",
            }
        ],  # fmt: skip
    )

    assert direct.check_bills(day.isoformat()) == {"alipay": "differences"}

    check = BillCheck.objects.get(provider="alipay", day=day)
    assert (check.status, check.provider_lines, check.matched, check.error) == ("differences", 3, 2, "")
    rows = BillDifference.objects.filter(check_run=check).order_by("kind")
    assert [
        (d.kind, d.line_kind, d.transaction_id, d.out_trade_no, d.provider_amount_fen, d.our_amount_fen, d.payment_id)
        for d in rows
    ] == [
        ("missing", "payment", trade_b.transaction_id, trade_b.out_trade_no, None, 13230,
         Payment.objects.get(order=order_b).pk),
        ("unknown", "payment", "2026120722001499990000000099", "X2026120700001", 8800, None, None),
    ]  # fmt: skip
    assert DirectRefund.objects.get(refund=refund).status == "succeeded"  # its bill line matched
    [download] = alipay_endpoint.calls("alipay.data.dataservice.bill.downloadurl.query")
    assert json.loads(download["biz_content"]) == {"bill_type": "trade", "bill_date": day.isoformat()}


def test_the_bill_parser_reads_alipay_zip_layout(alipay_endpoint, client, django_capture_on_commit_callbacks):
    order, trade = paid_order_with_notification(alipay_endpoint, client)
    with django_capture_on_commit_callbacks(execute=True):
        refund = direct.refund_through_direct("alipay", order.pk, lines={first_line(order).pk: 1})
    day = timezone.localdate()
    alipay_endpoint.publish_bill(day)

    lines = direct.client_for("alipay").bill(day)

    trade.refresh_from_db()
    direct_refund = DirectRefund.objects.get(refund=refund)
    assert [(ln.kind, ln.transaction_id, ln.out_trade_no, ln.amount_fen, ln.out_refund_no) for ln in lines] == [
        ("payment", trade.transaction_id, trade.out_trade_no, 13230, ""),
        ("refund", trade.transaction_id, trade.out_trade_no, 5990, direct_refund.out_refund_no),
    ]
    assert lines[0].at == trade.paid_at
    # The zip as Alipay makes it: GBK member names without the UTF-8 flag, GBK content.
    with zipfile.ZipFile(io.BytesIO(alipay_endpoint.bill_zip(day.isoformat()))) as archive:
        members = archive.infolist()
        assert [m.flag_bits & 0x800 for m in members] == [0, 0]
        names = [m.filename.encode("cp437").decode("gbk").rsplit("_", 1)[1] for m in members]
        assert names == ["业务明细.csv", "业务明细(汇总).csv"]


def test_a_bill_not_there_fails_the_check_with_alipays_words(alipay_endpoint):
    day = timezone.localdate() - dt.timedelta(days=1)

    assert direct.check_bills(day.isoformat()) == {"alipay": "failed"}

    check = BillCheck.objects.get(provider="alipay", day=day)
    assert check.error == "账单不存在 (isp.bill_not_exist)"
    assert check.differences.count() == 0
