"""Every public page on a phone, with the demo data, in one Chromium session: at 390×844
(anonymous; the order page through its secret link; the buyer's own pages signed in) and
the six most visited also at 1366×900, in Chinese and in English. A page fails when it scrolls sideways
(``scrollWidth > innerWidth``), when an <img> has no alt attribute, or when axe-core (npm,
installed by scripts/lib.sh ``ensure_npm_packages``) finds a serious or critical
violation; in English, when a text on it is a Chinese interface string of the catalogs (a
msgid: it was left untranslated), and in Chinese when one is an English translation (a
msgstr). Product data (titles, shops, places) stays as entered. Screenshots go to
``VAR_DIR/screenshots/public/`` for review. Last, the
reports' region chart as an administrator: every bar's label is drawn and sits beside its
own value, as the 数据表 beside the chart says."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import sync_playwright
from wagtail.models import Page

from attribution.models import LedgerEntry
from attribution.services import issue_access_code
from catalog.models import Category, Product
from certification.models import Certificate
from cms.models import ArticlePage
from core.models import User
from live.models import LiveEvent
from orders.models import Order, SubOrder
from procurement.models import Organisation
from producers.models import Household
from tests.conftest import require_service
from tests.i18n.test_catalogs import catalogs, entries

from .test_storefront_browser import CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.urls"),
]

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
MOST_VISITED = {"home", "list", "product", "cart", "checkout", "verify"}

# The page's width, the images without alt, and axe-core's serious and critical findings.
CHECK_PAGE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    imagesWithoutAlt: [...document.querySelectorAll("img:not([alt])")].map(img => img.src),
    violations: result.violations
      .filter(v => v.impact === "serious" || v.impact === "critical")
      .map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`),
  };
}"""

# Every text a person reads on the page: visible text nodes, and the labels of controls.
READ_TEXTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const parent = n.parentElement;
    if (text && parent && !parent.closest("script, style, noscript") && parent.getClientRects().length) out.push(text);
  }
  for (const el of document.querySelectorAll("[placeholder], [aria-label], input[type=submit][value]")) {
    for (const name of ["placeholder", "aria-label", "value"]) {
      if (el.getAttribute(name)) out.push(el.getAttribute(name).trim());
    }
  }
  out.push(document.title.trim());
  return out;
}"""


def interface_strings() -> tuple[set[str], set[str], list[str]]:
    """The catalogs' Chinese source strings (whole), their English translations (those that
    differ from the source and read as words), and the longer source strings without
    placeholders, which must not appear even inside a longer text."""
    msgids, msgstrs, long_ids = set(), set(), []
    for po in catalogs():
        for entry in entries(po):
            msgid = entry["msgid"]
            if not msgid:
                continue
            fixed = "%(" not in msgid and "%s" not in msgid and "{" not in msgid
            if fixed:
                msgids.add(msgid.strip())
                if len(msgid) >= 6:
                    long_ids.append(msgid.strip())
            for msgstr in entry["msgstr"]:
                if msgstr and msgstr != msgid and "%(" not in msgstr and sum(c.isalpha() for c in msgstr) >= 4:
                    msgstrs.add(msgstr.strip())
    return msgids, msgstrs, long_ids


def wrong_language(texts: list[str], english: bool, strings, content: set[str]) -> list[str]:
    """The texts in the wrong language, leaving out content: the Wagtail pages' titles, which
    editors write (like product data, they stay as entered)."""
    msgids, msgstrs, long_ids = strings
    texts = [t for t in texts if t not in content]
    if english:
        found = {t for t in texts if t in msgids}
        found |= {i for i in long_ids for t in texts if i in t}
    else:
        found = {t for t in texts if t in msgstrs}
    return sorted(found)


# The region chart as ECharts holds it, and the labels it drew (SVG renderer of the print view).
READ_CHART = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById("chart-regions"));
  const option = chart.getOption();
  const drawn = [...document.querySelectorAll("#chart-regions text")].map(t => t.textContent);
  return {
    names: option.yAxis[0].data,
    values: option.series[0].data,
    interval: option.yAxis[0].axisLabel.interval,
    drawn: drawn,
    table: [...document.querySelectorAll('table[data-chart-table="regions"] tbody tr')].map(
      tr => [...tr.children].map(cell => cell.textContent.trim())),
  };
}"""


def demo_world() -> dict:
    """The demo (load_demo --seed 1) and the addresses of its public pages."""
    call_command("load_demo", "--seed", "1", stdout=io.StringIO())
    product = Product.objects.filter(certificates__isnull=False).order_by("pk").first()
    household = Household.objects.get(pk=LedgerEntry.objects.filter(household__isnull=False).values("household")[:1])
    code = issue_access_code(household, by=User.objects.get(username="admin"))
    return {
        "product": product.get_absolute_url(),
        "category": f"/products/category/{Category.objects.filter(parent__isnull=True).order_by('pk')[0].slug}/",
        "certificate": Certificate.objects.order_by("pk").first().number,
        "order": f"/orders/o/{Order.objects.order_by('pk').first().token}/",
        "live": LiveEvent.objects.order_by("pk").first().code,
        "story": ArticlePage.objects.live().order_by("path").first().url,
        "household": (household.registration_number, code),
        "page_titles": set(Page.objects.live().values_list("title", flat=True)),
    }


def test_every_public_page_fits_a_phone_and_passes_axe(chromium_path, live_server):
    require_service(AXE.exists(), f"{AXE} is missing: run scripts/test.sh (ensure_npm_packages installs axe-core)")
    w = demo_world()
    base = live_server.url
    shots = settings.VAR_DIR / "screenshots" / "public"
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    seen: list[str] = []

    def check(page, name: str, url: str | None = None) -> None:
        if url is not None:
            response = page.goto(base + url)
            assert response.status < 400, f"{name}: {url} answered {response.status}"
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(CHECK_PAGE)
        width = page.viewport_size["width"]
        where = f"{name} at {width} px ({page.url.removeprefix(base)})"
        if found["scrollWidth"] > found["innerWidth"]:
            problems.append(f"{where}: {found['scrollWidth']} px wide, wider than {found['innerWidth']}")
        problems.extend(f"{where}: <img> without alt: {src}" for src in found["imagesWithoutAlt"])
        problems.extend(f"{where}: {violation}" for violation in found["violations"])
        # The whole page in one viewport, so that the phone's fixed bottom bar sits at the bottom.
        viewport = page.viewport_size
        page.set_viewport_size({"width": width, "height": page.evaluate("document.documentElement.scrollHeight")})
        page.screenshot(path=shots / f"{name.replace(' ', '-')}-{width}.png")
        page.set_viewport_size(viewport)
        seen.append(f"{name}@{width}")

    unit = Organisation.objects.get(name="单县机关事务服务中心").pk  # the demo budget unit
    # Its order on terms: shipped, waiting for the purchaser's acceptance (验收).
    to_accept = SubOrder.objects.filter(order__organisation_link__organisation_id=unit, status="shipped").first().pk
    # No ORM calls inside (see test_storefront_browser.chromium_page). The site's CSP allows
    # no inline script: the context bypasses it so that axe can be injected.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        page = browser.new_context(locale="zh-CN", viewport=PHONE, bypass_csp=True).new_page()
        for name, url in [
            ("home", "/"),
            ("list", "/products/"),
            ("category", w["category"]),
            ("product", w["product"]),
            ("search", "/search/?q=山药"),
            ("live index", "/live/"),
            ("live event", f"/live/{w['live']}/"),
            ("stories", "/stories/"),
            ("story", w["story"]),
            ("catalogue", "/catalogue/"),
            ("verify form", "/verify/"),
            ("verify", f"/verify/{w['certificate']}/"),
            ("statement lookup", "/statement/"),
            ("sign in", "/accounts/login/"),
            ("sign in by code", "/accounts/login/sms/"),
            ("register", "/accounts/register/"),
            ("order", w["order"]),
        ]:
            check(page, name, url)

        # The household reads its own statement.
        registration_number, access_code = w["household"]
        page.goto(base + "/statement/")
        page.fill("#id_registration_number", registration_number)
        page.fill("#id_access_code", access_code)
        page.click("form.lookup-form button[type=submit]")
        page.wait_for_url("**/statement/mine/")
        check(page, "statement")

        # A box in the cart, then the cart and the checkout.
        page.goto(base + w["product"])
        page.click("form.add-to-cart button[type=submit]")
        page.wait_for_load_state()
        check(page, "cart", "/cart/")
        check(page, "checkout", "/checkout/")

        # The six most visited pages on a desktop screen.
        page.set_viewport_size(DESKTOP)
        for name, url in [
            ("home", "/"),
            ("list", "/products/"),
            ("product", w["product"]),
            ("cart", "/cart/"),
            ("checkout", "/checkout/"),
            ("verify", f"/verify/{w['certificate']}/"),
        ]:
            check(page, name, url)

        # The same six in English (the language switch's cookie), and again in Chinese: no
        # interface string in the other language.
        strings = interface_strings()
        content = w["page_titles"]
        for language in ("en", "zh-hans"):
            page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
            for name, url in [
                ("home", "/"),
                ("list", "/products/"),
                ("product", w["product"]),
                ("cart", "/cart/"),
                ("checkout", "/checkout/"),
                ("verify", f"/verify/{w['certificate']}/"),
            ]:
                response = page.goto(base + url)
                assert response.status < 400, f"{name} in {language}: {url} answered {response.status}"
                assert page.evaluate("document.documentElement.lang") == language
                for text in wrong_language(page.evaluate(READ_TEXTS), language == "en", strings, content):
                    problems.append(f"{name} in {language}: {text!r} is in the other language")
                if language == "en":
                    check(page, f"{name} en")

        # Signed in as the demo buyer, on a phone: their orders and address book.
        page.set_viewport_size(PHONE)
        page.goto(base + "/accounts/login/")
        page.fill("#id_username", "buyer")
        page.fill("#id_password", "demo-buyer")
        page.click("form.auth-form button[type=submit]")
        page.wait_for_load_state()
        check(page, "my orders", "/orders/")
        check(page, "address book", "/orders/addresses/")

        def sign_in_anew(username: str) -> None:
            page.context.clear_cookies()
            page.goto(base + "/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", f"demo-{username}")
            page.click("form.auth-form button[type=submit]")
            page.wait_for_load_state()

        # Signed in as the demo budget unit's administrator: the organisation's pages.
        sign_in_anew("unit-buyer")
        for name, url in [
            ("my organisations", "/org/"),
            ("organisation", f"/org/{unit}/"),
            ("members", f"/org/{unit}/members/"),
            ("reserved share", f"/org/{unit}/quota/"),
            ("organisation details", f"/org/{unit}/settings/"),
            ("bulk order", f"/org/{unit}/bulk/"),
            ("to accept", f"/org/{unit}/acceptance/"),
            ("acceptance", f"/org/{unit}/acceptance/{to_accept}/"),
            ("statements", f"/org/{unit}/statements/"),
        ]:
            check(page, name, url)
        # ... and as its approver: the order waiting for approval.
        sign_in_anew("unit-approver")
        check(page, "approvals", f"/org/{unit}/approvals/")

        # The reports' region chart (printable view, SVG): each township's name is drawn,
        # beside its own value, and the 数据表 beside the chart pairs them the same way.
        page.set_viewport_size(DESKTOP)
        page.context.clear_cookies()
        page.goto(base + "/admin/login/")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", "demo-admin")
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/")
        page.goto(base + "/admin/reports/print/?period=year&region=371722")
        page.wait_for_function("() => document.querySelectorAll('#chart-regions text').length > 0")
        chart = page.evaluate(READ_CHART)
        browser.close()

    assert not problems, "\n".join(problems)
    assert {f"{name}@1366" for name in MOST_VISITED} <= set(seen) and len(seen) == 20 + 6 + 6 + 2 + 10

    # The chart: the 数据表 lists the bars top down (ECharts draws the category axis bottom up).
    assert chart["interval"] == 0
    bars = list(zip(reversed(chart["names"]), reversed(chart["values"]), strict=True))
    assert len(bars) >= 10 and "黄岗镇" in chart["names"]
    assert [(name, value.replace("¥", "").replace(",", "")) for name, value in chart["table"]] == bars
    drawn = chart["drawn"]
    for name, value in bars:  # every bar labelled (none skipped) and carrying its own value
        assert name in drawn, name
        assert f"¥{Decimal(value):,.2f}" in drawn, (name, value)
