"""A local stand-in for Stripe's HTTP API, for tests only.

A small ``http.server`` on 127.0.0.1 in a thread, answering the handful of endpoints the
marketplace calls in Stripe's wire format: form-encoded requests, JSON objects with an
``"object"`` field, ``{"error": {...}}`` bodies with Stripe's status codes (402 for a
decline), and idempotency keys replayed the way Stripe replays them. The real ``stripe``
library talks to it through ``base_addresses={"api": ...}``, so the request the marketplace
builds is exactly the one that would go to api.stripe.com.

It records every request (method, path, decoded params, headers) so tests can assert the
exact parameters, the ``Idempotency-Key`` header and the amount in fen. Its state changes
(a customer paying, a refund settling) produce event objects in Stripe's event format,
which tests sign and post to the webhook endpoint.

It is not Stripe: it models only what these tests need, and says so when asked anything else
(404 ``resource_missing``)."""

from __future__ import annotations

import itertools
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from tests.fake_http import LocalFakeServer

API_VERSION = "2025-01-27.acacia"
# Test payment methods, named like Stripe's test tokens.
PAYMENT_METHODS = {
    "pm_card_visa": ("card", None),
    "pm_card_chargeDeclined": ("card", "generic_decline"),
    "pm_card_insufficientFunds": ("card", "insufficient_funds"),
}


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict  # flat form keys as sent, e.g. {"metadata[order_id]": "7"}
    headers: dict

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


@dataclass
class FakeStripe:
    api_key: str
    url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    intents: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    # Answers to replay for a repeated Idempotency-Key: key -> (params, status, body).
    idempotent: dict[str, tuple[dict, int, dict]] = field(default_factory=dict)
    # Next requests to fail with these status codes (a simulated outage), in order.
    failures: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # -- helpers for tests ----------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):06d}{secrets.token_hex(6)}"

    def calls(self, method: str, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    def event(self, type_: str, obj: dict, *, created: int | None = None) -> dict:
        """An event as Stripe sends it to a webhook endpoint, and remember it."""
        evt = {
            "id": self.new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": created if created is not None else int(time.time()),
            "data": {"object": json.loads(json.dumps(obj))},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type_,
        }
        self.events.append(evt)
        return evt

    def pay(self, intent_id: str, method_type: str = "card") -> dict:
        """The customer completes the payment in the browser (card, Alipay or WeChat Pay):
        the intent succeeds and Stripe emits ``payment_intent.succeeded``."""
        with self.lock:
            intent = self.intents[intent_id]
            self._succeed(intent, method_type)
            return self.event("payment_intent.succeeded", intent)

    def decline(self, intent_id: str, decline_code: str = "generic_decline") -> dict:
        """The customer's card is declined: ``payment_intent.payment_failed``."""
        with self.lock:
            intent = self.intents[intent_id]
            self._fail(intent, decline_code)
            return self.event("payment_intent.payment_failed", intent)

    def settle_refund(self, refund_id: str, status: str = "succeeded") -> list[dict]:
        """A pending refund settles: ``refund.updated`` and, on success, ``charge.refunded``."""
        with self.lock:
            refund = self.refunds[refund_id]
            refund["status"] = status
            out = [self.event("refund.updated", refund)]
            if status == "succeeded":
                out.append(self.event("charge.refunded", self._charge(self.intents[refund["payment_intent"]])))
            return out

    # -- the model ------------------------------------------------------------------
    def _payment_method(self, intent: dict) -> dict | None:
        if not intent.get("_pm_type"):
            return None
        return {
            "id": intent["payment_method"],
            "object": "payment_method",
            "type": intent["_pm_type"],
            "livemode": False,
        }

    def _succeed(self, intent: dict, method_type: str) -> None:
        intent["status"] = "succeeded"
        intent["amount_received"] = intent["amount"]
        intent["payment_method"] = self.new_id("pm")
        intent["_pm_type"] = method_type
        intent["latest_charge"] = self.new_id("ch")
        intent["last_payment_error"] = None

    def _fail(self, intent: dict, decline_code: str) -> dict:
        error = {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": decline_code,
            "message": "Your card was declined.",
            "payment_intent": {"id": intent["id"]},
        }
        intent["status"] = "requires_payment_method"
        intent["last_payment_error"] = {k: v for k, v in error.items() if k != "payment_intent"}
        return error

    def _charge(self, intent: dict) -> dict:
        refunded = sum(
            r["amount"]
            for r in self.refunds.values()
            if r["payment_intent"] == intent["id"] and r["status"] == "succeeded"
        )
        return {
            "id": intent["latest_charge"],
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount_received"],
            "amount_refunded": refunded,
            "currency": intent["currency"],
            "paid": True,
            "refunded": refunded == intent["amount_received"],
            "payment_intent": intent["id"],
            "payment_method_details": {"type": intent["_pm_type"]},
            "metadata": dict(intent["metadata"]),
            "livemode": False,
        }

    def public(self, intent: dict, expand: list[str]) -> dict:
        out = {k: v for k, v in intent.items() if not k.startswith("_")}
        if "payment_method" in expand:
            out["payment_method"] = self._payment_method(intent)
        if "latest_charge" in expand and intent.get("latest_charge"):
            out["latest_charge"] = self._charge(intent)
        return out

    # -- endpoints ------------------------------------------------------------------
    def handle(self, method: str, path: str, params: dict, headers: dict) -> tuple[int, dict]:
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, _error("invalid_request_error", "Invalid API Key provided.", code="api_key_invalid")
        expand = [v for k, v in params.items() if k.startswith("expand[")]
        if method == "POST" and path == "/v1/payment_intents":
            return self.create_intent(params)
        if m := re.fullmatch(r"/v1/payment_intents/(pi_\w+)", path):
            intent = self.intents.get(m[1])
            if intent is None:
                return 404, _missing("payment_intent", m[1])
            return 200, self.public(intent, expand)
        if m := re.fullmatch(r"/v1/payment_intents/(pi_\w+)/cancel", path):
            return self.cancel_intent(m[1], params)
        if m := re.fullmatch(r"/v1/payment_intents/(pi_\w+)/confirm", path):
            return self.confirm_intent(m[1], params)
        if method == "POST" and path == "/v1/refunds":
            return self.create_refund(params)
        if method == "GET" and path == "/v1/refunds":
            data = [r for r in self.refunds.values() if r["payment_intent"] == params.get("payment_intent")]
            return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}
        if m := re.fullmatch(r"/v1/refunds/(re_\w+)", path):
            refund = self.refunds.get(m[1])
            return (200, refund) if refund else (404, _missing("refund", m[1]))
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    def create_intent(self, params: dict) -> tuple[int, dict]:
        for name in ("amount", "currency"):
            if name not in params:
                return 400, _error("invalid_request_error", f"Missing required param: {name}.", param=name)
        if not params["amount"].isdigit():
            return 400, _error("invalid_request_error", "Invalid integer: " + params["amount"], param="amount")
        intent_id = self.new_id("pi")
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "amount_received": 0,
            "currency": params["currency"],
            "status": "requires_payment_method",
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(8)}",
            "created": int(time.time()),
            "description": params.get("description"),
            "metadata": {k[len("metadata[") : -1]: v for k, v in params.items() if k.startswith("metadata[")},
            "payment_method_types": [v for k, v in sorted(params.items()) if k.startswith("payment_method_types[")],
            "payment_method": None,
            "latest_charge": None,
            "last_payment_error": None,
            "livemode": False,
            "_pm_type": None,
        }
        self.intents[intent_id] = intent
        return 200, self.public(intent, [])

    def confirm_intent(self, intent_id: str, params: dict) -> tuple[int, dict]:
        intent = self.intents.get(intent_id)
        if intent is None:
            return 404, _missing("payment_intent", intent_id)
        pm = params.get("payment_method", "")
        if pm not in PAYMENT_METHODS:
            return 400, _error("invalid_request_error", f"No such PaymentMethod: '{pm}'", code="resource_missing")
        method_type, decline_code = PAYMENT_METHODS[pm]
        if decline_code:
            error = self._fail(intent, decline_code)
            error["payment_intent"] = self.public(intent, [])
            self.event("payment_intent.payment_failed", intent)
            return 402, {"error": error}
        self._succeed(intent, method_type)
        self.event("payment_intent.succeeded", intent)
        return 200, self.public(intent, [])

    def cancel_intent(self, intent_id: str, params: dict) -> tuple[int, dict]:
        intent = self.intents.get(intent_id)
        if intent is None:
            return 404, _missing("payment_intent", intent_id)
        if intent["status"] in ("succeeded", "canceled"):
            return 400, _error(
                "invalid_request_error",
                f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}.",
                code="payment_intent_unexpected_state",
            )
        intent["status"] = "canceled"
        intent["cancellation_reason"] = params.get("cancellation_reason")
        self.event("payment_intent.canceled", intent)
        return 200, self.public(intent, [])

    def create_refund(self, params: dict) -> tuple[int, dict]:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None:
            return 404, _missing("payment_intent", params.get("payment_intent", ""))
        if intent["status"] != "succeeded":
            return 400, _error(
                "invalid_request_error",
                "This PaymentIntent does not have a successful charge to refund.",
                code="charge_not_found",
            )
        already = sum(
            r["amount"]
            for r in self.refunds.values()
            if r["payment_intent"] == intent["id"] and r["status"] in ("pending", "succeeded")
        )
        amount = int(params.get("amount", intent["amount_received"] - already))
        if amount > intent["amount_received"] - already:
            return 400, _error(
                "invalid_request_error",
                f"Refund amount ({amount}) is greater than unrefunded amount on charge.",
                code="amount_too_large",
                param="amount",
            )
        refund = {
            "id": self.new_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "charge": intent["latest_charge"],
            "payment_intent": intent["id"],
            "reason": params.get("reason"),
            "status": "pending",
            "created": int(time.time()),
            "metadata": {k[len("metadata[") : -1]: v for k, v in params.items() if k.startswith("metadata[")},
        }
        self.refunds[refund["id"]] = refund
        self.event("refund.created", refund)
        return 200, refund


def _error(type_: str, message: str, **extra) -> dict:
    return {"error": {"type": type_, "message": message, **extra}}


def _missing(kind: str, ident: str) -> dict:
    return _error("invalid_request_error", f"No such {kind}: '{ident}'", code="resource_missing", param="id")


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeStripe/1"
    fake: FakeStripe

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _serve(self, method: str) -> None:
        fake = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        params = dict(parse_qsl(body if method == "POST" else parts.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        with fake.lock:
            fake.requests.append(RecordedRequest(method, parts.path, params, headers))
            if fake.failures:
                status, answer = fake.failures.pop(0), _error("api_error", "Something went wrong on Stripe's end.")
            else:
                key = headers.get("idempotency-key") if method == "POST" else None
                if key and key in fake.idempotent:
                    first_params, status, answer = fake.idempotent[key]
                    if first_params != params:
                        status, answer = (
                            400,
                            _error(
                                "idempotency_error",
                                "Keys for idempotent requests can only be used with the same parameters "
                                "they were first used with.",
                            ),
                        )
                else:
                    status, answer = fake.handle(method, parts.path, params, headers)
                    if key:
                        fake.idempotent[key] = (params, status, answer)
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Request-Id", "req_" + secrets.token_hex(7))
        if key := headers.get("idempotency-key"):
            self.send_header("Idempotency-Key", key)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")


class FakeStripeServer(LocalFakeServer[FakeStripe]):
    """Start with ``with FakeStripeServer(api_key) as fake: ...``; ``fake.url`` is the base."""

    def __init__(self, api_key: str):
        super().__init__(FakeStripe(api_key=api_key), _Handler, thread_name="fake-stripe")
