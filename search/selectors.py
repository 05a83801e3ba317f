"""Product search on the database: jieba segments the query, and every remaining term
must appear in one of the fields in ``SEARCH_FIELDS``.

A fuller search (facets, pinyin, Elasticsearch) replaces the matching step later; the
entry point ``search_products`` and its result type are what views rely on."""

import threading
import unicodedata
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, Q, Value, When

from catalog.models import Category, Product

PAGE_SIZE = 24
MAX_QUERY_LENGTH = 100

# Where a term may appear. Every lookup is a forward foreign key, so a match never
# duplicates a product row.
SEARCH_FIELDS = (
    "title",
    "summary",
    "description",
    "producer__name",
    "shop__name",
    "origin_region__name",
    "category__name",
    "category__parent__name",
)

_jieba = None
_jieba_lock = threading.Lock()


def _segmenter():
    """jieba, initialised once per process on first use: loading its dictionary takes
    about a second, which no page but search should pay for."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def _is_word(token: str) -> bool:
    # Letters and digits of any script count (Chinese characters are letters, category
    # Lo); whitespace, punctuation and symbols do not.
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


def search_terms(query: str) -> list[str]:
    """The terms every result must contain, in query order, without repeats."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    if not query:
        return []
    terms: list[str] = []
    for token in _segmenter().lcut_for_search(query):
        token = token.strip()
        if token and _is_word(token) and token not in terms:
            terms.append(token)
    return terms


@dataclass
class ProductSearchResults:
    query: str
    terms: list[str]
    page: Page | None
    category: Category | None = None
    facets: dict = field(default_factory=dict)  # filled by the fuller search later

    @property
    def count(self) -> int:
        return self.page.paginator.count if self.page is not None else 0


def search_products(query: str, *, category: Category | None = None, page=1) -> ProductSearchResults:
    """Listed products matching every term of ``query`` (and within ``category`` and its
    sub-categories if given), ready for product cards, one page of ``PAGE_SIZE``.
    Products whose title holds more of the terms come first, then the newest."""
    terms = search_terms(query)
    if not terms:
        return ProductSearchResults(query=query, terms=[], page=None, category=category)
    qs = Product.objects.listed()
    for term in terms:
        any_field = Q()
        for name in SEARCH_FIELDS:
            any_field |= Q(**{f"{name}__icontains": term})
        qs = qs.filter(any_field)
    if category is not None:
        from cms.selectors import category_tree, descendant_ids

        qs = qs.filter(category_id__in=descendant_ids(category, category_tree()))
    title_hits = sum(
        (
            Case(When(title__icontains=term, then=Value(1)), default=Value(0), output_field=IntegerField())
            for term in terms
        ),
        Value(0),
    )
    qs = qs.for_cards().annotate(title_hits=title_hits).order_by("-title_hits", "-created_at", "-pk")
    return ProductSearchResults(
        query=query, terms=terms, page=Paginator(qs, PAGE_SIZE).get_page(page), category=category
    )
