"""The one payment-provider interface.

Two levels:

* ``PaymentProvider`` — what the rest of the marketplace asks of *any* provider, Stripe
  included: start paying an order (``start``), read its payment back and book it if the
  provider says it is paid (``sync``), cancel an open payment (``cancel``), send order
  lines' money back (``refund``), and take a notification (``handle_notification``).
  The checkout, the order page, after-sales, the admin's 原路退款 form and the
  reconciliation tasks call only these, through ``payments.providers.provider_for``.

* ``DirectClient`` — the wire-level calls of a provider the platform contracts with
  directly (WeChat Pay API v3, Alipay open platform): create a trade, query it, close it,
  refund, query a refund, verify and parse a notification, download a day's bill. Each
  is written against the provider's own library; ``payments.direct`` turns their answers
  into bookings with the same guarantees as the Stripe path (only a verified notification
  or a query signed with the merchant's keys marks an order paid; idempotent on the
  provider's transaction id; amount and currency checked; the order's row locks first).

Amounts are integer fen everywhere here; a client converts to its provider's unit.
"""

from __future__ import annotations

import datetime as dt
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from orders.models import Order
    from payments.models import DirectRefund, DirectTrade, Refund


class LibraryClients:
    """A provider library's client objects, one per process and configuration: built on
    first use by ``build(*key)`` (construction parses the PEM keys), then shared by threads
    (the clients keep no per-call state). ``key`` is the settings the client is built from,
    so changed settings get a new client; at most ``keep`` are kept (settings changed again
    and again, as in tests: the older ones are dropped). A ``build`` that raises caches
    nothing."""

    def __init__(self, keep: int = 8):
        self._clients: dict[tuple, object] = {}
        self._lock = threading.Lock()
        self._keep = keep

    def get(self, key: tuple, build: Callable[..., object]):
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = build(*key)
                if len(self._clients) >= self._keep:
                    self._clients.clear()
                self._clients[key] = client
            return client


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered with a server error: worth trying
    again later. Nothing was booked."""


class ProviderRefused(Exception):
    """The provider refused the request (a business error: order already paid or closed,
    more refunded than paid, a bad parameter). The message says why, for a person."""


class NotificationRefused(Exception):
    """A notification failed verification (signature, certificate serial, decryption,
    timestamp, our merchant or app id): it is answered with an error and stored nowhere."""


# --- what a direct client answers -------------------------------------------------------------------------------------


class TradeStatus:
    PENDING = "pending"  # created, not paid (WeChat NOTPAY / USERPAYING, Alipay WAIT_BUYER_PAY)
    PAID = "paid"  # money taken (WeChat SUCCESS, or REFUND: paid then refunded; Alipay TRADE_SUCCESS / FINISHED)
    CLOSED = "closed"  # closed unpaid (WeChat CLOSED / REVOKED / PAYERROR; Alipay TRADE_CLOSED never paid)
    UNKNOWN = "unknown"  # the provider has no such trade


class RefundStatus:
    PENDING = "pending"  # accepted, money on its way (WeChat PROCESSING)
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # WeChat CLOSED / ABNORMAL; Alipay: refused


@dataclass(frozen=True)
class Checkout:
    """How the buyer pays a created trade: follow ``redirect_url`` (H5, Alipay page and
    WAP pay, Stripe's payment page) or scan ``qr_text`` (WeChat Native on a desktop)."""

    flavour: str
    redirect_url: str = ""
    qr_text: str = ""


@dataclass(frozen=True)
class TradeState:
    """A trade as the provider reports it (a query, or a verified notification)."""

    out_trade_no: str
    status: str  # TradeStatus
    transaction_id: str = ""
    amount_fen: int | None = None
    currency: str = "CNY"
    at: dt.datetime | None = None  # when the provider says it was paid (zone-aware)


@dataclass(frozen=True)
class RefundState:
    out_refund_no: str
    status: str  # RefundStatus
    provider_refund_id: str = ""
    amount_fen: int | None = None
    at: dt.datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class Notice:
    """A verified notification: about a trade, a refund, or both (Alipay's trade
    notifications also carry a refund's outcome). ``event_id`` is the provider's id of the
    notification (WeChat's envelope id, Alipay's notify_id), ``payload`` its verified
    (for WeChat: decrypted) content, kept with it."""

    event_id: str
    trade: TradeState | None = None
    refund: RefundState | None = None
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BillLine:
    """One transaction of a provider's daily bill (对账单)."""

    kind: str  # "payment" | "refund"
    transaction_id: str  # the provider's trade id
    out_trade_no: str
    amount_fen: int  # positive for both kinds
    at: dt.datetime | None = None
    out_refund_no: str = ""
    provider_refund_id: str = ""


class DirectClient(ABC):
    """The wire-level calls of one directly contracted provider, through its library.

    ``code`` is the provider's name (``Provider`` value, equal to the ``PaymentMethod``
    it takes: "wechat_pay", "alipay"). ``flavours`` maps a device ("phone", "desktop") to
    the product used on it ("h5" / "native"; "wap" / "page")."""

    code: str
    flavours: dict[str, str]

    # Whether it is configured is ``payments.direct.configured`` (settings only, without
    # importing the provider's library); a client is made only when it is.

    @abstractmethod
    def create(self, trade: DirectTrade, *, description: str, client_ip: str, return_url: str) -> Checkout:
        """Create ``trade`` (its ``out_trade_no``, ``amount_fen``, ``flavour``) at the
        provider. Raises ``ProviderUnavailable`` / ``ProviderRefused``."""

    @abstractmethod
    def query(self, out_trade_no: str) -> TradeState:
        """Read a trade back, with the merchant's keys (the answer's signature verified)."""

    @abstractmethod
    def close(self, out_trade_no: str) -> None:
        """Close an unpaid trade, so that a page left open cannot take money. Closing a
        trade the provider does not know is not an error."""

    @abstractmethod
    def refund(self, direct_refund: DirectRefund) -> RefundState:
        """Send ``direct_refund`` (its ``out_refund_no``, ``amount_fen``, and its trade's
        ``out_trade_no`` and ``amount_fen``). The same ``out_refund_no`` again is the same
        refund at the provider (idempotent)."""

    @abstractmethod
    def query_refund(self, direct_refund: DirectRefund) -> RefundState:
        """Read a refund back."""

    @abstractmethod
    def parse_notification(self, request: HttpRequest) -> Notice:
        """Verify and parse a notification request. Raises ``NotificationRefused``."""

    @abstractmethod
    def acknowledge(self, ok: bool, message: str = "") -> HttpResponse:
        """The answer the provider expects: taken (it stops retrying) or not (it retries)."""

    @abstractmethod
    def bill(self, day: dt.date) -> list[BillLine]:
        """The provider's bill of ``day`` (Asia/Shanghai), every payment and refund."""


class PaymentProvider(ABC):
    """What the marketplace asks of any provider (see the module docstring)."""

    code: str
    methods: tuple[str, ...]  # the PaymentMethod values it takes
    label: str  # how the admin names it ("Stripe", "微信支付", "支付宝")

    @abstractmethod
    def configured(self) -> bool: ...

    @abstractmethod
    def start(self, order: Order, *, device: str, request: HttpRequest) -> Checkout:
        """Begin paying ``order`` on ``device`` ("phone" or "desktop")."""

    @abstractmethod
    def sync(self, order: Order) -> bool:
        """Ask the provider about the order's open payment; book it if paid. True when
        the order is (now) paid."""

    @abstractmethod
    def cancel(self, order: Order) -> None:
        """Cancel the order's open payment at the provider (its order was cancelled)."""

    @abstractmethod
    def refund(self, order_id: int, *, lines: dict[int, int] | None, reason: str, by) -> Refund:
        """Start sending order lines' money back the way it came: a pending ``Refund``,
        confirmed when the provider says the money went back."""

    @abstractmethod
    def handle_notification(self, request: HttpRequest) -> HttpResponse:
        """Take one notification (webhook) request."""
