"""The Hypothesis walk: every URL pattern of the storefront, the JSON APIs, the Stripe webhook
(correctly signed) and the admin's own views and forms, requested as every role with
generated input; any 5xx (an exception escaping a view) fails the test.

The world is the demo marketplace (``load_demo``: every role, shops, orders in each state,
live events, pages). The URL list is read from the resolver, not written here, so a view
added later is walked without anyone remembering to add it:

- every pattern outside ``/admin/`` and ``/django-admin/``, with its path parameters drawn
  from the demo's real values (ids, order tokens, live codes, action words) and from
  hostile ones (bigint+1, ``²``, NUL, long text);
- every ``/admin/`` pattern whose view is the marketplace's own (a view function of one of
  our apps, or a Wagtail viewset over one of our models): the admin's forms;
- the storefront's Wagtail pages (every live page's URL);
- each requested by GET with a generated query string and by POST with a generated form
  whose keys are the names the project's views and forms read, and values from a strategy
  of the inputs that used to crash (``Infinity``, 30-digit amounts, ``²``, NUL, dates that
  do not exist, ``//evil.example``);
- the viewer-metrics API (a valid token) and the reports API (a valid token), and the Stripe
  webhook with signed bodies of any JSON shape and nesting 10,000 deep.

Each (role, URL) gets ``EXAMPLES`` generated requests (a Hypothesis ``@given`` per pattern,
no example database, no deadline), so the walk is bounded: about two minutes on CI."""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import json
import re
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import Page

from core.errors import DomainError
from core.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.walk]

ROOT = Path(__file__).resolve().parents[2]
OUR_APPS = (
    "core", "producers", "catalog", "traceability", "certification", "live", "orders", "payments", "invoices",
    "procurement", "sales_channels", "attribution", "live_results", "reports", "search", "cms", "demo", "marketplace",
)  # fmt: skip
OUR_LABELS = {"accounts", *OUR_APPS}
ROLES = ("anonymous", "buyer", "operator-a", "officer-shanxian", "officer-heze", "admin")
EXAMPLES = 5
WEBHOOK_SECRET = "whsec_walk_0123456789"

# --- what to send ---------------------------------------------------------------------------------------------

HOSTILE = [
    "",
    "0",
    "-1",
    "²",
    "٣",
    "1_000",
    " 7 ",
    "9223372036854775807",
    "9223372036854775808",
    "9" * 30,
    "Infinity",
    "-Infinity",
    "NaN",
    "1e30",
    "12.345",
    "0.001",
    "¥1,000.00",
    "2026-02-30",
    "2026-12-06",
    "0000-00-00",
    "99999-01-01",
    "a\x00b",
    "\x00",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "/admin/\r\nX: y",
    "../../etc/passwd",
    "<script>x</script>",
    "' OR 1=1 --",
    "山药" * 300,
    "true",
    "[]",
    "{}",
]


READ_KEY = re.compile(r"""(?:GET|POST)(?:\.get|\.getlist)?[\(\[]\s*f?["']([a-z_0-9{}.]+)["']""")
FORM_FIELD = re.compile(r"^\s+(\w+)\s*=\s*(?:forms\.\w+|\w*Field)\(", re.M)


def _names_in(text: str, *, fields: bool) -> set[str]:
    names = {n for n in READ_KEY.findall(text) if "{" not in n}
    if fields:
        names.update(FORM_FIELD.findall(text))
    return names


def _names_read_by_views() -> list[str]:
    """Every query / form key the project's code reads: request.GET/POST keys and form
    field names, read from the source."""
    names = set()
    for app in OUR_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            names |= _names_in(path.read_text(encoding="utf-8"), fields="forms" in path.name or "views" in path.name)
    names.update({"page", "p", "next", "back", "csrfmiddlewaretoken", "action"})
    return sorted(names)


NAMES = _names_read_by_views()


def names_near(callback) -> list[str]:
    """The keys the view's own app reads (its views and forms modules): drawn half the time,
    so a view's own fields get the hostile values often, not one time in eighty."""
    module = getattr(callback, "__module__", "") or ""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        module = view_class.__module__
    app = module.split(".")[0]
    return _names_of_app(app) if app in OUR_APPS else []


@functools.cache
def _names_of_app(app: str) -> list[str]:
    """Read once per app, not once per route and role."""
    names = set()
    for path in (ROOT / app).glob("*.py"):
        if "view" in path.name or "form" in path.name or path.name in ("api.py", "live_links.py", "webhooks.py"):
            names |= _names_in(path.read_text(encoding="utf-8"), fields=True)
    return sorted(names)


def values(pool: list[str]):
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from(pool or ["1"]),
        st.integers(min_value=-(2**64), max_value=2**64).map(str),
        st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
        st.text(max_size=40),
    )


def query(pool, near: list[str] = ()):
    keys = st.sampled_from(NAMES) if not near else st.one_of(st.sampled_from(near), st.sampled_from(NAMES))
    return st.dictionaries(keys, values(pool), max_size=6)


# --- the URLs -------------------------------------------------------------------------------------------------


def _ours(callback) -> bool:
    module = getattr(callback, "__module__", "") or ""
    if module.split(".")[0] in OUR_APPS:
        return True
    view_class = getattr(callback, "view_class", None)
    if view_class is not None and view_class.__module__.split(".")[0] in OUR_APPS:
        return True
    model = (getattr(callback, "view_initkwargs", None) or {}).get("model")
    if isinstance(model, str):  # "app_label.Model"
        return model.split(".")[0].lower() in OUR_LABELS
    return model is not None and model._meta.app_label in OUR_LABELS


def url_patterns():
    """(route with <converter:name> placeholders, view) for every walked pattern."""
    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                if route.startswith(("django-admin/", "^")) or "(" in route:
                    continue  # Django's admin (unused by people) and Wagtail's catch-all page serving
                if route.startswith("admin/") and not _ours(entry.callback):
                    continue
                found.append((route.lstrip("^").rstrip("$"), entry.callback))

    walk(get_resolver().url_patterns, "")
    return sorted(dict(found).items())


PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")


def path_params(route: str, pool: dict[str, list[str]]):
    """A strategy of concrete paths for ``route``: real values where the name says what it
    is, hostile and random ones otherwise."""
    parts = PLACEHOLDER.split(route)
    pieces = []
    for i in range(0, len(parts), 3):
        pieces.append(st.just(parts[i]))
        if i + 2 < len(parts):
            converter, name = parts[i + 1] or "str", parts[i + 2]
            if converter == "int":
                pieces.append(
                    st.one_of(
                        st.sampled_from(pool["ids"]),
                        st.integers(0, 2**70).map(str),
                    )
                )
            else:
                real = pool.get(name) or pool["words"]
                random_text = st.text(
                    st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"), min_size=1, max_size=30
                )
                pieces.append(st.one_of(st.sampled_from(real), st.sampled_from(pool["words"]), random_text))
    return st.tuples(*pieces).map("".join)


# --- the world ------------------------------------------------------------------------------------------------


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STRIPE_SECRET_KEY = "sk_test_walk"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_walk"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: a call fails fast, as Stripe down would
    call_command("load_demo", "--seed", "1", "--no-images", stdout=io.StringIO())
    from live.models import LiveEvent
    from orders.models import Order

    pool = {
        "ids": [str(i) for i in range(1, 30)] + ["9223372036854775807", "9223372036854775808"],
        "token": list(Order.objects.values_list("token", flat=True)[:5]),
        "code": list(LiveEvent.objects.values_list("code", flat=True)[:5]),
        "words": [
            "cancel", "complete", "ship", "approve", "reject", "submit", "revoke", "withdraw", "start",
            "end", "publish", "pay", "refund", "csv", "xlsx", "pdf", "edit", "delete", "²", "a\x00b", "x" * 300,
        ],
    }  # fmt: skip
    return pool


def client_for(role: str) -> Client:
    client = Client(raise_request_exception=True, HTTP_HOST="localhost")
    if role != "anonymous":
        client.force_login(User.objects.get(username=role))
    return client


def _check(response, what: str):
    assert response.status_code < 500, f"{what} -> {response.status_code}"


# --- the walks ------------------------------------------------------------------------------------------------


def _walk_route(client, route: str, callback, pool, failures: list):
    all_values = pool["ids"] + pool["token"] + pool["code"]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        path=path_params(route, pool),
        params=query(all_values, names_near(callback)),
        method=st.sampled_from(["get", "post"]),
    )
    def one(path, params, method):
        url = "/" + path
        if method == "get":
            response = client.get(url, params)
        else:
            response = client.post(url, params)
        _check(response, f"{method.upper()} {url} {params!r}")

    try:
        one()
    except Exception as exc:  # collected, so one run reports every route that fails
        failures.append(f"{route}: {type(exc).__name__}: {str(exc)[:600]}")


@pytest.mark.parametrize("role", ROLES)
def test_every_url_pattern_as_every_role(demo, role):
    client = client_for(role)
    failures: list[str] = []
    routes = url_patterns()
    assert len(routes) > 40, routes  # the walk really sees the project's URLs
    for route, callback in routes:
        _walk_route(client, route, callback, demo, failures)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ("anonymous", "buyer", "admin"))
def test_every_storefront_page_with_generated_query_strings(demo, role):
    client = client_for(role)
    from catalog.models import Category, Product
    from live.models import LiveEvent

    urls = [p.url for p in Page.objects.live().specific() if p.url]
    urls += [p.get_absolute_url() for p in Product.objects.order_by("pk")[:4]]
    urls += [c.get_absolute_url() for c in Category.objects.order_by("pk")[:3]]
    urls += [e.get_absolute_url() for e in LiveEvent.objects.order_by("pk")[:3]]
    assert len(urls) > 15
    failures = []

    def walk(url):
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True)
        @given(params=query(demo["ids"]))
        def one(params):
            _check(client.get(url, params), f"GET {url} {params!r}")

        one()

    for url in urls:
        try:
            walk(url)
        except Exception as exc:
            failures.append(f"{url}: {type(exc).__name__}: {str(exc)[:600]}")
    assert not failures, "\n".join(failures)


# --- JSON bodies: the two APIs and the webhook ----------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
FIELDS = ("id", "type", "created", "livemode", "data", "object", "samples", "at", "viewers", "likes", "comments")
SHAPED = st.fixed_dictionaries({}, optional={name: JSON for name in FIELDS})
DEEP = ["[" * 10_000 + "]" * 10_000, '{"a":' * 5_000 + "1" + "}" * 5_000, '"\\u0000"', '{"id": "\\u0000"}']
BODIES = st.one_of(
    JSON.map(json.dumps), SHAPED.map(json.dumps), st.sampled_from(DEEP), st.binary(max_size=40).map(repr)
)


def _signed(body: str) -> str:
    t = int(time.time())
    return f"t={t},v1=" + hmac.new(WEBHOOK_SECRET.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()


def test_webhook_with_valid_signatures_never_fails(demo, client):
    @settings(max_examples=150, deadline=None, database=None, derandomize=True)
    @given(body=BODIES)
    def one(body):
        response = client.post(
            "/payments/stripe/webhook/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=_signed(body)
        )
        _check(response, f"webhook {body[:200]!r}")
        if response.status_code == 200:  # stored: only a body with every field the processing reads
            event = json.loads(body)
            assert isinstance(event["created"], int) and isinstance(event["data"]["object"]["id"], str)

    one()


def test_json_apis_with_valid_tokens_never_fail(demo, client):
    from live.models import LiveEvent
    from live.services import issue_token
    from reports.services import create_api_token

    admin = User.objects.get(username="admin")
    for event in LiveEvent.objects.order_by("pk"):  # the demo's live-now event takes tokens
        try:
            _row, live_token = issue_token(event.pk, label="walk", by=admin)
            break
        except DomainError:
            continue
    _row, report_token = create_api_token(admin, "walk")

    @settings(max_examples=120, deadline=None, database=None, derandomize=True)
    @given(body=BODIES, params=query(demo["ids"]))
    def one(body, params):
        pushed = client.post(
            f"/live/api/events/{event.code}/samples/",
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {live_token}",
        )
        _check(pushed, f"samples {body[:200]!r}")
        report = client.get("/api/reports/", params, HTTP_AUTHORIZATION=f"Bearer {report_token}")
        _check(report, f"report {params!r}")

    one()


def test_the_walk_sees_the_marketplace_admin_views():
    """The filter keeps the marketplace's own admin views and drops Wagtail's."""
    routes = [route for route, _view in url_patterns()]
    ours = [r for r in routes if r.startswith("admin/")]
    assert any("orders" in r for r in ours) and any("attribution" in r or "statement" in r for r in ours)
    assert not any(r.startswith("admin/pages/") for r in ours)
    assert apps.get_app_config("accounts")  # users are walked through the role logins
