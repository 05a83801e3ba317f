"""A local stand-in for Alipay's open-platform gateway, for tests only.

A small threaded ``http.server`` on 127.0.0.1 (a random port) serving ``/gateway.do`` in
Alipay's wire format, so that the real ``alipay`` library (python-alipay-sdk) talks to it
unchanged once its ``_gateway`` points here (``ALIPAY_GATEWAY``):

* Every request is a GET whose query string carries the common parameters and
  ``biz_content``, signed with the **app key** (RSA2: every parameter but ``sign``, sorted,
  ``k=v`` joined with ``&``). The endpoint verifies that signature with the app public
  key and our app id; otherwise it answers ``{"error_response": {...}}`` (isv.invalid-signature).
* Server calls are answered ``{"<method>_response": <inner>, "sign": "<RSA2>"}``: the inner
  JSON is serialised once and signed byte for byte with the **"Alipay" key**, which is how
  the library checks it (it cuts the inner object out of the raw text). A business failure
  is a signed inner object with ``code`` 40004 and ``sub_code`` / ``sub_msg``.
* Page pay and WAP pay (``alipay.trade.page.pay`` / ``.wap.pay``) are what the buyer's
  browser opens: ``open(url)`` (or any GET of the checkout address) verifies the signed
  request and creates the trade (WAIT_BUYER_PAY), answering an HTML cashier page. Before
  that, as at Alipay, the trade does not exist (ACQ.TRADE_NOT_EXIST).
* ``alipay.trade.query``, ``.close``, ``.refund`` (idempotent on ``out_request_no``:
  a repeat answers ``fund_change`` "N"), ``.fastpay.refund.query`` and
  ``alipay.data.dataservice.bill.downloadurl.query``, with trades and refunds kept in memory.
* ``/downloadBillFile.resource?token=…`` serves a published day's bill: a zip whose
  member names are GBK without the UTF-8 flag, holding the GBK 业务明细 CSV (``#``
  comments, tab-padded cells) and its 汇总 file, as Alipay's documentation describes them.

Helpers for tests: ``pay(out_trade_no)`` (the buyer pays; returns the trade_no),
``notification(**fields)`` (a form signed exactly as Alipay signs notifications),
``paid_notification`` / ``closed_notification`` / ``refund_notification`` (the
notifications Alipay sends for a trade's state), ``publish_bill(day, omit=…, extra=…)``,
``fail_next(status, after_processing=…)`` (an outage, or an answer lost after the work was
done), ``refuse_refunds`` (Alipay refusing, e.g. the seller's balance too low) and
``requests`` (every request's decoded parameters).

The ``alipay_endpoint`` fixture (registered in ``tests/payments/conftest.py``) starts it,
writes both key pairs' files and sets every ALIPAY_* setting. It is not Alipay: it models
what these tests need and says so (an error) when asked anything else."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import secrets
import threading
import urllib.request
import zipfile
from base64 import b64decode, b64encode
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from tests.fake_http import LocalFakeServer

SHANGHAI = ZoneInfo("Asia/Shanghai")
APP_ID = "2021000123456789"
SELLER_ID = "2088123456789012"
PAGE_METHODS = {"alipay.trade.page.pay": "FAST_INSTANT_TRADE_PAY", "alipay.trade.wap.pay": "QUICK_WAP_PAY"}
BILL_HEADER = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
    "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,"
    "券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注"
)


def pem_private(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def pem_public(key: rsa.RSAPrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def rsa2_sign(key: rsa.RSAPrivateKey, message: str) -> str:
    return b64encode(key.sign(message.encode(), PKCS1v15(), SHA256())).decode()


def rsa2_verify(public_key, message: str, signature: str) -> bool:
    try:
        public_key.verify(b64decode(signature, validate=True), message.encode(), PKCS1v15(), SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def signed_content(params: dict) -> str:
    """What a request signature covers: every parameter but ``sign``, sorted, raw ``k=v``."""
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign")


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def fen(text: str) -> int:
    value = Decimal(text)
    assert value == value.quantize(Decimal("0.01")), text
    return int(value * 100)


def now_text() -> str:
    return dt.datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Trade:
    out_trade_no: str
    total_amount: str
    subject: str
    product_code: str
    status: str = "WAIT_BUYER_PAY"
    trade_no: str = ""
    gmt_create: str = ""
    gmt_payment: str = ""
    time_expire: str = ""
    notify_url: str = ""
    return_url: str = ""
    quit_url: str = ""

    def refunded_fen(self, refunds: dict) -> int:
        return sum(fen(r.refund_amount) for r in refunds.values() if r.out_trade_no == self.out_trade_no)


@dataclass
class RefundRecord:
    out_request_no: str
    out_trade_no: str
    trade_no: str
    refund_amount: str
    reason: str
    gmt_refund_pay: str  # with milliseconds, as Alipay writes refund times


@dataclass
class FakeAlipay:
    app_id: str
    seller_id: str
    app_public_key: object  # verifies our requests
    alipay_key: rsa.RSAPrivateKey  # signs answers and notifications
    url: str = ""
    trades: dict[str, Trade] = field(default_factory=dict)
    refunds: dict[str, RefundRecord] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)  # decoded parameters of each gateway request
    bills: dict[str, dict] = field(default_factory=dict)  # "YYYY-MM-DD" -> {"omit": set, "extra": list}
    bill_files: dict[str, bytes] = field(default_factory=dict)  # token -> zip
    failures: list[tuple[int, bool, bytes]] = field(default_factory=list)  # (HTTP status, after processing, body)
    refuse_refunds: tuple[str, str] | None = None  # (sub_code, sub_msg) for every refund request
    lock: threading.RLock = field(default_factory=threading.RLock)
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def gateway(self) -> str:
        return f"{self.url}/gateway.do"

    # -- helpers for tests --------------------------------------------------------------------------------------------
    def calls(self, method: str) -> list[dict]:
        return [r for r in self.requests if r.get("method") == method]

    def open(self, checkout_url: str) -> str:
        """The buyer's browser opens the checkout address: the cashier page (HTML)."""
        with urllib.request.urlopen(checkout_url, timeout=5) as response:  # noqa: S310
            return response.read().decode()

    def pay(self, out_trade_no: str, at: dt.datetime | None = None) -> str:
        """The buyer pays on the cashier page: TRADE_SUCCESS; returns Alipay's trade_no."""
        with self.lock:
            trade = self.trades[out_trade_no]
            assert trade.status == "WAIT_BUYER_PAY", trade.status
            when = (at or dt.datetime.now(SHANGHAI)).astimezone(SHANGHAI)
            trade.status = "TRADE_SUCCESS"
            trade.gmt_payment = when.strftime("%Y-%m-%d %H:%M:%S")
            return trade.trade_no

    def fail_next(self, status: int = 502, *, after_processing: bool = False, body: bytes = b"") -> None:
        """The next gateway request gets HTTP ``status`` (and ``body``) instead of its
        answer; with ``after_processing`` it is carried out first (the answer is lost on the
        way back)."""
        self.failures.append((status, after_processing, body or b"<html>502 Bad Gateway</html>"))

    def sign_form(self, form: dict) -> dict:
        """A notification form signed as Alipay signs it: every field but ``sign`` and
        ``sign_type``, sorted, raw ``k=v`` joined with ``&``, RSA2 with Alipay's key."""
        form = {k: v for k, v in form.items() if k not in ("sign", "sign_type")}
        unsigned = "&".join(f"{k}={v}" for k, v in sorted(form.items()))
        return {**form, "sign_type": "RSA2", "sign": rsa2_sign(self.alipay_key, unsigned)}

    def notification(self, **fields) -> dict:
        """A signed notification: Alipay's envelope fields, then ``fields``."""
        form = {
            "notify_time": now_text(),
            "notify_type": "trade_status_sync",
            "notify_id": "2026" + secrets.token_hex(14),
            "app_id": self.app_id,
            "charset": "utf-8",
            "version": "1.0",
            "seller_id": self.seller_id,
            "auth_app_id": self.app_id,
        }
        form.update({k: v for k, v in fields.items() if v is not None})
        return self.sign_form(form)

    def _trade_fields(self, trade: Trade) -> dict:
        return {
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "buyer_id": "2088102177846880",
            "buyer_logon_id": "bu***@example.cn",
            "trade_status": trade.status,
            "total_amount": trade.total_amount,
            "subject": trade.subject,
            "gmt_create": trade.gmt_create,
        }

    def paid_notification(self, out_trade_no: str, **overrides) -> dict:
        """What Alipay sends once the buyer has paid (TRADE_SUCCESS)."""
        trade = self.trades[out_trade_no]
        fields = self._trade_fields(trade) | {
            "trade_status": "TRADE_SUCCESS",
            "receipt_amount": trade.total_amount,
            "invoice_amount": trade.total_amount,
            "buyer_pay_amount": trade.total_amount,
            "point_amount": "0.00",
            "gmt_payment": trade.gmt_payment,
            "fund_bill_list": json.dumps(
                [{"amount": trade.total_amount, "fundChannel": "ALIPAYACCOUNT"}], separators=(",", ":")
            ),
        }
        return self.notification(**(fields | overrides))

    def closed_notification(self, out_trade_no: str, **overrides) -> dict:
        """TRADE_CLOSED, as sent for a trade closed unpaid (or fully refunded)."""
        trade = self.trades[out_trade_no]
        fields = self._trade_fields(trade) | {"trade_status": "TRADE_CLOSED", "gmt_close": now_text()}
        return self.notification(**(fields | overrides))

    def refund_notification(self, out_request_no: str, **overrides) -> dict:
        """What Alipay sends after a refund: the trade's state (TRADE_SUCCESS, or
        TRADE_CLOSED once all is refunded), ``out_biz_no`` = the refund's request number,
        ``refund_fee`` = the trade's cumulative refunded total, ``gmt_refund``."""
        refund = self.refunds[out_request_no]
        trade = self.trades[refund.out_trade_no]
        fields = self._trade_fields(trade) | {
            "out_biz_no": out_request_no,
            "refund_fee": yuan(trade.refunded_fen(self.refunds)),
            "gmt_refund": refund.gmt_refund_pay,
            "gmt_payment": trade.gmt_payment,
        }
        return self.notification(**(fields | overrides))

    def publish_bill(self, day: dt.date, *, omit: set[str] = frozenset(), extra: list[dict] = ()) -> None:
        """Make ``day``'s bill downloadable: every trade paid and refund made that day
        (Beijing time), less the trade_nos in ``omit``, plus ``extra`` rows
        (``{"trade_no", "out_trade_no", "kind": "交易"|"退款", "amount": "88.00", ...}``)."""
        self.bills[day.isoformat()] = {"omit": set(omit), "extra": list(extra)}

    # -- the bill file ------------------------------------------------------------------------------------------------
    def bill_rows(self, day: str) -> list[list[str]]:
        published = self.bills[day]
        rows = []
        for trade in self.trades.values():
            if trade.gmt_payment.startswith(day) and trade.trade_no not in published["omit"]:
                rows.append(
                    _bill_row(
                        trade.trade_no,
                        trade.out_trade_no,
                        "交易",
                        trade.subject,
                        trade.gmt_create,
                        trade.gmt_payment,
                        trade.total_amount,
                        "",
                    )
                )
        for refund in self.refunds.values():
            if refund.gmt_refund_pay.startswith(day):
                trade = self.trades[refund.out_trade_no]
                rows.append(
                    _bill_row(
                        refund.trade_no,
                        refund.out_trade_no,
                        "退款",
                        trade.subject,
                        trade.gmt_create,
                        refund.gmt_refund_pay[:19],
                        "-" + refund.refund_amount,
                        refund.out_request_no,
                    )
                )
        for line in published["extra"]:
            amount = line["amount"] if line["kind"] == "交易" else "-" + line["amount"]
            rows.append(
                _bill_row(
                    line["trade_no"],
                    line["out_trade_no"],
                    line["kind"],
                    line.get("subject", "其他商品"),
                    line.get("at", f"{day} 12:00:00"),
                    line.get("at", f"{day} 12:00:00"),
                    amount,
                    line.get("out_request_no", ""),
                )
            )
        return rows

    def bill_zip(self, day: str) -> bytes:
        rows = self.bill_rows(day)
        compact = day.replace("-", "")
        start = dt.date.fromisoformat(day)
        detail = io.StringIO()
        detail.write("#支付宝业务明细查询\r\n")
        detail.write(f"#账号：[{self.seller_id}0156]\r\n")
        end = start + dt.timedelta(days=1)
        detail.write(f"#起始日期：[{start:%Y年%m月%d日} 00:00:00]   终止日期：[{end:%Y年%m月%d日} 00:00:00]\r\n")
        detail.write(
            "#-----------------------------------------业务明细列表----------------------------------------\r\n"
        )
        detail.write(BILL_HEADER + "\r\n")
        writer = csv.writer(detail, lineterminator="\r\n")
        for row in rows:
            writer.writerow([cell + "\t" for cell in row])  # Alipay pads cells with a tab
        detail.write(
            "#-----------------------------------------业务明细列表结束------------------------------------\r\n"
        )
        payments = sum(r[2] == "交易" for r in rows)
        detail.write(f"#交易合计：{payments}笔，退款合计：{len(rows) - payments}笔\r\n")
        detail.write(f"#导出时间：[{dt.datetime.now(SHANGHAI):%Y年%m月%d日 %H:%M:%S}]\r\n")
        summary = (
            "#支付宝业务汇总查询\r\n门店编号,门店名称,交易订单总笔数,退款订单总笔数\r\n"
            f"合计,,{payments},{len(rows) - payments}\r\n"
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_GbkName(f"{self.seller_id}0156_{compact}_业务明细.csv"), detail.getvalue().encode("gbk"))
            archive.writestr(_GbkName(f"{self.seller_id}0156_{compact}_业务明细(汇总).csv"), summary.encode("gbk"))
        return buffer.getvalue()

    # -- the gateway --------------------------------------------------------------------------------------------------
    def handle(self, params: dict) -> tuple[int, str, str]:
        """One gateway request: (HTTP status, content type, body)."""
        self.requests.append(dict(params))
        signature = params.get("sign", "")
        if params.get("app_id") != self.app_id:
            return self.error("40002", "isv.invalid-app-id", "无效的AppID参数")
        if params.get("sign_type") != "RSA2" or not rsa2_verify(self.app_public_key, signed_content(params), signature):
            return self.error(
                "40002", "isv.invalid-signature", "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配"
            )
        for name in ("method", "charset", "timestamp", "version", "biz_content"):
            if not params.get(name):
                return self.error("40001", f"isv.missing-{name}", f"缺少{name}参数")
        try:
            sent_at = dt.datetime.strptime(params["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
            biz = json.loads(params["biz_content"])
        except ValueError:
            return self.error("40002", "isv.invalid-parameter", "参数无效")
        if abs(sent_at - dt.datetime.now(SHANGHAI)) > dt.timedelta(minutes=10):  # Beijing time, as Alipay checks
            return self.error("40002", "isv.invalid-timestamp", "非法的时间戳参数")
        method = params["method"]
        if method in PAGE_METHODS:
            return self.cashier(method, params, biz)
        handlers = {
            "alipay.trade.query": self.query,
            "alipay.trade.close": self.close,
            "alipay.trade.refund": self.refund,
            "alipay.trade.fastpay.refund.query": self.refund_query,
            "alipay.data.dataservice.bill.downloadurl.query": self.bill_url,
        }
        if method not in handlers:
            return self.error("40004", "isv.invalid-method", "不存在的方法名")
        return self.answer(method, handlers[method](biz))

    def answer(self, method: str, inner: dict) -> tuple[int, str, str]:
        text = json.dumps(inner, ensure_ascii=False, separators=(",", ":"))
        key = method.replace(".", "_") + "_response"
        # The inner object embedded exactly as signed: the library cuts it out of the raw text.
        body = '{"' + key + '":' + text + ',"sign":"' + rsa2_sign(self.alipay_key, text) + '"}'
        return 200, "text/html;charset=utf-8", body

    def error(self, code: str, sub_code: str, sub_msg: str) -> tuple[int, str, str]:
        msg = {"40001": "Missing Required Arguments", "40002": "Invalid Arguments"}.get(code, "Business Failed")
        body = json.dumps(
            {"error_response": {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}},
            ensure_ascii=False,
        )
        return 200, "text/html;charset=utf-8", body

    @staticmethod
    def business_failure(sub_code: str, sub_msg: str, **extra) -> dict:
        return {"code": "40004", "msg": "Business Failed", "sub_code": sub_code, "sub_msg": sub_msg, **extra}

    def cashier(self, method: str, params: dict, biz: dict) -> tuple[int, str, str]:
        if biz.get("product_code") != PAGE_METHODS[method] or not params.get("notify_url"):
            return 200, "text/html;charset=utf-8", "<html><body>错误：参数无效</body></html>"
        number = biz.get("out_trade_no", "")
        trade = self.trades.get(number)
        if trade is not None and trade.total_amount != biz.get("total_amount"):
            return (
                200,
                "text/html;charset=utf-8",
                "<html><body>错误：ACQ.CONTEXT_INCONSISTENT 交易信息被篡改</body></html>",
            )
        if trade is None:
            now = dt.datetime.now(SHANGHAI)
            expire = biz.get("time_expire")
            if expire and dt.datetime.strptime(expire, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI) < now:
                return 200, "text/html;charset=utf-8", "<html><body>错误：交易已过期</body></html>"
            trade = Trade(
                out_trade_no=number,
                total_amount=biz["total_amount"],
                subject=biz.get("subject", ""),
                product_code=biz["product_code"],
                trade_no=f"{now:%Y%m%d}22001400{next(self._numbers):012d}",
                gmt_create=now.strftime("%Y-%m-%d %H:%M:%S"),
                time_expire=expire or "",
                notify_url=params["notify_url"],
                return_url=params.get("return_url", ""),
                quit_url=biz.get("quit_url", ""),
            )
            self.trades[number] = trade
        page = f"<html><body><h1>支付宝收银台</h1><p>{trade.subject}</p><p>¥{trade.total_amount}</p></body></html>"
        return 200, "text/html;charset=utf-8", page

    def _trade(self, biz: dict) -> Trade | None:
        if biz.get("out_trade_no"):
            return self.trades.get(biz["out_trade_no"])
        return next((t for t in self.trades.values() if t.trade_no == biz.get("trade_no")), None)

    def query(self, biz: dict) -> dict:
        trade = self._trade(biz)
        if trade is None:
            return self.business_failure("ACQ.TRADE_NOT_EXIST", "交易不存在", buyer_pay_amount="0.00")
        answer = {
            "code": "10000",
            "msg": "Success",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "buyer_logon_id": "bu***@example.cn",
            "trade_status": trade.status,
            "total_amount": trade.total_amount,
            "buyer_pay_amount": trade.total_amount if trade.gmt_payment else "0.00",
            "point_amount": "0.00",
            "invoice_amount": trade.total_amount if trade.gmt_payment else "0.00",
            "receipt_amount": trade.total_amount if trade.gmt_payment else "0.00",
            "buyer_user_id": "2088102177846880",
        }
        if trade.gmt_payment:
            answer["send_pay_date"] = trade.gmt_payment
        return answer

    def close(self, biz: dict) -> dict:
        trade = self._trade(biz)
        if trade is None:
            return self.business_failure("ACQ.TRADE_NOT_EXIST", "交易不存在")
        if trade.status != "WAIT_BUYER_PAY":
            return self.business_failure("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        trade.status = "TRADE_CLOSED"
        return {"code": "10000", "msg": "Success", "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no}

    def refund(self, biz: dict) -> dict:
        trade = self._trade(biz)
        number = biz.get("out_request_no") or biz.get("out_trade_no", "")
        amount = biz.get("refund_amount", "")
        if trade is None:
            return self.business_failure("ACQ.TRADE_NOT_EXIST", "交易不存在")
        try:
            amount_fen = fen(amount)
        except (ArithmeticError, AssertionError):
            return self.business_failure("ACQ.INVALID_PARAMETER", "参数无效")
        done = self.refunds.get(number)
        if done is not None:
            if done.out_trade_no != trade.out_trade_no or done.refund_amount != amount:
                return self.business_failure("ACQ.DISCORDANT_REPEAT_REQUEST", "请求信息不一致")
            return self._refund_answer(trade, done, fund_change="N")
        if self.refuse_refunds:
            return self.business_failure(*self.refuse_refunds)
        if trade.status != "TRADE_SUCCESS":
            return self.business_failure("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        if amount_fen <= 0 or trade.refunded_fen(self.refunds) + amount_fen > fen(trade.total_amount):
            return self.business_failure("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
        now = dt.datetime.now(SHANGHAI)
        record = RefundRecord(
            out_request_no=number,
            out_trade_no=trade.out_trade_no,
            trade_no=trade.trade_no,
            refund_amount=amount,
            reason=biz.get("refund_reason", ""),
            gmt_refund_pay=now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}",
        )
        self.refunds[number] = record
        if trade.refunded_fen(self.refunds) == fen(trade.total_amount):
            trade.status = "TRADE_CLOSED"  # all of it went back
        return self._refund_answer(trade, record, fund_change="Y")

    def _refund_answer(self, trade: Trade, record: RefundRecord, *, fund_change: str) -> dict:
        return {
            "code": "10000",
            "msg": "Success",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "buyer_logon_id": "bu***@example.cn",
            "fund_change": fund_change,
            "refund_fee": yuan(trade.refunded_fen(self.refunds)),
            "gmt_refund_pay": record.gmt_refund_pay[:19],
            "buyer_user_id": "2088102177846880",
        }

    def refund_query(self, biz: dict) -> dict:
        trade = self._trade(biz)
        if trade is None:
            return self.business_failure("ACQ.TRADE_NOT_EXIST", "交易不存在")
        number = biz.get("out_request_no", "")
        answer = {"code": "10000", "msg": "Success", "out_request_no": number, "out_trade_no": trade.out_trade_no}
        record = self.refunds.get(number)
        if record is None or record.out_trade_no != trade.out_trade_no:
            return answer  # Alipay's "no such refund": success without the refund's fields
        answer |= {
            "trade_no": trade.trade_no,
            "total_amount": trade.total_amount,
            "refund_amount": record.refund_amount,
            "refund_status": "REFUND_SUCCESS",
        }
        if "gmt_refund_pay" in (biz.get("query_options") or []):
            answer["gmt_refund_pay"] = record.gmt_refund_pay[:19]
        return answer

    def bill_url(self, biz: dict) -> dict:
        day = biz.get("bill_date", "")
        if biz.get("bill_type") != "trade" or day not in self.bills:
            return self.business_failure("isp.bill_not_exist", "账单不存在")
        token = secrets.token_hex(8)
        self.bill_files[token] = self.bill_zip(day)
        compact = day.replace("-", "")
        url = (
            f"{self.url}/downloadBillFile.resource?bizType=trade&userId={self.seller_id}0156"
            f"&fileType=csv.zip&bizDates={compact}&downloadFileName={compact}.csv.zip&fileId=%2Ftrade%2F{compact}"
            f"&timestamp={int(dt.datetime.now().timestamp())}&token={token}"
        )
        return {"code": "10000", "msg": "Success", "bill_download_url": url}


def _bill_row(trade_no, out_trade_no, kind, subject, created, finished, amount, out_request_no) -> list[str]:
    return [trade_no, out_trade_no, kind, subject, created, finished, "", "", "", "", "bu***@example.cn",
            amount, amount, "0.00", "0.00", "0.00", "0.00", "0.00", "", "0.00", "0.00", out_request_no,
            "0.00", "0.00", ""]  # fmt: skip


class _GbkName(zipfile.ZipInfo):
    """A member name written as GBK bytes without the UTF-8 flag, as Alipay's zips have."""

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's name)
        return self.filename.encode("gbk"), self.flag_bits & ~0x800

    def __init__(self, name: str):
        super().__init__(name, date_time=dt.datetime.now().timetuple()[:6])
        self.compress_type = zipfile.ZIP_DEFLATED


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeAlipay/1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        fake: FakeAlipay = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if parts.path == "/downloadBillFile.resource":
            content = fake.bill_files.get(params.get("token", ""))
            if content is None:
                return self._send(404, "text/plain", b"not found")
            return self._send(200, "application/oct-stream", content)
        if parts.path != "/gateway.do":
            return self._send(404, "text/plain", b"not found")
        with fake.lock:
            failure = fake.failures.pop(0) if fake.failures else None
            if failure is not None and not failure[1]:
                return self._send(failure[0], "text/html", failure[2])
            status, content_type, body = fake.handle(params)
        if failure is not None:
            return self._send(failure[0], "text/html", failure[2])
        self._send(status, content_type, body.encode())

    def _send(self, status: int, content_type: str, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class AlipayEndpoint(LocalFakeServer[FakeAlipay]):
    """``with AlipayEndpoint(keys) as fake: ...``; ``fake.gateway`` is the gateway address."""

    def __init__(self, keys: AlipayKeys):
        fake = FakeAlipay(APP_ID, SELLER_ID, keys.app.public_key(), keys.alipay)
        super().__init__(fake, _Handler, thread_name="fake-alipay")


@dataclass(frozen=True)
class AlipayKeys:
    app: rsa.RSAPrivateKey  # ours: signs requests
    alipay: rsa.RSAPrivateKey  # "Alipay's": signs answers and notifications


_KEYS: list[AlipayKeys] = []


def alipay_keys() -> AlipayKeys:
    """Two 2048-bit key pairs, generated once per test session."""
    if not _KEYS:
        _KEYS.append(AlipayKeys(*(rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2))))
    return _KEYS[0]


@pytest.fixture
def alipay_endpoint(settings, tmp_path):
    """The local Alipay gateway, with the marketplace configured to use it: the app
    private key and Alipay's public key written to files, every ALIPAY_* setting set."""
    keys = alipay_keys()
    private_path, public_path = tmp_path / "alipay_app_private.pem", tmp_path / "alipay_public.pem"
    private_path.write_text(pem_private(keys.app))
    public_path.write_text(pem_public(keys.alipay))
    with AlipayEndpoint(keys) as fake:
        settings.ALIPAY_APP_ID = fake.app_id
        settings.ALIPAY_APP_PRIVATE_KEY_PATH = str(private_path)
        settings.ALIPAY_PUBLIC_KEY_PATH = str(public_path)
        settings.ALIPAY_SELLER_ID = fake.seller_id
        settings.ALIPAY_SANDBOX = False
        settings.ALIPAY_GATEWAY = fake.gateway
        settings.PAYMENT_PROVIDER_TIMEOUT = 5
        yield fake


def post_notification(client, form: dict, *, content_type="application/x-www-form-urlencoded; charset=utf-8"):
    """POST a notification form to our endpoint, as Alipay does."""
    return client.post("/payments/notify/alipay/", data=urlencode(form), content_type=content_type)
