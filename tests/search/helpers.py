"""Helpers shared by the search tests: reading the result cards off a search page, and
an empty set of the storefront's facet aggregations for Elasticsearch-shaped answers."""

import re

from .fake_elasticsearch import range_buckets, terms_buckets

CARD = re.compile(r'<article class="card" data-product-id="(\d+)" data-title="([^"]*)">')


def titles(response) -> list[str]:
    """The titles of the result cards, in page order (the page must have answered 200)."""
    assert response.status_code == 200
    return [t for _pk, t in CARD.findall(response.content.decode())]


def empty_aggregations() -> dict:
    names = ["category", "province", "city", "county", "kind", "in_stock"]
    return {name: terms_buckets({}) for name in names} | {"price": range_buckets([])}
