"""A stand-in for Alibaba Cloud SMS (Dysmsapi 2017-05-25 ``SendSms``) on 127.0.0.1: no SMS
gateway can be reached from here. It checks each request as the service documents it —
the common parameters, a fresh nonce, and the signature (version 1.0: HMAC-SHA1 over
``GET&%2F&`` and the sorted, RFC 3986-encoded parameters, keyed with the secret and
``&``), computed here on its own — and answers in the service's JSON: ``Code: OK`` with
a ``BizId``, or an error ``Code`` and ``Message`` (HTTP 400 for a bad signature)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, quote, urlsplit

from tests.fake_http import LocalFakeServer

REQUIRED = {
    "AccessKeyId", "Action", "Format", "PhoneNumbers", "RegionId", "SignName", "SignatureMethod",
    "SignatureNonce", "SignatureVersion", "TemplateCode", "TemplateParam", "Timestamp", "Version", "Signature",
}  # fmt: skip


def rfc3986(text: str) -> str:
    return quote(text, safe="")  # keeps A-Z a-z 0-9 - _ . ~, a space is %20


def expected_signature(params: dict[str, str], secret: str) -> str:
    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    canonical = "&".join(f"{rfc3986(k)}={rfc3986(v)}" for k, v in pairs)
    to_sign = "GET&" + rfc3986("/") + "&" + rfc3986(canonical)
    return base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class FakeAliyunSms:
    def __init__(self, *, key_id: str, secret: str):
        self.key_id, self.secret = key_id, secret
        self.url = ""
        self.received: list[dict[str, str]] = []
        self.nonces: set[str] = set()
        self.refuse_with: tuple[str, str] | None = None  # (Code, Message) for the next requests

    def answer(self, params: dict[str, str]) -> tuple[int, dict]:
        request_id = f"FAKE-{len(self.received):04d}"
        missing = sorted(REQUIRED - set(params))
        if missing:
            return 400, {"Code": "MissingParameter", "Message": f"missing {missing}", "RequestId": request_id}
        if params["AccessKeyId"] != self.key_id:
            return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "no such key", "RequestId": request_id}
        if not hmac.compare_digest(params["Signature"], expected_signature(params, self.secret)):
            message = "Specified signature is not matched with our calculation."
            return 400, {"Code": "SignatureDoesNotMatch", "Message": message, "RequestId": request_id}
        if params["SignatureNonce"] in self.nonces:
            return 400, {"Code": "SignatureNonceUsed", "Message": "nonce used", "RequestId": request_id}
        self.nonces.add(params["SignatureNonce"])
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", params["Timestamp"]):
            return 400, {"Code": "InvalidTimeStamp.Format", "Message": "bad timestamp", "RequestId": request_id}
        fixed = {
            "Action": "SendSms", "Version": "2017-05-25", "Format": "JSON",
            "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
        }  # fmt: skip
        if any(params[k] != v for k, v in fixed.items()):
            return 400, {"Code": "InvalidParameter", "Message": "bad common parameter", "RequestId": request_id}
        json.loads(params["TemplateParam"])  # must be JSON
        self.received.append(params)
        if self.refuse_with:
            code, message = self.refuse_with
            return 200, {"Code": code, "Message": message, "RequestId": request_id}
        return 200, {"Code": "OK", "Message": "OK", "RequestId": request_id, "BizId": f"9{len(self.received):05d}^0"}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        fake: FakeAliyunSms = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        status, body = fake.answer(dict(parse_qsl(parts.query, keep_blank_values=True)))
        payload = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def serve(fake: FakeAliyunSms) -> LocalFakeServer[FakeAliyunSms]:
    return LocalFakeServer(fake, _Handler, thread_name="fake-aliyun-sms")
