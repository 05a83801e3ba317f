"""Alipay (支付宝开放平台), contracted directly: the wire-level calls of the
``DirectClient`` interface, through the ``alipay`` library (python-alipay-sdk 3.4.0).

Settings (``marketplace/settings/base.py``; README's configuration table):

* ``ALIPAY_APP_ID`` — the open-platform application (2021…).
* ``ALIPAY_APP_PRIVATE_KEY_PATH`` — our application's RSA private key, PEM with its
  BEGIN/END lines (the library does not add them); it signs every request (RSA2).
* ``ALIPAY_PUBLIC_KEY_PATH`` — Alipay's public key (支付宝公钥, public-key mode, not
  certificate mode), PEM; it verifies every answer and every notification.
* ``ALIPAY_SELLER_ID`` — the 2088… partner id; when set, a notification for another
  seller is refused.
* ``ALIPAY_SANDBOX`` — the library's ``debug``: the sandbox gateway.
* ``ALIPAY_GATEWAY`` — another gateway address (the tests' local endpoint); it replaces
  the library's ``_gateway`` attribute, which it has no argument for.
* ``PAYMENT_PROVIDER_TIMEOUT`` — seconds per request (the library's ``AliPayConfig``).

How Alipay works, and what that means here:

* **Creating a trade makes no server call.** Page pay (电脑网站支付, desktop) and WAP pay
  (手机网站支付, phone) are a request *the buyer's browser* carries to Alipay: ``create``
  signs it with our key and returns the gateway address with that signed query string. The
  trade exists at Alipay only once the buyer opens the page; until then a query answers
  ``ACQ.TRADE_NOT_EXIST`` (``TradeStatus.UNKNOWN``) and a close has nothing to close. The
  request carries ``time_expire`` (the order's payment deadline), so a page opened after it
  cannot take money; a page opened for an order cancelled earlier can, and that payment is
  booked *flagged* for a person (``payments.services.confirm_payment``).
* **Answers are verified by the library**: each server call is a GET to the gateway whose
  answer is ``{"<method>_response": {...}, "sign": "..."}``; the library checks the signature
  over the inner object's exact text with Alipay's public key and returns it. A business
  failure is *not* an exception there (``code`` other than "10000", with ``sub_code`` and
  ``sub_msg``): ``_call`` turns it into ``ProviderRefused`` (or ``ProviderUnavailable`` for
  Alipay's own system errors).
* **Amounts are yuan strings** ("132.30") on the wire; they are converted from and to
  integer fen exactly (``core.money.yuan_decimal``, ``core.parsing.yuan_to_fen``), never through a float.
* **Times** on the wire are "yyyy-MM-dd HH:mm:ss", Beijing time (Asia/Shanghai).
* **TRADE_CLOSED is also a fully refunded trade.** Alipay reports a trade closed both when
  it was never paid and when every yuan went back. Both map to ``TradeStatus.CLOSED``:
  ``payments.direct.apply_trade`` never moves a trade booked paid, so a refunded trade
  stays paid in our records (its refunds are ``DirectRefund`` rows).
* **Refunds are synchronous**: ``alipay.trade.refund`` answers ``fund_change`` "Y" when the
  money moved with this request. The same ``out_request_no`` again is the same refund
  (Alipay answers success with ``fund_change`` "N"), so a retry after a lost answer asks
  the refund query what happened instead of refunding twice.
* **Notifications** (异步通知) are form POSTs signed with Alipay's key over every field
  but ``sign`` and ``sign_type``; ``parse_notification`` verifies them and checks our app id
  and seller id. A trade notification that follows a refund carries ``out_biz_no`` (our
  ``out_refund_no``), ``refund_fee`` and ``gmt_refund``: it is also that refund's outcome.
* **The daily bill** (``bill``) is a zip of GBK CSV files behind a download address that
  ``alipay.data.dataservice.bill.downloadurl.query`` hands out; the 业务明细 file lists every
  payment (业务类型 交易) and refund (退款) of the day. (Its layout is from Alipay's
  documentation; the tests build one the same way.)
"""

from __future__ import annotations

import csv
import datetime as dt
import http.client
import io
import json
import logging
import urllib.error
import urllib.request
import zipfile
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from alipay import AliPay, AliPayConfig
from alipay.exceptions import AliPayException, AliPayValidationError
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.money import yuan_decimal
from core.parsing import BadInput, yuan_to_fen
from payments import direct

from .base import (
    BillLine,
    Checkout,
    DirectClient,
    LibraryClients,
    Notice,
    NotificationRefused,
    ProviderRefused,
    ProviderUnavailable,
    RefundState,
    RefundStatus,
    TradeState,
    TradeStatus,
)

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
WIRE_TIME = "%Y-%m-%d %H:%M:%S"
SUCCESS = "10000"
MAX_NOTIFICATION_BYTES = 64 * 1024
MAX_BILL_BYTES = 64 * 1024 * 1024

PAID_STATES = ("TRADE_SUCCESS", "TRADE_FINISHED")
TRADE_STATES = {
    "TRADE_SUCCESS": TradeStatus.PAID,  # paid, still refundable
    "TRADE_FINISHED": TradeStatus.PAID,  # paid, no longer refundable
    "WAIT_BUYER_PAY": TradeStatus.PENDING,
    "TRADE_CLOSED": TradeStatus.CLOSED,  # closed unpaid, or paid and fully refunded (module docstring)
}
# What a network failure looks like from urllib: unreachable, refused, reset, timed out,
# an HTTP error status (HTTPError is a URLError), a broken answer.
NETWORK_ERRORS = (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException)


# --- money and time at the boundary -----------------------------------------------------------------------------------


def wire_time(text: str | None) -> dt.datetime | None:
    """ "2026-12-07 10:00:05" (Beijing time) -> an aware datetime; empty -> None. Refund
    times (gmt_refund) come with milliseconds: "2026-12-07 10:00:05.320"."""
    if not text:
        return None
    for layout in (WIRE_TIME, WIRE_TIME + ".%f"):
        try:
            return dt.datetime.strptime(text.strip(), layout).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    raise ValueError(f"not an Alipay time: {text!r}")


# --- the library client, one per process and configuration ----------------------------------------------------------

_clients = LibraryClients()


def library_client() -> AliPay:
    """The ``alipay.AliPay`` for the current settings: built once per process and
    configuration (it parses both keys at construction; it keeps no per-request state, so
    threads share it). Raises ``ProviderUnavailable`` when a key file cannot be read or
    parsed (logged as an error: it is a configuration problem for a person)."""
    key = (
        settings.ALIPAY_APP_ID,
        settings.ALIPAY_APP_PRIVATE_KEY_PATH,
        settings.ALIPAY_PUBLIC_KEY_PATH,
        bool(settings.ALIPAY_SANDBOX),
        settings.ALIPAY_GATEWAY,
        float(settings.PAYMENT_PROVIDER_TIMEOUT),
        direct.notify_url("alipay"),
    )
    return _clients.get(key, _build)


def _build(app_id, private_path, public_path, sandbox, gateway, timeout, notify) -> AliPay:
    try:
        with open(private_path, encoding="ascii") as private, open(public_path, encoding="ascii") as public:
            private_pem, public_pem = private.read(), public.read()
        client = AliPay(
            appid=app_id,
            app_notify_url=notify,
            app_private_key_string=private_pem,
            alipay_public_key_string=public_pem,
            sign_type="RSA2",
            debug=sandbox,
            config=AliPayConfig(timeout=timeout),
        )
    except (OSError, ValueError, IndexError, TypeError) as exc:
        logger.error("Alipay keys unusable (ALIPAY_APP_PRIVATE_KEY_PATH / ALIPAY_PUBLIC_KEY_PATH): %r", exc)
        raise ProviderUnavailable(f"Alipay keys unusable: {exc}") from exc
    if gateway:
        client._gateway = gateway  # no argument for it: the attribute the library reads
    return client


def _error_body(exc: AliPayException) -> dict:
    """The answer inside an ``AliPayException`` (an ``error_response``, or an answer
    without a signature): the library keeps it only in its text, after "message:"."""
    text = str(exc)
    start = text.find("{")
    try:
        body = json.loads(text[start:]) if start >= 0 else {}
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    inner = body.get("error_response") or next((v for k, v in body.items() if k.endswith("_response")), {})
    return inner if isinstance(inner, dict) else {}


def _failure(answer: dict) -> Exception:
    """A business failure as our exception: Alipay's system errors (code 20000, or a
    ``…SYSTEM_ERROR`` sub code) are worth retrying; anything else is a refusal, with
    Alipay's own words (sub_msg) for the person who reads it."""
    code, sub_code = str(answer.get("code", "")), str(answer.get("sub_code", ""))
    words = answer.get("sub_msg") or answer.get("msg") or "Alipay refused the request"
    text = f"{words} ({sub_code or code})"
    if code == "20000" or sub_code.endswith("SYSTEM_ERROR"):
        return ProviderUnavailable(text)
    return ProviderRefused(text)


def _call(method: str, call, *args, **kwargs) -> dict:
    """Run one server call of the library; return Alipay's verified answer (the inner
    object, ``code`` not checked: callers look at it). Network trouble and an answer that
    cannot be read or whose signature does not verify are ``ProviderUnavailable``; an
    ``error_response`` (bad app id, our signature refused) is ``ProviderRefused``."""
    try:
        answer = call(*args, **kwargs)
    except AliPayValidationError as exc:
        logger.error(
            "Alipay %s: the answer's signature does not verify with ALIPAY_PUBLIC_KEY_PATH "
            "(wrong Alipay public key, or not Alipay answering)",
            method,
        )
        raise ProviderUnavailable(f"Alipay {method}: answer signature not valid") from exc
    except AliPayException as exc:
        raise _failure(_error_body(exc)) from exc
    except NETWORK_ERRORS as exc:
        raise ProviderUnavailable(f"Alipay {method}: {exc!r}") from exc
    except (ValueError, AttributeError, KeyError, TypeError, IndexError) as exc:
        # Not JSON, not UTF-8, JSON of another shape (the library then fails on it): not an
        # answer of the API, e.g. a maintenance page.
        raise ProviderUnavailable(f"Alipay {method}: unreadable answer ({exc!r})") from exc
    if not isinstance(answer, dict):
        raise ProviderUnavailable(f"Alipay {method}: unreadable answer")
    return answer


# --- the client -------------------------------------------------------------------------------------------------------


class AlipayClient(DirectClient):
    """Alipay's calls, through ``alipay.AliPay`` (see the module docstring)."""

    code = "alipay"
    flavours = {"phone": "wap", "desktop": "page"}

    @property
    def ali(self) -> AliPay:
        return library_client()

    # -- trades -----------------------------------------------------------------------------------------------------

    def create(self, trade, *, description: str, client_ip: str, return_url: str) -> Checkout:
        """The signed page-pay (desktop) or WAP-pay (phone) request, as the address the buyer
        is sent to. No call to Alipay is made: the buyer's browser carries the request.
        ``client_ip`` is not part of either request."""
        ali = self.ali
        extra = {}
        due = trade.order.payment_due_at
        if due is not None:
            extra["time_expire"] = due.astimezone(SHANGHAI).strftime(WIRE_TIME)
        arguments = {
            "subject": description[:256],
            "out_trade_no": trade.out_trade_no,
            "total_amount": str(yuan_decimal(trade.amount_fen)),
            "return_url": return_url,
            "notify_url": direct.notify_url(self.code),
        }
        try:
            if trade.flavour == "page":
                query = ali.api_alipay_trade_page_pay(**arguments, **extra)
            elif trade.flavour == "wap":
                quit_url = settings.SITE_URL.rstrip("/") + trade.order.get_absolute_url()
                query = ali.api_alipay_trade_wap_pay(**arguments, quit_url=quit_url, **extra)
            else:
                raise ProviderRefused(f"Alipay has no {trade.flavour!r} product here")
        except (ValueError, TypeError) as exc:  # signing failed: a key that cannot sign
            raise ProviderUnavailable(f"Alipay request not signed: {exc}") from exc
        return Checkout(trade.flavour, redirect_url=f"{ali._gateway}?{query}")

    def query(self, out_trade_no: str) -> TradeState:
        """``alipay.trade.query``. A trade Alipay does not know (the buyer never opened
        the page) is ``UNKNOWN``; TRADE_CLOSED is ``CLOSED`` even after a full refund."""
        answer = _call("alipay.trade.query", self.ali.api_alipay_trade_query, out_trade_no=out_trade_no)
        if answer.get("code") != SUCCESS:
            if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return TradeState(out_trade_no, TradeStatus.UNKNOWN)
            raise _failure(answer)
        return self._trade_state(answer, out_trade_no, paid_at="send_pay_date", error=ProviderUnavailable)

    @staticmethod
    def _trade_state(fields: dict, out_trade_no: str, *, paid_at: str, error: type[Exception]) -> TradeState:
        """A query answer or a notification's fields as a ``TradeState``. ``error`` is
        raised for a paid trade without readable amount or time."""
        status = TRADE_STATES.get(fields.get("trade_status", ""))
        if status is None:
            raise error(f"Alipay trade {out_trade_no}: unknown trade_status {fields.get('trade_status')!r}")
        if fields.get("out_trade_no", out_trade_no) != out_trade_no:
            raise error(f"Alipay answered about trade {fields.get('out_trade_no')!r}, not {out_trade_no!r}")
        if status != TradeStatus.PAID:
            return TradeState(out_trade_no, status, transaction_id=fields.get("trade_no", ""))
        try:
            amount, at = yuan_to_fen(fields.get("total_amount", "")), wire_time(fields.get(paid_at))
        except (ValueError, BadInput) as exc:
            raise error(f"Alipay trade {out_trade_no}: {exc}") from exc
        return TradeState(out_trade_no, status, transaction_id=fields.get("trade_no", ""), amount_fen=amount, at=at)

    def close(self, out_trade_no: str) -> None:
        """``alipay.trade.close``: an unpaid trade cannot be paid any more. A trade Alipay
        does not know (the page was never opened) is not an error."""
        answer = _call("alipay.trade.close", self.ali.api_alipay_trade_close, out_trade_no=out_trade_no)
        if answer.get("code") != SUCCESS and answer.get("sub_code") != "ACQ.TRADE_NOT_EXIST":
            raise _failure(answer)

    # -- refunds ----------------------------------------------------------------------------------------------------

    def refund(self, direct_refund) -> RefundState:
        """``alipay.trade.refund`` with ``out_request_no`` = our ``out_refund_no`` (the
        same number again is the same refund at Alipay). ``fund_change`` "Y": the money
        moved now. Otherwise (a repeat, or Alipay still working on it) the refund query
        says whether it went through. A refusal is ``ProviderRefused`` with Alipay's words."""
        answer = _call(
            "alipay.trade.refund",
            self.ali.api_alipay_trade_refund,
            str(yuan_decimal(direct_refund.amount_fen)),
            out_trade_no=direct_refund.trade.out_trade_no,
            out_request_no=direct_refund.out_refund_no,
            refund_reason=(direct_refund.refund.reason or "退款")[:256],
        )
        if answer.get("code") != SUCCESS:
            raise _failure(answer)
        if answer.get("fund_change") == "Y":
            try:
                at = wire_time(answer.get("gmt_refund_pay"))
            except ValueError:
                at = None
            return RefundState(
                direct_refund.out_refund_no,
                RefundStatus.SUCCEEDED,
                provider_refund_id=str(answer.get("trade_no", ""))[:64],
                amount_fen=direct_refund.amount_fen,
                at=at,
            )
        return self.query_refund(direct_refund)

    def query_refund(self, direct_refund) -> RefundState:
        """``alipay.trade.fastpay.refund.query`` (through ``server_api``, to ask for
        ``gmt_refund_pay``: the library's helper takes no ``query_options``). REFUND_SUCCESS
        (or, on accounts that answer without a status, a ``refund_amount``) is SUCCEEDED;
        anything else, including "no such refund yet", PENDING: the reconciliation asks
        again. Alipay has no "failed" state for a refund it accepted."""
        answer = _call(
            "alipay.trade.fastpay.refund.query",
            self.ali.server_api,
            "alipay.trade.fastpay.refund.query",
            biz_content={
                "out_trade_no": direct_refund.trade.out_trade_no,
                "out_request_no": direct_refund.out_refund_no,
                "query_options": ["gmt_refund_pay"],
            },
        )
        if answer.get("code") != SUCCESS:
            raise _failure(answer)
        status = answer.get("refund_status")
        done = status == "REFUND_SUCCESS" or (not status and bool(answer.get("refund_amount")))
        if not done:
            return RefundState(direct_refund.out_refund_no, RefundStatus.PENDING)
        try:
            amount = yuan_to_fen(answer["refund_amount"]) if answer.get("refund_amount") else None
            at = wire_time(answer.get("gmt_refund_pay"))
        except (ValueError, BadInput) as exc:
            raise ProviderUnavailable(f"Alipay refund {direct_refund.out_refund_no}: {exc}") from exc
        return RefundState(
            direct_refund.out_refund_no,
            RefundStatus.SUCCEEDED,
            provider_refund_id=str(answer.get("trade_no", ""))[:64],
            amount_fen=amount,
            at=at,
        )

    # -- notifications ----------------------------------------------------------------------------------------------

    def parse_notification(self, request: HttpRequest) -> Notice:
        """Verify one asynchronous notification (a form POST) and read it.

        Refused (``NotificationRefused``, answered "fail", stored nowhere): not a form, over
        64 KB, not UTF-8, a field twice, no ``sign`` or ``notify_id``, a signature that does
        not verify with Alipay's public key (or any error of the library while checking),
        another app id or seller id, an unreadable amount or time.

        The notice: ``event_id`` is ``notify_id`` (one per notification, the same on
        Alipay's retries); ``payload`` the whole form as verified (``sign`` included, so the
        stored row can be checked again). TRADE_SUCCESS / TRADE_FINISHED is a paid trade
        (total_amount, gmt_payment), TRADE_CLOSED a closed one, WAIT_BUYER_PAY pending; a
        status we do not know is stored with nothing applied. A notification carrying
        ``out_biz_no``, ``refund_fee`` and ``gmt_refund`` is also the outcome of refund
        ``out_biz_no``: succeeded at ``gmt_refund``. Its amount is left
        out (None): ``refund_fee`` is the trade's *cumulative* refunded total, not this
        refund's, and our ``DirectRefund`` already holds the refund's own amount."""
        if request.content_type != "application/x-www-form-urlencoded":
            raise NotificationRefused("not a form")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise NotificationRefused("bad Content-Length") from None
        if declared > MAX_NOTIFICATION_BYTES:
            raise NotificationRefused("notification too large")
        body = request.body
        if len(body) > MAX_NOTIFICATION_BYTES:
            raise NotificationRefused("notification too large")
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
        except (UnicodeDecodeError, ValueError) as exc:
            raise NotificationRefused(f"unreadable form: {exc}") from exc
        form = dict(pairs)
        if len(form) != len(pairs):
            raise NotificationRefused("a field given twice")
        if any("\x00" in k or "\x00" in v for k, v in form.items()):
            raise NotificationRefused("NUL in the form")
        signed = dict(form)
        signature = signed.pop("sign", "")
        if not signature:
            raise NotificationRefused("no signature")
        try:
            ali = self.ali
        except ProviderUnavailable as exc:  # our keys, not the notification: Alipay retries
            raise NotificationRefused(str(exc)) from exc
        try:
            verified = ali.verify(signed, signature)  # pops sign_type from ``signed``; refuses another type
        except Exception as exc:  # whatever the library raises on bad input (base64, key, type)
            raise NotificationRefused(f"signature not checked: {exc!r}") from exc
        if not verified:
            raise NotificationRefused("signature does not verify")
        if form.get("app_id") != settings.ALIPAY_APP_ID:
            raise NotificationRefused(f"app_id {form.get('app_id')!r} is not ours")
        if settings.ALIPAY_SELLER_ID and form.get("seller_id") != settings.ALIPAY_SELLER_ID:
            raise NotificationRefused(f"seller_id {form.get('seller_id')!r} is not ours")
        event_id = form.get("notify_id", "")
        if not event_id:
            raise NotificationRefused("no notify_id")
        trade = refund = None
        out_trade_no = form.get("out_trade_no", "")
        if out_trade_no and form.get("trade_status") in TRADE_STATES:  # another status: stored, nothing applied
            trade = self._trade_state(form, out_trade_no, paid_at="gmt_payment", error=NotificationRefused)
        if form.get("out_biz_no") and form.get("refund_fee") and form.get("gmt_refund"):
            try:
                refunded_at = wire_time(form["gmt_refund"])
            except ValueError as exc:
                raise NotificationRefused(str(exc)) from exc
            refund = RefundState(
                form["out_biz_no"],
                RefundStatus.SUCCEEDED,
                provider_refund_id=form.get("trade_no", "")[:64],
                amount_fen=None,
                at=refunded_at,
            )
        return Notice(event_id=event_id, trade=trade, refund=refund, payload=form)

    def acknowledge(self, ok: bool, message: str = "") -> HttpResponse:
        """Alipay stops retrying on the plain text "success"; anything else is retried
        (over about 25 hours)."""
        if ok:
            return HttpResponse("success", content_type="text/plain")
        return HttpResponse("fail", status=400, content_type="text/plain")

    # -- the daily bill ---------------------------------------------------------------------------------------------

    def bill(self, day: dt.date) -> list[BillLine]:
        """The trade bill (业务明细) of ``day``: its download address from
        ``alipay.data.dataservice.bill.downloadurl.query`` (the library has no helper for
        it), the zip downloaded, the detail CSV read. A bill not (yet) there is
        ``ProviderRefused`` with Alipay's words (e.g. isp.bill_not_exist)."""
        answer = _call(
            "alipay.data.dataservice.bill.downloadurl.query",
            self.ali.server_api,
            "alipay.data.dataservice.bill.downloadurl.query",
            biz_content={"bill_type": "trade", "bill_date": day.isoformat()},
        )
        if answer.get("code") != SUCCESS:
            raise _failure(answer)
        url = answer.get("bill_download_url", "")
        if not url.startswith(("https://", "http://")):
            raise ProviderUnavailable(f"Alipay bill of {day}: no download address")
        try:
            with urllib.request.urlopen(url, timeout=settings.PAYMENT_PROVIDER_TIMEOUT) as response:  # noqa: S310
                content = response.read(MAX_BILL_BYTES + 1)
        except NETWORK_ERRORS as exc:
            raise ProviderUnavailable(f"Alipay bill of {day}: {exc!r}") from exc
        if len(content) > MAX_BILL_BYTES:
            raise ProviderUnavailable(f"Alipay bill of {day}: larger than {MAX_BILL_BYTES} bytes")
        try:
            return parse_bill(content)
        except (zipfile.BadZipFile, UnicodeDecodeError, ValueError, KeyError, BadInput) as exc:
            raise ProviderUnavailable(f"Alipay bill of {day} unreadable: {exc}") from exc


# --- the bill file ----------------------------------------------------------------------------------------------------

DETAIL_SUFFIX = "业务明细.csv"  # the summary is "业务明细(汇总).csv"
COLUMNS = {
    "transaction_id": "支付宝交易号",
    "out_trade_no": "商户订单号",
    "kind": "业务类型",
    "finished": "完成时间",
    "amount": "订单金额",  # "订单金额（元）"
    "out_refund_no": "退款批次号/请求号",
}


def parse_bill(content: bytes) -> list[BillLine]:
    """The lines of a bill zip's 业务明细 CSV. The zip's member names are GBK without the
    UTF-8 flag (read with ``metadata_encoding``), the CSV is GBK, comment lines start with
    "#", cells are padded with tabs and spaces. 交易 rows are payments, 退款 rows refunds
    (their amount negative in the file, positive here); other kinds are not ours to check."""
    with zipfile.ZipFile(io.BytesIO(content), metadata_encoding="gbk") as archive:
        names = [n for n in archive.namelist() if n.endswith(DETAIL_SUFFIX)]
        if len(names) != 1:
            raise ValueError(f"expected one 业务明细 file, found {names!r}")
        text = archive.read(names[0]).decode("gbk")
    rows = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not rows:
        return []
    table = [[cell.strip(" \t\r") for cell in row] for row in csv.reader(rows)]
    header, data = table[0], table[1:]
    where = {}
    for name, title in COLUMNS.items():
        found = [i for i, cell in enumerate(header) if cell.startswith(title)]
        if not found:
            raise ValueError(f"no column {title}")
        where[name] = found[0]
    lines = []
    for cells in data:
        if len(cells) < len(header):
            raise ValueError(f"short row: {cells!r}")
        kind = cells[where["kind"]]
        if kind not in ("交易", "退款"):
            continue
        amount = cells[where["amount"]]
        lines.append(
            BillLine(
                kind="payment" if kind == "交易" else "refund",
                transaction_id=cells[where["transaction_id"]],
                out_trade_no=cells[where["out_trade_no"]],
                amount_fen=yuan_to_fen(amount.removeprefix("-")),
                at=wire_time(cells[where["finished"]]),
                out_refund_no=cells[where["out_refund_no"]] if kind == "退款" else "",
            )
        )
    return lines
