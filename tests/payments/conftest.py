"""Fixtures for the Stripe tests: the local Stripe endpoint, Stripe settings pointing at
it, locally signed webhook deliveries, and orders placed through the orders services."""

import hashlib
import hmac
import json
import time

import pytest
from django.urls import reverse

from orders.models import BuyerType, PaymentMethod
from orders.services import BuyerDetails, CheckoutLine, place_order
from tests.factories import ProductFactory, ShopFactory, ship_county

from .alipay_endpoint import alipay_endpoint  # noqa: F401 (the local Alipay gateway's fixture, for every file here)
from .fake_stripe import FakeStripeServer
from .wechat_endpoint import wechat_endpoint  # noqa: F401 (the local WeChat Pay API v3 endpoint's fixture)

SECRET_KEY = "sk_test_local_0123456789"
PUBLISHABLE_KEY = "pk_test_local_0123456789"
WEBHOOK_SECRET = "whsec_local_0123456789abcdef"
WEBHOOK_URL = "/payments/stripe/webhook/"


@pytest.fixture
def fake_stripe(settings):
    """The local Stripe endpoint, with the marketplace configured to use it."""
    with FakeStripeServer(SECRET_KEY) as fake:
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_WEBHOOK_TOLERANCE = 300
        yield fake


def stripe_signature(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header as Stripe computes it: ``t=<unix>,v1=<hex>`` where the
    hex is HMAC-SHA256 of ``"<t>.<payload>"`` keyed with the endpoint's signing secret.
    Written out here rather than borrowed from the library under test."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def deliver(client, event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None, header=None):
    """POST one event to the webhook as Stripe would."""
    payload = json.dumps(event, separators=(",", ":"))
    signature = header if header is not None else stripe_signature(payload, secret, timestamp)
    return client.post(WEBHOOK_URL, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


@pytest.fixture
def deliver_event(client, django_capture_on_commit_callbacks):
    """Deliver and run what the webhook queued after commit (Celery is eager in tests)."""

    def _deliver(event: dict, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return deliver(client, event, **kwargs)

    return _deliver


def place_stripe_order(*, method: str = PaymentMethod.CARD, quantities=(2, 1), prices=(5990, 1250)):
    """An order from two shops, placed through ``orders.services.place_order``."""
    county = ship_county()
    products = [ProductFactory(shop=ShopFactory(), price_fen=price, stock=10) for price in prices[: len(quantities)]]
    buyer = BuyerDetails(
        buyer_type=BuyerType.INDIVIDUAL,
        contact_name="李买家",
        email="buyer@example.cn",
        mobile="13800138000",
        ship_region=county,
        ship_detail="浮岗镇幸福路 8 号",
        recipient_name="李买家",
        recipient_mobile="13800138000",
    )
    lines = [CheckoutLine(p.pk, q, p.price_fen) for p, q in zip(products, quantities, strict=True)]
    return place_order(lines=lines, buyer=buyer, payment_method=method)


@pytest.fixture
def order(db):
    return place_stripe_order()


def pay_url(order) -> str:
    return reverse("payments:stripe_pay", args=[order.token])
