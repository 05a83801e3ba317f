"""In Debian's Chromium, with the Content-Security-Policy on, the pages work and the console
shows no violation: the home page, a product page, the cart and checkout (the region
selects fill themselves from the server), a live event's countdown and, on air, its player,
the payment page (Stripe.js is requested from js.stripe.com: the policy lets it through),
and in the Wagtail admin the page editor with its preview panel and a certification review
with PDF evidence. Each violation is caught twice: Chrome's own console message and a
``securitypolicyviolation`` listener in every frame; the first test proves the listener
catches one."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from reportlab.pdfgen import canvas
from wagtail.models import Page

from certification import services as certification
from certification.models import Evidence
from cms.setup import ensure_live_page, ensure_storefront_pages
from core.roles import Role
from producers.models import BenefitMode, Producer
from tests.factories import (
    LiveEventFactory,
    ProducerFactory,
    ProductFactory,
    ShopFactory,
    UserFactory,
    place_order_for,
    region_chain,
    valid_credit_code,
)
from tests.payments.fake_stripe import FakeStripeServer

from .test_buying_browser import admin_login
from .test_storefront_browser import chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]

LISTENER = """document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP-VIOLATION " + e.effectiveDirective + " " + e.blockedURI + " on " + e.documentURI);
});"""


def record_and_abort(requests: list[str]):
    """A route handler for an outside host (no network here): note the request, fail it."""

    def handle(route) -> None:
        requests.append(route.request.url)
        route.abort()

    return handle


INJECT_INLINE_SCRIPT = """() => {
  const s = document.createElement("script");
  s.textContent = "1";
  document.body.append(s);
}"""


class Violations:
    """Every CSP violation the page (and its frames) reports in the console."""

    def __init__(self, page):
        self.messages: list[str] = []
        page.context.add_init_script(LISTENER)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if message.text.startswith("CSP-VIOLATION") or "Content Security Policy" in message.text:
            self.messages.append(message.text)

    def take(self) -> list[str]:
        taken, self.messages = self.messages, []
        return taken


def test_storefront_pages_work_under_the_strict_policy(chromium_path, live_server):
    ensure_storefront_pages()
    ensure_live_page()
    chain = region_chain()
    yam = ProductFactory(shop=ShopFactory(region=chain[4]), title="铁棍山药", price_fen=3880, stock=20)
    now = timezone.now()
    upcoming = LiveEventFactory(title="山药直播预告", scheduled_start=now + dt.timedelta(hours=2))
    on_air = LiveEventFactory(
        title="山药直播进行中",
        platform="own",
        embed_url="https://player.example.cn/embed/42",
        scheduled_start=now - dt.timedelta(minutes=10),
        scheduled_end=now + dt.timedelta(hours=1),
    )
    base = live_server.url

    with chromium_page(chromium_path) as page:
        violations = Violations(page)
        player_requests = []
        # The player's host is not reachable from here; the request the policy let through is.
        page.route("https://player.example.cn/**", record_and_abort(player_requests))

        page.goto(base + "/")
        assert "铁棍山药" in page.locator("body").inner_text()
        # The listener works: an injected inline script is refused and reported.
        page.evaluate(INJECT_INLINE_SCRIPT)
        page.wait_for_timeout(200)
        assert any("script-src" in m for m in violations.take())

        # The search box's suggestions are fetched by search.js (connect-src).
        page.fill("#site-search", "山药")
        page.wait_for_selector(".search-suggest li", timeout=5000)

        page.goto(base + yam.get_absolute_url())
        assert page.locator("h1").inner_text().strip() == "铁棍山药"
        page.click("form.add-to-cart button")
        page.wait_for_load_state()
        page.click("a.cart-link")
        assert "¥38.80" in page.locator(".cart-total").inner_text()
        page.click("text=去结算")
        page.wait_for_url(re.compile(r".*/checkout/$"))
        page.select_option("#id_province", "37")
        page.wait_for_selector("#id_city option[value='3717']", state="attached")
        page.select_option("#id_city", "3717")
        page.wait_for_selector("#id_county option[value='371722']", state="attached")
        page.check("input[name=buyer_type][value=budget_unit]")
        assert page.locator(".institution-fields").is_visible()

        page.goto(base + upcoming.get_absolute_url())
        countdown = page.locator(".countdown")
        first = countdown.inner_text()
        page.wait_for_function("t => document.querySelector('.countdown').innerText !== t", arg=first, timeout=5000)
        assert "秒" in first and countdown.inner_text() != first  # countdown.js runs

        page.goto(base + on_air.get_absolute_url())
        page.wait_for_timeout(500)
        assert page.locator("iframe[src='https://player.example.cn/embed/42']").count() == 1
        assert player_requests == ["https://player.example.cn/embed/42"]

        assert violations.take() == []


def test_the_payment_page_requests_stripe_js_and_refuses_nothing(chromium_path, live_server, settings):
    ensure_storefront_pages()
    order = place_order_for([(ProductFactory(price_fen=3880), 1)], method="card")
    with FakeStripeServer("sk_test_local_0123456789") as fake:
        settings.STRIPE_SECRET_KEY = "sk_test_local_0123456789"
        settings.STRIPE_PUBLISHABLE_KEY = "pk_test_local_0123456789"
        settings.STRIPE_WEBHOOK_SECRET = "whsec_local_0123456789abcdef"
        settings.STRIPE_API_BASE = fake.url
        url = live_server.url + reverse("payments:stripe_pay", args=[order.token])

        with chromium_page(chromium_path) as page:
            violations = Violations(page)
            stripe_requests = []
            page.route("https://js.stripe.com/**", record_and_abort(stripe_requests))
            page.goto(url)
            page.wait_for_function("() => document.getElementById('payment-message').textContent !== ''")
            # stripe_pay.js read its json_script configuration and, without Stripe.js, says so.
            assert page.locator("#payment-message").inner_text() == "无法连接支付服务，请稍后重试。"
            assert stripe_requests == ["https://js.stripe.com/v3/"]
            assert violations.take() == []


def _pdf(text: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer)
    document.drawString(100, 750, text)
    document.save()
    return SimpleUploadedFile("带贫户名册.pdf", buffer.getvalue(), content_type="application/pdf")


def test_admin_page_editor_preview_and_pdf_evidence_work_under_the_admin_policy(chromium_path, live_server):
    ensure_storefront_pages()
    home = Page.objects.get(depth=2)
    # A superuser: page permissions are not what this test is about.
    UserFactory(username="root-admin", roles=[Role.PLATFORM_ADMIN], is_superuser=True)
    admin = UserFactory(username="platform", roles=[Role.PLATFORM_ADMIN])
    shop = ShopFactory(region=region_chain()[4])
    coop = ProducerFactory(
        shop=shop, kind=Producer.Kind.COOPERATIVE, credit_code=valid_credit_code("93371722MA3C4XWE1")
    )
    product = ProductFactory(shop=shop, producer=coop, certified=False)
    application = certification.create_application(
        product=product, producer=coop, benefit_modes=[BenefitMode.GUARANTEED_PURCHASE], households_count=2, by=admin
    )
    certification.add_evidence(application, _pdf("roster"), Evidence.Kind.ROSTER, by=admin)
    base = live_server.url

    with chromium_page(chromium_path) as page:
        violations = Violations(page)
        admin_login(page, base, "root-admin")
        page.goto(f"{base}/admin/pages/{home.pk}/edit/")
        page.wait_for_selector(".Draftail-Editor")  # the rich-text editor, with its injected styles
        page.click("[data-side-panel-toggle='preview']")
        preview = page.frame_locator("iframe[src*='/preview/']")
        preview.locator(".site-header").wait_for(timeout=15_000)  # the storefront's page, in the admin's frame
        assert "消费帮扶馆" in preview.locator(".site-header").inner_text()

        admin_login(page, base, "platform")
        page.goto(f"{base}/admin/certification/{application.pk}/")
        # The PDF is framed inside the <object> (Chrome's viewer): give it a few seconds.
        for _ in range(50):
            if any(frame.url.endswith("/file/") for frame in page.frames):
                break
            page.wait_for_timeout(200)
        assert any(frame.url.endswith("/file/") for frame in page.frames)

        assert violations.take() == []
