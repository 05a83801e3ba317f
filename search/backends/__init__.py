"""One search interface, two backends.

``SearchParams`` says what the buyer asked for; a backend's ``search(params)`` answers
with a ``SearchResult`` of the same shape whichever backend it is: product ids in order
for the requested page, the total, facets with counts (within every chosen filter) and
highlighted titles; ``suggest(terms, limit)`` answers with ``Suggestion``s.
``search.selectors`` picks the backend, falls back to the database when Elasticsearch
raises ``SearchBackendError``, and turns ids into product cards."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from ..text import QueryTerm

PAGE_SIZE = 24

# (key, label, lower bound in fen inclusive, upper bound exclusive or None)
PRICE_BANDS = [
    ("lt20", _("20元以下"), 0, 2000),
    ("20-50", _("20–50元"), 2000, 5000),
    ("50-100", _("50–100元"), 5000, 10000),
    ("100-200", _("100–200元"), 10000, 20000),
    ("200+", _("200元及以上"), 20000, None),
]
PRICE_BAND_KEYS = [b[0] for b in PRICE_BANDS]

SORTS = [
    ("relevance", _("相关度")),
    ("price_asc", _("价格从低到高")),
    ("price_desc", _("价格从高到低")),
    ("newest", _("最新上架")),
    ("best_selling", _("销量")),
]
SORT_KEYS = [s[0] for s in SORTS]

FACET_NAMES = ["category", "province", "city", "county", "kind", "price", "in_stock"]


@dataclass(frozen=True)
class SearchParams:
    query: str
    terms: tuple[QueryTerm, ...]
    category_ids: tuple[int, ...] = ()  # the chosen category and its sub-categories
    region_code: str = ""  # 2, 4 or 6 digits: province, city or county of origin
    producer_kind: str = ""
    price_band: str = ""
    in_stock: bool = False
    sort: str = "relevance"
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass
class FacetValue:
    key: str
    label: str
    count: int
    # Set by the view: the link that applies (or, when chosen, removes) this value.
    url: str = ""
    chosen: bool = False


@dataclass
class SearchResult:
    product_ids: list[int]
    total: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    highlights: dict[int, str] = field(default_factory=dict)  # product id → title HTML with <mark>
    backend: str = ""


@dataclass(frozen=True)
class Suggestion:
    """One as-you-type suggestion: a product's title, with its id so that the selector can
    check it is still on the storefront."""

    product_id: int
    title: str


class SearchBackendError(Exception):
    """The backend could not answer (unreachable, timed out, refused the query)."""


def price_band_bounds(key: str) -> tuple[int, int | None] | None:
    """(lower bound in fen inclusive, upper bound exclusive or None) of the price band
    ``key``; None when no band has that key (no price filter)."""
    for band_key, _label, low, high in PRICE_BANDS:
        if band_key == key:
            return low, high
    return None
