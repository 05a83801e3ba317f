"""The Content-Security-Policy each kind of page sends: the storefront's strict one, the
payment page's (Stripe.js allowed there and nowhere else), a live event's (its player's
origin framed while on air), the Wagtail admin's own, and a page preview the admin may
frame. tests/browser/test_csp_browser.py checks in Chromium that pages work under them."""

import base64
import datetime as dt
import hashlib
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cms.setup import ensure_live_page, ensure_storefront_pages
from core.roles import Role
from orders.models import PaymentMethod
from tests.factories import LiveEventFactory, ProductFactory, UserFactory, place_order_for
from tests.payments.fake_stripe import FakeStripeServer

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "img-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in {header}"
        directives[name] = sources
    return directives


def assert_strict(response) -> None:
    directives = policy(response)
    for name, sources in STRICT.items():
        assert directives[name] == sources, (response.request["PATH_INFO"], name, directives[name])
    # The one inline style allowed is 500.html's own block, by hash: no 'unsafe-inline'.
    assert directives["style-src"][0] == "'self'" and all(s.startswith("'sha256-") for s in directives["style-src"][1:])
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header and "stripe" not in header


@pytest.fixture
def storefront(db):
    ensure_storefront_pages()
    ensure_live_page()
    return ProductFactory(title="菏泽铁棍山药", price_fen=3880, stock=9)


def test_storefront_pages_send_the_strict_policy(client, storefront):
    product = storefront
    order = place_order_for([(product, 1)])
    event = LiveEventFactory(title="朱楼村山药直播")
    urls = [
        "/",
        "/products/",
        product.get_absolute_url(),
        "/search/?q=山药",
        reverse("orders:cart"),
        "/live/",
        event.get_absolute_url(),
        reverse("orders:by_token", args=[order.token]),
        "/catalogue/",
        "/statement/",
        "/no-such-page/",
    ]
    client.post(reverse("orders:cart_add"), {"product_id": product.pk, "quantity": 1})
    urls.append(reverse("orders:checkout"))
    for url in urls:
        response = client.get(url)
        assert response.status_code == (404 if url == "/no-such-page/" else 200), url
        assert_strict(response)


def test_the_500_page_style_block_is_the_one_inline_style_the_policy_allows():
    """500.html renders without static files, so it carries its style inline; the policy
    names that block by its hash. Editing the block without the hash would unstyle it."""
    html = (settings.BASE_DIR / "templates" / "500.html").read_text(encoding="utf-8")
    [block] = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"] == ["'self'", f"'sha256-{digest}'"]


def test_only_the_payment_page_allows_stripe(client, settings, storefront):
    order = place_order_for([(storefront, 2)], method=PaymentMethod.CARD)
    with FakeStripeServer("sk_test_local_0123456789") as fake:
        settings.STRIPE_SECRET_KEY = "sk_test_local_0123456789"
        settings.STRIPE_PUBLISHABLE_KEY = "pk_test_local_0123456789"
        settings.STRIPE_WEBHOOK_SECRET = "whsec_local_0123456789abcdef"
        settings.STRIPE_API_BASE = fake.url
        response = client.get(reverse("payments:stripe_pay", args=[order.token]))

    assert response.status_code == 200
    directives = policy(response)
    assert directives["script-src"] == ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"]
    assert directives["frame-src"] == ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"]
    assert directives["connect-src"] == ["'self'", "https://api.stripe.com"]
    for name in ("default-src", "img-src", "object-src", "base-uri", "form-action", "frame-ancestors"):
        assert directives[name] == STRICT[name], name
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    # The order's own page and the page Stripe returns the buyer to load no Stripe.js.
    assert_strict(client.get(reverse("orders:by_token", args=[order.token])))
    assert_strict(client.get(reverse("payments:stripe_return", args=[order.token])))


@pytest.mark.parametrize(
    ("platform", "embed_url", "frame_src"),
    [
        ("own", "https://player.example.cn:8443/embed/42?autoplay=1", ["https://player.example.cn:8443"]),
        ("own", "", ["'none'"]),  # no player: nothing to frame
        ("douyin", "https://player.example.cn/embed/42", ["'none'"]),  # a link to Douyin's room
    ],
)
def test_a_live_event_frames_its_player_origin_only_while_on_air(client, storefront, platform, embed_url, frame_src):
    now = timezone.now()
    on_air = LiveEventFactory(
        platform=platform,
        embed_url=embed_url,
        external_url="https://live.douyin.com/778899",
        scheduled_start=now - dt.timedelta(minutes=30),
        scheduled_end=now + dt.timedelta(hours=1),
    )
    upcoming = LiveEventFactory(platform="own", embed_url="https://player.example.cn/embed/43")

    response = client.get(on_air.get_absolute_url())
    assert policy(response)["frame-src"] == frame_src
    assert (f'<iframe src="{embed_url}"' in response.content.decode()) == (frame_src != ["'none'"])
    assert {k: v for k, v in policy(response).items() if k != "frame-src"} == {
        k: v for k, v in policy(client.get("/")).items() if k != "frame-src"
    }
    assert_strict(client.get(upcoming.get_absolute_url()))  # before the stream: no player, no frame


def test_the_admin_has_its_own_policy(client, role_groups, storefront):
    admin = UserFactory(username="root", roles=[Role.PLATFORM_ADMIN])
    anonymous = policy(client.get("/admin/login/"))
    client.force_login(admin)
    response = client.get(reverse("orders_admin:orders"))
    assert response.status_code == 200
    directives = policy(response)
    assert directives == anonymous
    assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["img-src"] == ["'self'", "blob:"]
    assert directives["frame-src"] == ["'self'"] and directives["object-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'self'"]
    for name in ("default-src", "connect-src", "base-uri", "form-action"):
        assert directives[name] == STRICT[name], name
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    # Signed in to the admin, the storefront is still the storefront.
    assert_strict(client.get("/"))


def test_a_page_preview_keeps_the_storefront_policy_and_may_be_framed_by_the_admin(storefront):
    from wagtail.models import Page

    home = Page.objects.get(depth=2).specific
    response = home.make_preview_request()
    assert response.status_code == 200
    directives = policy(response)
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["frame-src"] == ["'none'"]
