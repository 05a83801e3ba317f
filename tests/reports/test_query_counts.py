"""Query counts of every report view, export and the JSON endpoint: bounded, and the same
with four times the shops, products, households, events and budget units with quotas (no
query per row)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification.models import Certificate
from live.models import LiveEvent
from producers.models import BenefitMode
from producers.services import ShareSpec, revise_benefit_linkage
from reports.services import create_api_token
from tests.factories import HouseholdFactory, ProductFactory, ShopFactory, region_chain, valid_credit_code

from .conftest import YEAR, _buy, at, buying_for, register_unit, set_quota

pytestmark = pytest.mark.django_db

TABLES = [
    "summary",
    "timeline",
    "regions",
    "categories",
    "shops",
    "products",
    "uncertified",
    "traced",
    "events",
    "reserved_shares",
]
PARAMS = {"period": "year", "date": f"{YEAR}-01-01"}
# Upper bounds: the page's own queries plus the admin's (session, user, menus).
# The report itself, plus up to 8 for the whole-event results of the events shown (live_results.selectors).
BOUNDS = {"dashboard": 53, "print": 38, "api": 36, "api_token": 36, "export": 38, "workbook": 38, "tokens": 25}


def grow(w, clock, n: int = 6) -> None:
    """More of everything in county A: shops in new villages, products with households,
    sales on many days, events, and budget units of the county with a quota and orders."""
    for i in range(n):
        *_, village = region_chain(county="371722", township="371722100", village=f"371722100{300 + i}")
        shop = ShopFactory(region=village, name=f"新村{i}电商服务站")
        households = [HouseholdFactory(village=village, registration_number=f"{village.code}{k:06d}") for k in range(3)]
        event = LiveEvent.objects.create(
            title=f"新村{i}直播", scheduled_start=at(8, 1 + i, 20), scheduled_end=at(8, 1 + i, 22), region=village
        )
        event.shops.add(shop)
        for j in range(2):
            product = ProductFactory(shop=shop, title=f"新村{i}特产{j}", price_fen=1000 + 100 * i + j, stock=100)
            revise_benefit_linkage(
                product, [ShareSpec(3000, BenefitMode.EMPLOYMENT, household=h) for h in households[j : j + 2]]
            )
            Certificate.objects.filter(product=product).update(
                valid_from=dt.date(YEAR - 1, 1, 1), valid_until=dt.date(YEAR + 1, 12, 31)
            )
            _buy(w.ledger, clock, at(8, 1 + i, 20, 30), [(product, 2)], tag=[(product, event, "in_live")])
            add_unit(w, clock, f"单位{i}{j}", valid_credit_code(f"12371722MC{i:03d}{j:04d}"), [(product, 1)])


def add_unit(w, clock, name: str, credit_code: str, items) -> None:
    """A budget unit of county A with a quota for the year, buying ``items`` on 2 September."""
    unit = register_unit(name, credit_code, "371722", f"unit-{credit_code}")
    set_quota(unit, YEAR, 100_000, share_bp=1_000)
    _buy(w.ledger, clock, at(9, 2), items, **buying_for(unit))


def requests(token: str):
    yield "dashboard", reverse("reports_admin:dashboard"), {}
    yield "print", reverse("reports_admin:print"), {}
    yield "api", reverse("reports_api:report"), {}
    yield "api_token", reverse("reports_api:report"), {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for key in TABLES:
        for fmt in ("csv", "xlsx"):
            yield "export", reverse("reports_admin:export_table", args=[key, fmt]), {}
    yield "workbook", reverse("reports_admin:export_workbook"), {}
    yield "tokens", reverse("reports_admin:tokens"), {}


def measure(client, token) -> dict[tuple[str, str], int]:
    counts = {}
    for name, url, headers in requests(token):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, PARAMS, **headers)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, url
        counts[(name, url)] = len(queries)
        assert len(queries) <= BOUNDS[name], (url, len(queries), [q["sql"][:120] for q in queries.captured_queries])
    return counts


def test_query_counts_are_bounded_and_do_not_grow_with_rows(report_world, client, clock, django_assert_max_num_queries):
    w = report_world
    _record, token = create_api_token(w.officer_a, "tools")
    client.force_login(w.officer_a)
    small = measure(client, token)

    grow(w, clock)
    clock.set(at(12, 31, 23, 59))
    for name, url, headers in requests(token):
        with django_assert_max_num_queries(small[(name, url)]):
            response = client.get(url, PARAMS, **headers)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200
    html = client.get(reverse("reports_admin:dashboard"), PARAMS).content.decode()
    assert "新村5直播" in html and "单位51" in html  # the added rows are on the page


def test_the_reserved_shares_section_costs_the_same_for_five_units_or_two(report_world, client, clock):
    """The section's export (its own queries only) makes as many queries for the county's
    two units as for five, and the added units are in it."""
    w = report_world
    client.force_login(w.officer_a)
    url = reverse("reports_admin:export_table", args=["reserved_shares", "csv"])

    def export():
        with CaptureQueriesContext(connection) as queries:
            text = b"".join(client.get(url, PARAMS).streaming_content).decode("utf-8-sig")
        return len(queries), text

    before, text = export()
    assert "单县财政局" in text and "新单位" not in text
    for n in range(3):
        add_unit(w, clock, f"新单位{n}", valid_credit_code(f"12371722MC{n:03d}9999"), [(w.yam, 1 + n)])
    clock.set(at(12, 31, 23, 59))
    after, text = export()
    assert all(f"新单位{n}" in text for n in range(3))
    assert after == before
