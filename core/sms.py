"""Sending text messages (短信): the one place the marketplace hands an SMS to a gateway.

``send_sms(message)`` gives an ``SmsMessage`` to the backend named by ``SMS_BACKEND`` (a
dotted path), which raises ``SmsError`` when the message could not be handed over.
A message carries both a text (what the console shows) and a template with parameters:
Chinese gateways send only texts made from templates approved in advance, and fill
``${code}`` themselves.

* ``ConsoleBackend`` (the default): prints each message to standard output and logs it
  (logger ``core.sms``), so the code appears in the ``make demo`` terminal, and keeps the
  last ``OUTBOX_SIZE`` in ``outbox`` for the tests. Sends nothing anywhere.
* ``AliyunBackend``: Alibaba Cloud SMS (阿里云短信服务, Dysmsapi ``SendSms``, API version
  2017-05-25), called over HTTPS with the standard library: an RPC GET signed with
  signature version 1.0 (HMAC-SHA1 of the sorted, RFC 3986-encoded parameters, keyed with
  the AccessKey secret and ``&``). No SDK: Alibaba's (``alibabacloud_dysmsapi20170525``)
  brings its own HTTP stack in five more packages for this one call. Configured by the
  ``ALIYUN_SMS_*`` settings; ``ALIYUN_SMS_TEMPLATES`` maps our template names to the
  template codes approved in the Aliyun console.

No SMS gateway can be reached from the machines this project is built on: the Aliyun
backend is tested against a local HTTP server that answers in Aliyun's wire format."""

import base64
import collections
import datetime as dt
import hashlib
import hmac
import json
import logging
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

OUTBOX_SIZE = 100
# The messages the console backend printed, newest last (the tests read codes from here).
outbox: collections.deque = collections.deque(maxlen=OUTBOX_SIZE)


class SmsError(Exception):
    """The message could not be handed to the gateway. ``str(exc)`` says why (for logs)."""


@dataclass(frozen=True)
class SmsMessage:
    mobile: str  # 11 digits (core.parsing.mobile)
    text: str  # the whole text, as the person will read it (without the 【sign】)
    template: str  # our name for the gateway's template, e.g. "verification_code"
    params: dict = field(default_factory=dict)  # the template's ${…} values


class ConsoleBackend:
    def send(self, message: SmsMessage) -> str:
        outbox.append(message)
        line = f"【{settings.SMS_SIGN_NAME}】→ {message.mobile}：{message.text}"
        sys.stdout.write(f"\n{'=' * 20} 短信（控制台后端，未发送） {'=' * 20}\n{line}\n{'=' * 76}\n")
        sys.stdout.flush()
        logger.info("SMS (console, not sent) to %s: %s", message.mobile, message.text)
        return f"console-{len(outbox)}"


class MemoryBackend:
    """Keeps messages in ``outbox`` and sends nothing: for the demo's fictional buyers while
    ``load_demo`` runs (``demo.live.quiet_mail``)."""

    def send(self, message: SmsMessage) -> str:
        outbox.append(message)
        return f"memory-{len(outbox)}"


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Aliyun's signature wants it: only A–Z a–z 0–9 - _ . ~ kept,
    a space as %20 (never +), UTF-8 bytes as %XY."""
    return urllib.parse.quote(str(value), safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    """Signature version 1.0 of an RPC request's parameters (``Signature`` itself excluded)."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunBackend:
    """阿里云短信 ``SendSms``. Returns the gateway's ``BizId``; raises ``SmsError`` for an
    answer other than ``Code: OK`` (``isv.BUSINESS_LIMIT_CONTROL``, a template not
    approved, …), an HTTP error, a timeout or a network failure."""

    API_VERSION = "2017-05-25"

    def __init__(self):
        self.endpoint = settings.ALIYUN_SMS_ENDPOINT
        self.key_id = settings.ALIYUN_SMS_ACCESS_KEY_ID
        self.secret = settings.ALIYUN_SMS_ACCESS_KEY_SECRET
        self.sign_name = settings.ALIYUN_SMS_SIGN_NAME or settings.SMS_SIGN_NAME
        self.templates = settings.ALIYUN_SMS_TEMPLATES
        self.timeout = settings.SMS_TIMEOUT_SECONDS

    def request_params(self, message: SmsMessage, *, now: dt.datetime | None = None, nonce: str = "") -> dict:
        template_code = self.templates.get(message.template)
        if not template_code:
            raise SmsError(f"no Aliyun template code for {message.template!r} (ALIYUN_SMS_TEMPLATES)")
        now = now or dt.datetime.now(dt.UTC)
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": message.mobile,
            "RegionId": "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(message.params, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": self.API_VERSION,
        }
        params["Signature"] = aliyun_signature(params, self.secret)
        return params

    def send(self, message: SmsMessage) -> str:
        if not (self.key_id and self.secret):
            raise SmsError("ALIYUN_SMS_ACCESS_KEY_ID / ALIYUN_SMS_ACCESS_KEY_SECRET are not set")
        query = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in self.request_params(message).items())
        url = f"{self.endpoint.rstrip('/')}/?{query}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 - endpoint from settings
                body = response.read()
        except urllib.error.HTTPError as exc:  # Aliyun answers errors with a JSON body too
            body = exc.read()
            if not body:
                raise SmsError(f"Aliyun SMS answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"Aliyun SMS unreachable: {exc}") from exc
        try:
            answer = json.loads(body)
        except ValueError as exc:
            raise SmsError(f"Aliyun SMS answered something other than JSON: {body[:200]!r}") from exc
        if not isinstance(answer, dict) or answer.get("Code") != "OK":
            code, text = (answer.get("Code"), answer.get("Message")) if isinstance(answer, dict) else (None, None)
            raise SmsError(f"Aliyun SMS refused: {code} {text}")
        logger.info(
            "SMS sent through Aliyun to %s****%s (BizId %s)",
            message.mobile[:3],
            message.mobile[-4:],
            answer.get("BizId"),
        )
        return str(answer.get("BizId", ""))


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(message: SmsMessage) -> str:
    """Hand ``message`` to the configured backend; its id at the gateway. ``SmsError`` if not."""
    return get_backend().send(message)
