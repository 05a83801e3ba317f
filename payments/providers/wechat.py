"""WeChat Pay API v3 (微信支付 APIv3), contracted directly: the wire-level calls of
``DirectClient`` through the ``wechatpayv3`` library (``WeChatPay``), in **public-key
mode** — WeChat Pay's platform public key (``WECHATPAY_PUBLIC_KEY_PATH``, its id
``WECHATPAY_PUBLIC_KEY_ID``) verifies every answer and every notification, so the library
never downloads platform certificates (it would at construction in certificate mode).

Products built:

* **Native** (desktop): the trade's ``code_url`` is shown as a QR code the buyer scans.
* **H5** (phone browsers outside WeChat): the buyer follows ``h5_url`` with our return page
  appended as ``redirect_url``.
* **JSAPI (paying inside WeChat's own browser) is NOT built**: it needs the buyer's openid
  for our AppID, which only WeChat sign-in (网页授权) gives, and the marketplace has no
  WeChat sign-in. A buyer inside WeChat is a phone and gets H5, which WeChat itself may
  refuse there; they can open the page in a browser or pay by QR on a computer.

What WeChat answers is trusted only as far as it is verified:

* every 2xx answer's signature is checked by the library (a failure raises, and we answer
  ``ProviderUnavailable``: a forged or mangled answer books nothing);
* a notification must bring the five ``Wechatpay-*`` headers, our public key id as its
  serial (checked *before* the library sees it, so it never goes looking for certificates),
  a timestamp within ``PAYMENT_NOTIFY_TOLERANCE`` seconds of now (the library does not
  check it), at most 64 KB; then the library verifies the signature and decrypts the
  resource (AES-256-GCM with the APIv3 key); its ``mchid`` (and a transaction's ``appid``)
  must be ours. Anything else is ``NotificationRefused``: answered 400, stored nowhere.

Amounts are integer fen on WeChat's API as here; the bill (对账单) alone speaks yuan, turned
into fen exactly (``core.parsing.yuan_to_fen``, the one reader of amounts). Times are RFC 3339 with +08:00.

The base address is ``https://api.mch.weixin.qq.com``; ``WECHATPAY_API_BASE`` replaces it
(the library has no argument for it: its ``_core._gate_way`` is set), which the tests use
to talk to a local endpoint in WeChat's wire format (``tests/payments/wechat_endpoint.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from wechatpayv3 import WeChatPay, WeChatPayType

from core.parsing import BadInput, yuan_to_fen

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

if TYPE_CHECKING:
    from django.http import HttpRequest

    from payments.models import DirectRefund, DirectTrade

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CODE = "wechat_pay"
CURRENCY = "CNY"

# The headers every notification carries (WeChat's names; Django's ``request.headers`` is
# case-insensitive).
SIGNATURE_HEADERS = (
    "Wechatpay-Signature",
    "Wechatpay-Timestamp",
    "Wechatpay-Nonce",
    "Wechatpay-Serial",
    "Wechatpay-Signature-Type",
)
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
MAX_NOTIFICATION_BYTES = 64 * 1024

# trade_state → ours. REFUND is a paid trade with a refund since: the payment happened.
TRADE_STATES = {
    "SUCCESS": TradeStatus.PAID,
    "REFUND": TradeStatus.PAID,
    "NOTPAY": TradeStatus.PENDING,
    "USERPAYING": TradeStatus.PENDING,
    "CLOSED": TradeStatus.CLOSED,
    "REVOKED": TradeStatus.CLOSED,
    "PAYERROR": TradeStatus.CLOSED,
}
# A refund's status (``status`` in API answers, ``refund_status`` in notifications) → ours.
REFUND_STATES = {
    "SUCCESS": RefundStatus.SUCCEEDED,
    "PROCESSING": RefundStatus.PENDING,
    "CLOSED": RefundStatus.FAILED,
    "ABNORMAL": RefundStatus.FAILED,
}
REFUND_EVENTS = ("REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED")
# WeChat's limit on a refund's reason (characters).
REASON_LIMIT = 80


# --- the library client, one per process and settings --------------------------------------------------------------

_clients = LibraryClients()


def _settings_key() -> tuple:
    from payments.direct import notify_url

    return (
        settings.WECHATPAY_MCHID,
        settings.WECHATPAY_APPID,
        settings.WECHATPAY_APIV3_KEY,
        settings.WECHATPAY_PRIVATE_KEY_PATH,
        settings.WECHATPAY_CERT_SERIAL_NO,
        settings.WECHATPAY_PUBLIC_KEY_PATH,
        settings.WECHATPAY_PUBLIC_KEY_ID,
        settings.WECHATPAY_API_BASE,
        settings.PAYMENT_PROVIDER_TIMEOUT,
        notify_url(CODE),
    )


def library_client() -> WeChatPay:
    """The ``WeChatPay`` of the current settings, built once per process (construction
    reads and parses both PEM keys) and shared by threads (it keeps no per-call state:
    each call is a plain ``requests`` call). Keyed by the settings, key *paths* included:
    a key replaced in the same file is read after a restart of the process."""
    return _clients.get(_settings_key(), _build)


def _build(mchid, appid, apiv3_key, private_path, serial, public_path, public_id, base, timeout, notify) -> WeChatPay:
    client = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=mchid,
        private_key=Path(private_path).read_text(),
        cert_serial_no=serial,
        appid=appid,
        apiv3_key=apiv3_key,
        notify_url=notify,
        timeout=timeout,
        public_key=Path(public_path).read_text(),
        public_key_id=public_id,
    )
    if base:
        client._core._gate_way = base.rstrip("/")  # no argument for it (see the module docstring)
    return client


# --- conversions ------------------------------------------------------------------------------------------------------


def rfc3339(moment: dt.datetime) -> str:
    """``2026-12-07T20:35:00+08:00``: WeChat's time format, in Beijing time."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def parse_time(text: str | None) -> dt.datetime | None:
    """An RFC 3339 time from WeChat (zone-aware); a time without a zone is Beijing time."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def trade_state(data: dict) -> TradeState:
    """A transaction (a query's answer, or a payment notification's decrypted resource)."""
    status = TRADE_STATES.get(data.get("trade_state", ""), TradeStatus.PENDING)
    amount = data.get("amount") or {}
    paid = status == TradeStatus.PAID
    return TradeState(
        out_trade_no=data.get("out_trade_no", ""),
        status=status,
        transaction_id=data.get("transaction_id", "") if paid else "",
        amount_fen=amount.get("total") if paid else None,
        currency=amount.get("currency") or CURRENCY,
        at=parse_time(data.get("success_time")) if paid else None,
    )


def refund_state(data: dict) -> RefundState:
    """A refund (an API answer: ``status``; a notification: ``refund_status``)."""
    raw = data.get("status") or data.get("refund_status") or ""
    status = REFUND_STATES.get(raw, RefundStatus.PENDING)
    reason = ""
    if raw == "CLOSED":
        reason = _("微信支付已关闭该退款")
    elif raw == "ABNORMAL":
        reason = _("微信支付退款异常（如用户银行卡已注销），需在商户平台处理")
    return RefundState(
        out_refund_no=data.get("out_refund_no", ""),
        status=status,
        provider_refund_id=data.get("refund_id", ""),
        amount_fen=(data.get("amount") or {}).get("refund"),
        at=parse_time(data.get("success_time")) if status == RefundStatus.SUCCEEDED else None,
        reason=reason,
    )


# --- the client -------------------------------------------------------------------------------------------------------


class WeChatPayClient(DirectClient):
    """WeChat Pay API v3 for one merchant (``WECHATPAY_MCHID``) and app (``WECHATPAY_APPID``)."""

    code = CODE
    flavours = {"phone": "h5", "desktop": "native"}

    def __init__(self) -> None:
        self.wx = library_client()

    # -- calls ------------------------------------------------------------------------------------------------------

    def _call(self, what: str, function, *args, **kwargs) -> tuple[int, Any]:
        """One library call → (status, body). Unreachable or timed out →
        ``ProviderUnavailable``; an answer whose signature does not verify (the library
        raises a bare Exception) → ``ProviderUnavailable`` too, logged as an error: it may be
        an attack, or a changed platform key (an answer under another key id makes the
        library try ``GET /v3/certificates`` first, which public-key mode does not need).
        Any other failure inside the library is logged with its traceback and unavailable."""
        try:
            return function(*args, **kwargs)
        except requests.RequestException as exc:
            logger.warning("WeChat Pay %s: %s", what, exc)
            raise ProviderUnavailable(_("暂时无法连接微信支付，请稍后再试。")) from exc
        except Exception as exc:  # the library raises bare Exceptions
            if "verify the signature" in str(exc):
                logger.error("WeChat Pay %s: the answer's signature did not verify with key %s", what, self._key_id)
                raise ProviderUnavailable(_("微信支付的应答未通过签名验证，未予采信。")) from exc
            logger.exception("WeChat Pay %s: the library failed", what)
            raise ProviderUnavailable(_("微信支付的应答无法解析。")) from exc

    @property
    def _key_id(self) -> str:
        return settings.WECHATPAY_PUBLIC_KEY_ID

    @staticmethod
    def _error(status: int, body: Any) -> tuple[str, str]:
        """WeChat's error body ``{"code": ..., "message": ...}``, as far as there is one."""
        try:
            data = json.loads(body) if body else {}
        except (TypeError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        return str(data.get("code", "")), str(data.get("message", "")) or f"HTTP {status}"

    def _answer(self, what: str, status: int, body: Any) -> dict:
        """A 2xx answer's JSON; 429 and 5xx → ``ProviderUnavailable``; other 4xx →
        ``ProviderRefused`` with WeChat's message."""
        if 200 <= status < 300:
            if not body:
                return {}
            try:
                return json.loads(body)
            except (TypeError, ValueError) as exc:
                raise ProviderUnavailable(_("微信支付的应答无法解析。")) from exc
        code, message = self._error(status, body)
        if status == 429 or status >= 500:
            logger.warning("WeChat Pay %s: HTTP %s %s %s", what, status, code, message)
            raise ProviderUnavailable(_("微信支付暂时无法处理请求（%(message)s），请稍后再试。") % {"message": message})
        logger.info("WeChat Pay %s refused: HTTP %s %s %s", what, status, code, message)
        raise ProviderRefused(message)

    # -- trades -----------------------------------------------------------------------------------------------------

    def create(self, trade: DirectTrade, *, description: str, client_ip: str, return_url: str) -> Checkout:
        params: dict[str, Any] = {
            "description": description,
            "out_trade_no": trade.out_trade_no,
            "amount": {"total": trade.amount_fen, "currency": CURRENCY},
        }
        due = trade.order.payment_due_at
        if due is not None:
            params["time_expire"] = rfc3339(due)
        if trade.flavour == "h5":
            params["pay_type"] = WeChatPayType.H5
            params["scene_info"] = {"payer_client_ip": client_ip, "h5_info": {"type": "Wap"}}
        elif trade.flavour == "native":
            params["pay_type"] = WeChatPayType.NATIVE
        else:
            raise ValueError(f"WeChat Pay has no product {trade.flavour!r} here")
        data = self._answer("create", *self._call("create", self.wx.pay, **params))
        if trade.flavour == "native":
            return Checkout("native", qr_text=data["code_url"])
        # WeChat sends the buyer back to redirect_url (URL-encoded) after paying or not.
        return Checkout("h5", redirect_url=data["h5_url"] + "&redirect_url=" + quote(return_url, safe=""))

    def query(self, out_trade_no: str) -> TradeState:
        status, body = self._call("query", self.wx.query, out_trade_no=out_trade_no)
        if status == 404 and self._error(status, body)[0] == "ORDER_NOT_EXIST":
            return TradeState(out_trade_no, TradeStatus.UNKNOWN)
        return trade_state(self._answer("query", status, body))

    def close(self, out_trade_no: str) -> None:
        status, body = self._call("close", self.wx.close, out_trade_no=out_trade_no)
        if status == 404 or (400 <= status < 500 and self._error(status, body)[0] == "ORDER_NOT_EXIST"):
            return  # never created there: nothing to close
        self._answer("close", status, body)

    # -- refunds ----------------------------------------------------------------------------------------------------

    def refund(self, direct_refund: DirectRefund) -> RefundState:
        from payments.direct import notify_url

        trade = direct_refund.trade
        reason = (direct_refund.refund.reason or "").strip()[:REASON_LIMIT] or None
        status, body = self._call(
            "refund",
            self.wx.refund,
            out_refund_no=direct_refund.out_refund_no,
            amount={"refund": direct_refund.amount_fen, "total": trade.amount_fen, "currency": CURRENCY},
            out_trade_no=trade.out_trade_no,
            reason=reason,
            notify_url=notify_url(CODE),
        )
        return refund_state(self._answer("refund", status, body))

    def query_refund(self, direct_refund: DirectRefund) -> RefundState:
        status, body = self._call("refund query", self.wx.query_refund, out_refund_no=direct_refund.out_refund_no)
        return refund_state(self._answer("refund query", status, body))

    # -- notifications ----------------------------------------------------------------------------------------------

    def parse_notification(self, request: HttpRequest) -> Notice:
        headers = {name: request.headers.get(name, "") for name in SIGNATURE_HEADERS}
        missing = [name for name, value in headers.items() if not value]
        if missing:
            raise NotificationRefused(f"missing headers: {', '.join(missing)}")
        if headers["Wechatpay-Signature-Type"] != SIGNATURE_TYPE:
            raise NotificationRefused(f"unsupported signature type {headers['Wechatpay-Signature-Type']!r}")
        # Before the library: an unknown serial would make it fetch platform certificates.
        if headers["Wechatpay-Serial"] != self._key_id:
            raise NotificationRefused(f"unknown serial {headers['Wechatpay-Serial']!r}")
        try:
            sent_at = int(headers["Wechatpay-Timestamp"])
        except ValueError:
            raise NotificationRefused("timestamp is not a number") from None
        if abs(time.time() - sent_at) > settings.PAYMENT_NOTIFY_TOLERANCE:
            raise NotificationRefused("timestamp outside the tolerance")
        try:  # the announced length first: a huge body is not even read
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0
        if announced > MAX_NOTIFICATION_BYTES:
            raise NotificationRefused("body too large")
        body = request.body
        if len(body) > MAX_NOTIFICATION_BYTES:
            raise NotificationRefused("body too large")
        try:
            text = body.decode("utf-8")
            envelope = self.wx.callback(headers, text)
        except Exception as exc:  # not UTF-8, not JSON, another algorithm, bad base64: all refused
            raise NotificationRefused(f"unreadable notification: {type(exc).__name__}") from None
        if not isinstance(envelope, dict) or not isinstance(envelope.get("resource"), dict):
            raise NotificationRefused("signature or decryption failed")
        resource, event_type = envelope["resource"], str(envelope.get("event_type", ""))
        event_id = str(envelope.get("id") or "")
        if not event_id:
            raise NotificationRefused("no notification id")
        if resource.get("mchid") != settings.WECHATPAY_MCHID:
            raise NotificationRefused("not our merchant id")
        payload = {
            "id": event_id,
            "event_type": event_type,
            "create_time": envelope.get("create_time", ""),
            "summary": envelope.get("summary", ""),
            "resource": resource,
        }
        if event_type.startswith("TRANSACTION."):
            if resource.get("appid") != settings.WECHATPAY_APPID:
                raise NotificationRefused("not our app id")
            trade = trade_state(resource) if event_type == "TRANSACTION.SUCCESS" else None
            return Notice(event_id=event_id, trade=trade, payload=payload)
        if event_type in REFUND_EVENTS:
            return Notice(event_id=event_id, refund=refund_state(resource), payload=payload)
        return Notice(event_id=event_id, payload=payload)  # kept, nothing applied

    def acknowledge(self, ok: bool, message: str = "") -> HttpResponse:
        """Taken: 204 with no body (WeChat stops retrying). Not taken: 400 with WeChat's
        error shape ``{"code": "FAIL", "message": ...}`` (it retries)."""
        if ok:
            return HttpResponse(status=204)
        return JsonResponse(
            {"code": "FAIL", "message": message or "FAIL"}, status=400, json_dumps_params={"ensure_ascii": False}
        )

    # -- the daily bill (交易账单) ------------------------------------------------------------------------------------

    def bill(self, day: dt.date) -> list[BillLine]:
        """The trade bill of ``day`` (``bill_type=ALL``): every payment (交易状态 SUCCESS)
        and every refund (REFUND) of the day.

        ``tar_type=GZIP``: the file comes gzip-compressed. Its ``hash_value`` (SHA1) is
        checked against the **decompressed** bill: WeChat's documentation of this answer
        says "原始账单（gzip需要解压缩）的摘要值" (the original bill's digest; unzip a gzip
        one), and a published integration reports the digest of the compressed file did not
        match. Not checked against a live bill here (none can be reached): if a real bill
        fails with "账单文件校验失败", compare the digest of the downloaded file instead.

        A day WeChat has no bill for (400 ``NO_STATEMENT_EXIST``: no transactions that
        day) is an empty list; the bill is ready from about 10:00 the next day (before that,
        400 ``STATEMENT_CREATING`` → ``ProviderRefused``, and the check is tried again)."""
        status, body = self._call("trade bill", self.wx.trade_bill, bill_date=day.isoformat(), bill_type="ALL")
        if status == 400 and self._error(status, body)[0] == "NO_STATEMENT_EXIST":
            return []
        data = self._answer("trade bill", status, body)
        # Pass the path alone: the library prefixes its base address (it mangles a URL
        # whose base differs from its own).
        parts = urlsplit(data["download_url"])
        status, content = self._call("bill download", self.wx.download_bill, f"{parts.path}?{parts.query}")
        if not 200 <= status < 300:
            self._answer("bill download", status, content)
        if isinstance(content, str):
            content = content.encode("latin-1")
        try:
            raw = gzip.decompress(content)
        except (OSError, EOFError) as exc:
            raise ProviderUnavailable(_("微信支付账单文件无法解压。")) from exc
        expected = str(data.get("hash_value", "")).lower()
        if str(data.get("hash_type", "SHA1")).upper() != "SHA1" or hashlib.sha1(raw).hexdigest() != expected:
            logger.error("WeChat Pay bill of %s: SHA1 does not match hash_value %s", day, expected)
            raise ProviderUnavailable(_("账单文件校验失败（SHA1 不符）。"))
        try:
            return parse_trade_bill(raw.decode("utf-8-sig"))
        except (ValueError, KeyError, BadInput) as exc:
            logger.error("WeChat Pay bill of %s unreadable: %s", day, exc)
            raise ProviderUnavailable(_("微信支付账单格式无法识别。")) from exc


def parse_trade_bill(text: str) -> list[BillLine]:
    """The CSV of a trade bill (``bill_type=ALL``): a header line, one line per
    transaction (each cell prefixed with a backtick, so that Excel keeps long numbers as
    text; amounts in yuan), then a summary header (总交易单数, ...) and one summary line,
    which are skipped. SUCCESS lines are payments (应结订单金额), REFUND lines refunds
    (退款金额, 商户退款单号, 微信退款单号); others (REVOKED, ...) moved no money."""
    rows = [[cell.strip().removeprefix("`") for cell in row] for row in csv.reader(io.StringIO(text)) if row]
    if not rows:
        return []
    header, lines = rows[0], []
    for row in rows[1:]:
        if row[0].startswith("总交易单数"):
            break  # the summary: its header, then its values
        cells = dict(zip(header, row, strict=False))
        state = cells["交易状态"]
        at = dt.datetime.strptime(cells["交易时间"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
        if state == "SUCCESS":
            lines.append(
                BillLine(
                    kind="payment",
                    transaction_id=cells["微信订单号"],
                    out_trade_no=cells["商户订单号"],
                    amount_fen=yuan_to_fen(cells["应结订单金额"]),
                    at=at,
                )
            )
        elif state == "REFUND":
            lines.append(
                BillLine(
                    kind="refund",
                    transaction_id=cells["微信订单号"],
                    out_trade_no=cells["商户订单号"],
                    amount_fen=yuan_to_fen(cells["退款金额"]),
                    at=at,
                    out_refund_no=cells["商户退款单号"],
                    provider_refund_id=cells["微信退款单号"],
                )
            )
    return lines
