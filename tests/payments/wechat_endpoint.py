"""A local WeChat Pay API v3 endpoint, for tests only, and the ``wechat_endpoint`` fixture.

A small ``http.server`` on 127.0.0.1 (a thread per request; ``tests/fake_http.py``) that
answers the calls ``payments/providers/wechat.py`` makes, in WeChat Pay's wire format, so
that the real ``wechatpayv3`` library is exercised end to end:

* **Requests are authenticated as WeChat does**: the ``Authorization`` header
  (``WECHATPAY2-SHA256-RSA2048 mchid=..,nonce_str=..,signature=..,timestamp=..,serial_no=..``)
  must carry our merchant id and certificate serial and an RSA-SHA256 signature of
  ``METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n`` by the merchant private key; it is
  verified with the merchant *public* key, and anything else is answered 401 SIGN_ERROR.
* **Answers are signed as WeChat does**: every 2xx answer (a 204's empty body too) carries
  ``Wechatpay-Timestamp/-Nonce/-Signature/-Serial/-Signature-Type``, the signature being
  RSA-SHA256 of ``TIMESTAMP\\nNONCE\\nBODY\\n`` by the *platform* private key, the serial our
  public key id. Errors are ``{"code": ..., "message": ...}`` with WeChat's statuses and
  codes (404 ORDER_NOT_EXIST, 400 ORDERPAID, 403 NOT_ENOUGH, 400 NO_STATEMENT_EXIST, ...).
* **Notifications are built as WeChat builds them** (``notification``): the resource
  encrypted with AES-256-GCM under the APIv3 key (a 12-character nonce, associated data
  "transaction" or "refund"), the envelope signed by the platform key, the five headers.

Both key pairs (the merchant's API key, WeChat's platform key) are generated here with
``cryptography``; nothing is borrowed from the library under test.

It keeps trades and refunds in memory, records every request (``requests``), and has the
moves of a buyer and of WeChat for tests: ``pay`` (the buyer pays: returns the transaction
id), ``settle_refund`` (the money went back, or not), ``paid_notification`` and
``notification`` (what WeChat posts to our notify URL), and the trade bill of a day (built
from what was paid and refunded that day; ``hidden_from_bill`` leaves transactions out, as
a bill that lost one would). It models only what the marketplace calls, and says so for
anything else (404).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import itertools
import json
import re
import secrets
import threading
import time
from base64 import b64decode, b64encode
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from tests.fake_http import LocalFakeServer

SHANGHAI = ZoneInfo("Asia/Shanghai")
MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
APIV3_KEY = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"  # 32 characters: the AES-256 key
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092026120700000000000001"
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
NOTIFY_PATH = "/payments/notify/wechat_pay/"

_AUTH = re.compile(r'(\w+)="([^"]*)"')


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def sign(key: rsa.RSAPrivateKey, message: str) -> str:
    return b64encode(key.sign(message.encode(), PKCS1v15(), SHA256())).decode()


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the query
    query: dict[str, str]
    body: dict  # the JSON body ({} for a GET)
    headers: dict[str, str]  # lower-case names


@dataclass
class WeChatEndpoint:
    merchant_key: rsa.RSAPrivateKey  # the merchant's API key: the endpoint knows only its public half
    platform_key: rsa.RSAPrivateKey  # WeChat Pay's platform key: signs answers and notifications
    mchid: str = MCHID
    appid: str = APPID
    apiv3_key: str = APIV3_KEY
    merchant_serial: str = MERCHANT_SERIAL
    public_key_id: str = PUBLIC_KEY_ID
    url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    trades: dict[str, dict] = field(default_factory=dict)  # out_trade_no → the transaction as WeChat keeps it
    refunds: dict[str, dict] = field(default_factory=dict)  # out_refund_no → the refund
    # The merchant account's available balance for refunds (None: enough); above it → 403 NOT_ENOUGH.
    refund_balance_fen: int | None = None
    # Transaction ids the bill leaves out (a bill that lost a payment).
    hidden_from_bill: set[str] = field(default_factory=set)
    # Next answers to be these statuses (an outage), in order.
    failures: list[int] = field(default_factory=list)
    # Sign answers with this key instead of the platform key (a forged answer).
    answer_key: rsa.RSAPrivateKey | None = None
    # Sign answers under this key id instead of ours (WeChat rotated its public key).
    answer_serial: str | None = None
    # Serve a bill file that differs from the digest announced for it (damaged on the way).
    bill_damaged: bool = False
    bill_files: dict[str, bytes] = field(default_factory=dict)  # download token → gzip file
    lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # -- what tests read --------------------------------------------------------------------------------------------
    def calls(self, method: str, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    # -- the buyer and WeChat ---------------------------------------------------------------------------------------
    def pay(self, out_trade_no: str, *, amount_fen: int | None = None, at: dt.datetime | None = None) -> str:
        """The buyer pays the trade (``amount_fen``: another amount than created, as a test
        of our amount check). Returns WeChat's transaction id."""
        with self.lock:
            trade = self.trades[out_trade_no]
            total = trade["amount"]["total"] if amount_fen is None else amount_fen
            trade.update(
                trade_state="SUCCESS",
                trade_state_desc="支付成功",
                transaction_id=f"42000012342026{next(self._ids):014d}",
                bank_type="OTHERS",
                success_time=rfc3339(at or dt.datetime.now(SHANGHAI)),
                payer={"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
                amount={"total": total, "payer_total": total, "currency": "CNY", "payer_currency": "CNY"},
            )
            return trade["transaction_id"]

    def transaction(self, out_trade_no: str) -> dict:
        """The transaction as a query answers it and a payment notification carries it."""
        with self.lock:
            trade = self.trades[out_trade_no]
            public = {k: v for k, v in trade.items() if not k.startswith("_")}
            if trade["trade_state"] not in ("SUCCESS", "REFUND"):
                public["amount"] = {"payer_currency": "CNY"}
                for name in ("transaction_id", "success_time", "payer", "bank_type"):
                    public.pop(name, None)
            return json.loads(json.dumps(public))

    def settle_refund(self, out_refund_no: str, status: str = "SUCCESS", *, at=None) -> tuple[dict, str]:
        """A refund WeChat was processing settles (SUCCESS, CLOSED, ABNORMAL): returns the
        (headers, body) of the refund notification WeChat then sends."""
        with self.lock:
            refund = self.refunds[out_refund_no]
            refund["status"] = status
            if status == "SUCCESS":
                refund["success_time"] = rfc3339(at or dt.datetime.now(SHANGHAI))
                refund["user_received_account"] = "支付用户零钱"
                self.trades[refund["out_trade_no"]]["trade_state"] = "REFUND"
            resource = {
                "mchid": self.mchid,
                "out_trade_no": refund["out_trade_no"],
                "transaction_id": refund["transaction_id"],
                "out_refund_no": out_refund_no,
                "refund_id": refund["refund_id"],
                "refund_status": status,
                "success_time": refund.get("success_time", ""),
                "user_received_account": refund.get("user_received_account", ""),
                "amount": {
                    "total": refund["amount"]["total"],
                    "refund": refund["amount"]["refund"],
                    "payer_total": refund["amount"]["total"],
                    "payer_refund": refund["amount"]["refund"],
                },
            }
        return self.notification(f"REFUND.{status}", resource)

    def paid_notification(self, out_trade_no: str, **kwargs) -> tuple[dict, str]:
        """TRANSACTION.SUCCESS for a trade the buyer paid (``pay``)."""
        return self.notification("TRANSACTION.SUCCESS", self.transaction(out_trade_no), **kwargs)

    def notification(
        self,
        event_type: str,
        resource: dict,
        *,
        timestamp: int | None = None,
        serial: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        event_id: str | None = None,
    ) -> tuple[dict, str]:
        """A notification exactly as WeChat posts it: the resource encrypted (AES-256-GCM,
        key = the APIv3 key, a 12-character nonce, associated data = the resource's kind),
        the JSON envelope, and the five headers signing ``TIMESTAMP\\nNONCE\\nBODY\\n`` with
        the platform key. ``timestamp``, ``serial`` and ``key`` forge it for tests."""
        original_type = "refund" if event_type.startswith("REFUND.") else "transaction"
        nonce = secrets.token_hex(6)  # 12 ASCII characters, used as the raw GCM nonce
        plaintext = json.dumps(resource, ensure_ascii=False).encode()
        ciphertext = AESGCM(self.apiv3_key.encode()).encrypt(nonce.encode(), plaintext, original_type.encode())
        envelope = {
            "id": event_id or f"EV-{secrets.token_hex(12)}",
            "create_time": rfc3339(dt.datetime.now(SHANGHAI)),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": {"TRANSACTION.SUCCESS": "支付成功", "REFUND.SUCCESS": "退款成功"}.get(event_type, "通知"),
            "resource": {
                "original_type": original_type,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": b64encode(ciphertext).decode(),
                "associated_data": original_type,
                "nonce": nonce,
            },
        }
        body = json.dumps(envelope, ensure_ascii=False)
        return self.signed_headers(body, timestamp=timestamp, serial=serial, key=key), body

    def signed_headers(self, body: str, *, timestamp=None, serial=None, key=None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16).upper()
        return {
            "Wechatpay-Timestamp": ts,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": sign(key or self.answer_key or self.platform_key, f"{ts}\n{nonce}\n{body}\n"),
            "Wechatpay-Serial": serial or self.public_key_id,
            "Wechatpay-Signature-Type": SIGNATURE_TYPE,
        }

    # -- the bill ---------------------------------------------------------------------------------------------------
    def bill_csv(self, day: dt.date) -> str:
        """The trade bill (``bill_type=ALL``) of ``day``: a header, a line per payment and
        per refund of the day (cells prefixed with a backtick, amounts in yuan), then the
        summary's header and values."""
        header = (
            "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
            "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
            "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
        )
        out = io.StringIO()
        out.write(header + "\r\n")
        writer = csv.writer(out, lineterminator="\r\n")
        paid_total = refund_total = count = 0

        def yuan(fen: int) -> str:
            return f"{fen // 100}.{fen % 100:02d}"

        def on_day(text: str) -> str | None:
            moment = dt.datetime.fromisoformat(text).astimezone(SHANGHAI) if text else None
            return moment.strftime("%Y-%m-%d %H:%M:%S") if moment and moment.date() == day else None

        for trade in self.trades.values():
            when = on_day(trade.get("success_time", ""))
            if when is None or trade["transaction_id"] in self.hidden_from_bill:
                continue
            total = trade["amount"]["total"]
            row = [when, self.appid, self.mchid, "0", "", trade["transaction_id"], trade["out_trade_no"]]
            row += [trade["payer"]["openid"], trade["trade_type"], "SUCCESS", "OTHERS", "CNY", yuan(total), "0.00"]
            row += ["0", "0", "0.00", "0.00", "", "", trade["description"], "", "0.00", "0.60%", yuan(total), "0.00"]
            writer.writerow(["`" + cell for cell in row] + [""])
            paid_total, count = paid_total + total, count + 1
        for refund in self.refunds.values():
            when = on_day(refund.get("success_time", ""))
            if when is None or refund["status"] != "SUCCESS" or refund["transaction_id"] in self.hidden_from_bill:
                continue
            trade = self.trades[refund["out_trade_no"]]
            total, amount = trade["amount"]["total"], refund["amount"]["refund"]
            row = [when, self.appid, self.mchid, "0", "", trade["transaction_id"], trade["out_trade_no"]]
            row += [trade["payer"]["openid"], trade["trade_type"], "REFUND", "OTHERS", "CNY", "0.00", "0.00"]
            row += [refund["refund_id"], refund["out_refund_no"], yuan(amount), "0.00", "ORIGINAL", "SUCCESS"]
            row += [trade["description"], "", "0.00", "0.60%", yuan(total), yuan(amount)]
            writer.writerow(["`" + cell for cell in row] + [""])
            refund_total, count = refund_total + amount, count + 1
        out.write("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n")
        summary = [str(count), yuan(paid_total), yuan(refund_total), "0.00", "0.00", yuan(paid_total)]
        writer.writerow(["`" + cell for cell in [*summary, yuan(refund_total)]])
        return out.getvalue()

    # -- the model --------------------------------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict, body: dict) -> tuple[int, dict | None]:
        if method == "POST" and (m := re.fullmatch(r"/v3/pay/transactions/(native|h5)", path)):
            return self.create(m[1], body)
        if method == "GET" and (m := re.fullmatch(r"/v3/pay/transactions/out-trade-no/([\w|*-]+)", path)):
            if query.get("mchid") != self.mchid:
                return 400, _error("PARAM_ERROR", "商户号不正确")
            if m[1] not in self.trades:
                return 404, _error("ORDER_NOT_EXIST", "订单不存在")
            return 200, self.transaction(m[1])
        if method == "POST" and (m := re.fullmatch(r"/v3/pay/transactions/out-trade-no/([\w|*-]+)/close", path)):
            return self.close(m[1], body)
        if method == "POST" and path == "/v3/refund/domestic/refunds":
            return self.refund(body)
        if method == "GET" and (m := re.fullmatch(r"/v3/refund/domestic/refunds/([\w|*@.-]+)", path)):
            refund = self.refunds.get(m[1])
            return (200, dict(refund)) if refund else (404, _error("RESOURCE_NOT_EXISTS", "退款单不存在"))
        if method == "GET" and path == "/v3/bill/tradebill":
            return self.trade_bill(query)
        return 404, _error("NOT_FOUND", f"no such API here: {method} {path}")

    def create(self, product: str, body: dict) -> tuple[int, dict]:
        if body.get("appid") != self.appid or body.get("mchid") != self.mchid:
            return 400, _error("APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
        for name in ("description", "out_trade_no", "notify_url", "amount"):
            if not body.get(name):
                return 400, _error("PARAM_ERROR", f"输入源“/body/{name}”映射到字段“{name}”必填性规则校验失败")
        amount = body["amount"]
        if not isinstance(amount.get("total"), int) or amount["total"] <= 0 or amount.get("currency", "CNY") != "CNY":
            return 400, _error("PARAM_ERROR", "订单金额不正确")
        if product == "h5":
            scene = body.get("scene_info") or {}
            if not scene.get("payer_client_ip") or (scene.get("h5_info") or {}).get("type") not in ("Wap", "iOS"):
                return 400, _error("PARAM_ERROR", "H5 场景信息不正确")
        trade = self.trades.get(body["out_trade_no"])
        if trade is not None:
            if trade["trade_state"] in ("SUCCESS", "REFUND"):
                return 400, _error("ORDERPAID", "该订单已支付")
            if trade["trade_state"] == "CLOSED":
                return 400, _error("ORDER_CLOSED", "订单已关闭")
            if trade["amount"]["total"] != amount["total"] or trade["_product"] != product:
                return 400, _error("INVALID_REQUEST", "201 商户订单号重复")
        else:
            trade = self.trades[body["out_trade_no"]] = {
                "appid": self.appid,
                "mchid": self.mchid,
                "out_trade_no": body["out_trade_no"],
                "trade_type": "NATIVE" if product == "native" else "MWEB",
                "trade_state": "NOTPAY",
                "trade_state_desc": "订单未支付",
                "attach": body.get("attach", ""),
                "description": body["description"],
                "amount": {"total": amount["total"], "currency": "CNY"},
                "_product": product,
                "_notify_url": body["notify_url"],
                "_time_expire": body.get("time_expire", ""),
                "_prepay": f"wx{secrets.token_hex(14)}",
            }
        if product == "native":
            return 200, {"code_url": f"weixin://wxpay/bizpayurl?pr={trade['_prepay'][2:12]}"}
        return 200, {
            "h5_url": f"https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id={trade['_prepay']}&package=2150917749"
        }

    def close(self, out_trade_no: str, body: dict) -> tuple[int, dict | None]:
        if body.get("mchid") != self.mchid:
            return 400, _error("PARAM_ERROR", "商户号不正确")
        trade = self.trades.get(out_trade_no)
        if trade is None:
            return 404, _error("ORDER_NOT_EXIST", "订单不存在")
        if trade["trade_state"] in ("SUCCESS", "REFUND"):
            return 400, _error("ORDERPAID", "订单已支付")
        trade.update(trade_state="CLOSED", trade_state_desc="订单已关闭")
        return 204, None

    def refund(self, body: dict) -> tuple[int, dict]:
        trade = self.trades.get(body.get("out_trade_no", ""))
        if trade is None:
            return 404, _error("RESOURCE_NOT_EXISTS", "订单不存在")
        if trade["trade_state"] not in ("SUCCESS", "REFUND"):
            return 400, _error("INVALID_REQUEST", "订单未支付，不能退款")
        amount = body.get("amount") or {}
        if amount.get("total") != trade["amount"]["total"] or amount.get("currency") != "CNY":
            return 400, _error("PARAM_ERROR", "订单金额或币种与原订单不一致")
        if not body.get("out_refund_no") or not isinstance(amount.get("refund"), int) or amount["refund"] <= 0:
            return 400, _error("PARAM_ERROR", "退款金额或商户退款单号不正确")
        existing = self.refunds.get(body["out_refund_no"])
        if existing is not None:  # the same out_refund_no: the same refund
            if existing["amount"]["refund"] != amount["refund"]:
                return 400, _error("INVALID_REQUEST", "同一退款单号的退款金额不一致")
            return 200, dict(existing)
        refunded = sum(
            r["amount"]["refund"]
            for r in self.refunds.values()
            if r["out_trade_no"] == trade["out_trade_no"] and r["status"] in ("PROCESSING", "SUCCESS")
        )
        if refunded + amount["refund"] > trade["amount"]["total"]:
            return 400, _error("INVALID_REQUEST", "申请退款金额超过订单可退金额")
        if self.refund_balance_fen is not None and amount["refund"] > self.refund_balance_fen:
            return 403, _error("NOT_ENOUGH", "基本账户余额不足，请充值后重新发起")
        refund = self.refunds[body["out_refund_no"]] = {
            "refund_id": f"50000000382026{next(self._ids):014d}",
            "out_refund_no": body["out_refund_no"],
            "transaction_id": trade["transaction_id"],
            "out_trade_no": trade["out_trade_no"],
            "channel": "ORIGINAL",
            "user_received_account": "",
            "create_time": rfc3339(dt.datetime.now(SHANGHAI)),
            "status": "PROCESSING",
            "funds_account": "AVAILABLE",
            "amount": {
                "total": trade["amount"]["total"],
                "refund": amount["refund"],
                "payer_total": trade["amount"]["total"],
                "payer_refund": amount["refund"],
                "settlement_refund": amount["refund"],
                "settlement_total": trade["amount"]["total"],
                "discount_refund": 0,
                "currency": "CNY",
            },
            "_reason": body.get("reason", ""),
            "_notify_url": body.get("notify_url", ""),
        }
        return 200, {k: v for k, v in refund.items() if not k.startswith("_")}

    def trade_bill(self, query: dict) -> tuple[int, dict]:
        try:
            day = dt.date.fromisoformat(query.get("bill_date", ""))
        except ValueError:
            return 400, _error("PARAM_ERROR", "账单日期格式不正确")
        if query.get("bill_type") != "ALL" or query.get("tar_type") != "GZIP":
            return 400, _error("PARAM_ERROR", "this endpoint models bill_type=ALL, tar_type=GZIP")
        text = self.bill_csv(day)
        if text.count("\n") <= 3:  # no transaction that day: WeChat makes no bill
            return 400, _error("NO_STATEMENT_EXIST", "No statement exist")
        raw = text.encode()
        token = secrets.token_urlsafe(12)
        served = raw.replace(b"`", b"'", 1) if self.bill_damaged else raw
        self.bill_files[token] = gzip.compress(served)
        return 200, {
            "hash_type": "SHA1",
            "hash_value": hashlib.sha1(raw).hexdigest(),  # of the bill itself (gzip: unzipped)
            "download_url": f"{self.url}/v3/billdownload/file?token={token}",
        }

    # -- authentication ---------------------------------------------------------------------------------------------
    def authorized(self, method: str, target: str, body: str, headers: dict) -> bool:
        """The merchant's signature of the request, checked with the merchant public key."""
        scheme, _space, rest = headers.get("authorization", "").partition(" ")
        fields = dict(_AUTH.findall(rest))
        if scheme != SIGNATURE_TYPE or fields.get("mchid") != self.mchid:
            return False
        if fields.get("serial_no") != self.merchant_serial:
            return False
        message = f"{method}\n{target}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n{body}\n"
        try:
            signature = b64decode(fields.get("signature", ""), validate=True)
            self.merchant_key.public_key().verify(signature, message.encode(), PKCS1v15(), SHA256())
        except (InvalidSignature, ValueError):
            return False
        return True


def _error(code: str, message: str) -> dict:
    return {"code": code, "message": message}


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeWeChatPay/1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _serve(self, method: str) -> None:
        endpoint: WeChatEndpoint = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        headers = {k.lower(): v for k, v in self.headers.items()}
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}
        with endpoint.lock:
            endpoint.requests.append(RecordedRequest(method, parts.path, query, body, headers))
            if not endpoint.authorized(method, self.path, raw, headers):
                status, answer = 401, _error("SIGN_ERROR", "签名错误")
            elif endpoint.failures:
                status, answer = endpoint.failures.pop(0), _error("SYSTEM_ERROR", "系统错误")
            elif method == "GET" and parts.path == "/v3/billdownload/file":
                content = endpoint.bill_files.get(query.get("token", ""))
                if content is None:
                    status, answer = 400, _error("INVALID_REQUEST", "下载地址已失效")
                else:  # the file itself: not JSON, not signed
                    return self._send(200, content, "application/octet-stream", sign_with=None)
            else:
                status, answer = endpoint.handle(method, parts.path, query, body)
        text = "" if answer is None else json.dumps(answer, ensure_ascii=False)
        self._send(
            status, text.encode(), "application/json" if text else "", sign_with=endpoint if status < 300 else None
        )

    def _send(self, status: int, payload: bytes, content_type: str, *, sign_with: WeChatEndpoint | None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type + ("; charset=utf-8" if "json" in content_type else ""))
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Request-ID", secrets.token_hex(16))
        if sign_with is not None:
            for name, value in sign_with.signed_headers(payload.decode(), serial=sign_with.answer_serial).items():
                self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")


class WeChatEndpointServer(LocalFakeServer[WeChatEndpoint]):
    """``with WeChatEndpointServer() as endpoint: ...``; ``endpoint.url`` is the base."""

    def __init__(self) -> None:
        super().__init__(WeChatEndpoint(new_key(), new_key()), _Handler, thread_name="wechat-endpoint")


@pytest.fixture
def wechat_endpoint(settings, tmp_path):
    """The local WeChat Pay API v3 endpoint, with the marketplace configured to use it.

    Writes the merchant private key and WeChat's platform public key (both generated for
    this test) to PEM files under ``tmp_path`` and sets every ``WECHATPAY_*`` setting —
    MCHID, APPID, APIV3_KEY, PRIVATE_KEY_PATH, CERT_SERIAL_NO, PUBLIC_KEY_PATH,
    PUBLIC_KEY_ID, and API_BASE → the endpoint — plus ``PAYMENT_NOTIFY_TOLERANCE`` = 300,
    so ``payments.direct.configured("wechat_pay")`` is true and the checkout offers WeChat
    Pay. Yields the ``WeChatEndpoint`` (its trades, refunds, recorded requests, and the
    buyer's and WeChat's moves: ``pay``, ``paid_notification``, ``settle_refund``, ...).

    Use it from another test directory by importing it into that directory's conftest.py:
    ``from tests.payments.wechat_endpoint import wechat_endpoint  # noqa: F401``; post a
    notification with ``post_notification(client, headers, body)``."""
    with WeChatEndpointServer() as endpoint:
        private_path, public_path = tmp_path / "apiclient_key.pem", tmp_path / "pub_key.pem"
        private_path.write_text(private_pem(endpoint.merchant_key))
        public_path.write_text(public_pem(endpoint.platform_key))
        settings.WECHATPAY_MCHID = endpoint.mchid
        settings.WECHATPAY_APPID = endpoint.appid
        settings.WECHATPAY_APIV3_KEY = endpoint.apiv3_key
        settings.WECHATPAY_PRIVATE_KEY_PATH = str(private_path)
        settings.WECHATPAY_CERT_SERIAL_NO = endpoint.merchant_serial
        settings.WECHATPAY_PUBLIC_KEY_PATH = str(public_path)
        settings.WECHATPAY_PUBLIC_KEY_ID = endpoint.public_key_id
        settings.WECHATPAY_API_BASE = endpoint.url
        settings.PAYMENT_NOTIFY_TOLERANCE = 300
        yield endpoint


def post_notification(client, headers: dict, body: str | bytes):
    """POST a notification to our notify URL as WeChat does (raw JSON body, its headers)."""
    meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    return client.post(NOTIFY_PATH, data=body, content_type="application/json", **meta)
