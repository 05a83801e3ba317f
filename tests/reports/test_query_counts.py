"""Query counts of every report view, export and the JSON endpoint: bounded, and the same
with four times the shops, products, households, events and targets (no query per row)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification.models import Certificate
from live.models import LiveEvent
from producers.models import BenefitMode
from producers.services import ShareSpec, revise_benefit_linkage
from reports.models import ReservedShareTarget
from reports.services import create_api_token
from tests.factories import HouseholdFactory, ProductFactory, ShopFactory, region_chain, valid_credit_code

from .conftest import YEAR, _buy, at

pytestmark = pytest.mark.django_db

TABLES = ["summary", "timeline", "regions", "categories", "shops", "products", "uncertified", "events", "targets"]
PARAMS = {"period": "year", "date": f"{YEAR}-01-01"}
# Upper bounds: the page's own queries plus the admin's (session, user, menus).
# The report itself, plus up to 8 for the whole-event results of the events shown (live_results.selectors).
BOUNDS = {"dashboard": 53, "print": 38, "api": 36, "api_token": 36, "export": 38, "workbook": 38, "tokens": 25}


def grow(w, clock, n: int = 6) -> None:
    """More of everything in county A: shops in new villages, products with households,
    sales on many days, events and budget-unit targets."""
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
            tax_id = valid_credit_code(f"12371722MC{i:03d}{j:04d}")
            _buy(w.ledger, clock, at(8, 1 + i, 20, 30), [(product, 2)], tag=[(product, event, "in_live")])
            _buy(
                w.ledger,
                clock,
                at(9, 1 + i + j),
                [(product, 1)],
                buyer_type="budget_unit",
                organisation_name="单位",
                tax_id=tax_id,
            )
            ReservedShareTarget.objects.create(
                bureau=w.officer_a.bureau, year=YEAR, unit_name=f"单位{i}{j}", tax_id=tax_id, target_fen=10_000
            )


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


def test_targets_listing_query_count(report_world, client, clock, django_assert_max_num_queries):
    w = report_world
    client.force_login(w.officer_city)
    with django_assert_max_num_queries(40):
        assert client.get("/admin/reports/targets/").status_code == 200
    grow(w, clock, n=3)
    with django_assert_max_num_queries(40):
        assert client.get("/admin/reports/targets/").status_code == 200
