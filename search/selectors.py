"""Product search as the storefront uses it: parse the query, pick the backend, fall back
to the database when Elasticsearch fails, and turn ids into product cards.

``search_products`` and ``ProductSearchResults`` are what views rely on; which backend
answered is recorded on the result but changes nothing the template shows."""

import hashlib
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.utils.translation import gettext

from catalog import selectors as catalog_selectors
from catalog.caching import kept_for_listing
from catalog.models import Category, Product
from core import parsing
from producers.models import Producer, Region

from . import indexing
from .backends import (
    PAGE_SIZE,
    PRICE_BAND_KEYS,
    PRICE_BANDS,
    SORT_KEYS,
    SearchBackendError,
    SearchParams,
    SearchResult,
)
from .backends.database import DatabaseBackend
from .backends.elasticsearch import ElasticsearchBackend
from .indexing import elasticsearch_enabled
from .models import SynonymGroup
from .text import MAX_QUERY_LENGTH, QueryTerm, highlight, parse_query, safe_highlight
from .text import search_terms as search_terms  # noqa: F401  (re-exported for callers)

logger = logging.getLogger(__name__)

SYNONYMS_CACHE_KEY = "search:synonyms:v1"

__all__ = ["MAX_QUERY_LENGTH", "PAGE_SIZE", "ProductSearchResults", "search_products", "suggest"]


def synonyms() -> dict[str, tuple[str, ...]]:
    """word → the other words of its groups, from the admin-edited ``SynonymGroup`` rows;
    cached until a group is saved or deleted."""
    mapping = cache.get(SYNONYMS_CACHE_KEY)
    if mapping is None:
        groups: dict[str, list[str]] = {}
        for group in SynonymGroup.objects.all():
            words = group.term_list()
            for word in words:
                groups.setdefault(word, [])
                groups[word].extend(w for w in words if w != word and w not in groups[word])
        mapping = {word: tuple(others) for word, others in groups.items()}
        cache.set(SYNONYMS_CACHE_KEY, mapping, 3600)
    return mapping


def query_terms(query: str) -> list[QueryTerm]:
    return parse_query(query, synonyms())


def get_backend():
    """Elasticsearch when ``ELASTICSEARCH_URL`` is set, the database otherwise."""
    if elasticsearch_enabled():
        return ElasticsearchBackend()
    return DatabaseBackend()


T = TypeVar("T")


def ask_backend(action: str, ask: Callable[[Any], T]) -> tuple[T, Any]:
    """``ask(backend)`` of the configured backend, and the backend that answered: if
    Elasticsearch cannot answer (``SearchBackendError``), the database does, and the
    failure is logged as a warning ("Elasticsearch <action> failed, ...")."""
    backend = get_backend()
    if isinstance(backend, DatabaseBackend):
        return ask(backend), backend
    try:
        return ask(backend), backend
    except SearchBackendError as exc:
        # The action is part of the message template, so each keeps its own.
        logger.warning(f"Elasticsearch {action} failed, falling back to the database backend: %s", exc)
    database = DatabaseBackend()
    return ask(database), database


def run_search(params: SearchParams) -> SearchResult:
    """Ask the configured backend; if Elasticsearch cannot answer, the database does, and
    the failure is logged as a warning.

    The answer (ids of the page, total, facets, highlights) is kept for what it is made of:
    the parsed terms (synonyms included) and filters, what is listed (``catalog.caching``:
    any product, shop, category or certificate change, and the day, for certificates that
    start or lapse at midnight) and the index (``indexing.index``: entries written, in the
    database or Elasticsearch). Facet counts over every match grow with the catalogue (a
    common word at 100,000 products: 14 ms); a repeated search then costs one cache read."""
    digest = hashlib.sha256(repr(params).encode()).hexdigest()[:32]
    return kept_for_listing(
        f"search:{indexing.index.current()}:{digest}",
        lambda: ask_backend("search", lambda b: b.search(params))[0],
    )


def suggest(prefix: str, limit: int = 8) -> list[str]:
    """As-you-type suggestions: titles of listed products for what was typed so far
    (Chinese, or pinyin / initials as a prefix)."""
    terms = query_terms(prefix)
    if not terms:
        return []
    found, backend = ask_backend("suggest", lambda b: b.suggest(terms, limit=limit))
    if not isinstance(backend, DatabaseBackend):
        # As for results: whatever the catalogue no longer lists is dropped.
        ids = [s.product_id for s in found]
        listed = set(Product.objects.listed().filter(pk__in=ids).values_list("pk", flat=True))
        found = [s for s in found if s.product_id in listed]
    titles: list[str] = []
    for suggestion in found:
        if suggestion.title not in titles:
            titles.append(suggestion.title)
        if len(titles) == limit:
            break
    return titles


class _ResultWindow:
    """Stands in for the full result list in a Paginator: its length is the total the
    backend counted, and slicing it gives the page already fetched."""

    def __init__(self, total: int, page_items: list):
        self.total = total
        self.page_items = page_items

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key):
        return self.page_items


@dataclass
class ProductSearchResults:
    query: str
    terms: list[str]
    page: Page | None
    category: Category | None = None
    facets: dict = field(default_factory=dict)  # name → [FacetValue] with labels
    highlights: dict = field(default_factory=dict)
    backend: str = ""
    params: SearchParams | None = None

    @property
    def count(self) -> int:
        return self.page.paginator.count if self.page is not None else 0


def _label_facets(facets: dict, tree: dict) -> dict:
    """Fill in facet labels: category names (from the tree already loaded), region names
    (one query for every code shown), producer kinds and price bands from their choices."""
    by_slug = {c.slug: c.name for group in tree.values() for c in group}
    codes = {v.key for name in ("province", "city", "county") for v in facets.get(name, [])}
    region_names = dict(Region.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    kinds = dict(Producer.Kind.choices)
    bands = {key: str(label) for key, label, _low, _high in PRICE_BANDS}
    stock_labels = {"1": gettext("有货"), "0": gettext("缺货")}
    for name, values in facets.items():
        for v in values:
            if name == "category":
                v.label = by_slug.get(v.key, v.key)
            elif name in ("province", "city", "county"):
                v.label = region_names.get(v.key, v.key)
            elif name == "kind":
                v.label = str(kinds.get(v.key, v.key))
            elif name == "price":
                v.label = bands.get(v.key, v.key)
            elif name == "in_stock":
                v.label = stock_labels.get(v.key, v.key)
    if "price" in facets:
        order = {k: i for i, k in enumerate(PRICE_BAND_KEYS)}
        facets["price"].sort(key=lambda v: order.get(v.key, 99))
    if "category" in facets:
        order = {c.slug: i for i, c in enumerate(tree.get(None, []))}
        facets["category"].sort(key=lambda v: order.get(v.key, 99))
    return facets


def search_products(
    query: str,
    *,
    category: Category | None = None,
    region_code: str = "",
    producer_kind: str = "",
    price_band: str = "",
    in_stock: bool = False,
    sort: str = "relevance",
    page=1,
    page_size: int = PAGE_SIZE,
    category_tree: dict | None = None,
) -> ProductSearchResults:
    """Listed products matching every term of ``query`` (a term matches through its
    synonyms and pinyin too), narrowed by the filters, one page of ``page_size`` product
    cards, with facet counts and highlighted titles."""
    terms = query_terms(query)
    plain_terms = [t.text for t in terms]
    if not terms:
        return ProductSearchResults(query=query, terms=[], page=None, category=category)
    if category_tree is None:
        category_tree = catalog_selectors.category_tree()
    category_ids: tuple[int, ...] = ()
    if category is not None:
        category_ids = tuple(catalog_selectors.descendant_ids(category, category_tree))
    params = SearchParams(
        query=query,
        terms=tuple(terms),
        category_ids=category_ids,
        region_code=region_code if re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", region_code) else "",
        producer_kind=producer_kind if producer_kind in Producer.Kind.values else "",
        price_band=price_band if price_band in PRICE_BAND_KEYS else "",
        in_stock=bool(in_stock),
        sort=sort if sort in SORT_KEYS else "relevance",
        page=parsing.page_number(page),  # clamped: the backend's OFFSET is computed from it
        page_size=page_size,
    )
    result = run_search(params)
    last_page = max(1, math.ceil(result.total / page_size))
    if params.page > last_page:
        params = SearchParams(**{**params.__dict__, "page": last_page})
        result = run_search(params)
    cards = Product.objects.listed().for_cards().in_bulk(result.product_ids)
    # Elasticsearch may still hold a product that stopped being listed a moment ago:
    # whatever listed() no longer returns is dropped here.
    products = [cards[pk] for pk in result.product_ids if pk in cards]
    for product in products:
        marked = result.highlights.get(product.pk)
        # Elasticsearch highlights the title it indexed; if the product was renamed
        # since, mark the current title here instead.
        checked = safe_highlight(marked, product.title) if marked else None
        product.title_html = checked or highlight(product.title, terms)
    paginator = Paginator(_ResultWindow(result.total, products), page_size)
    return ProductSearchResults(
        query=query,
        terms=plain_terms,
        page=paginator.page(params.page),
        category=category,
        facets=_label_facets(result.facets, category_tree),
        highlights=result.highlights,
        backend=result.backend,
        params=params,
    )
