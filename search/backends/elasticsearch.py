"""Search on Elasticsearch (8.x), used when ``ELASTICSEARCH_URL`` is set.

Only analysers built into Elasticsearch are used, no plugins: Chinese is cut by jieba in
Python (``search.text``, the same code as the database backend) and indexed in
whitespace-analysed fields; the raw title and texts are indexed with the built-in ``cjk``
analyser (overlapping character pairs) as well, for phrase matches jieba cut differently
and for highlighting. Pinyin (full and initials) are keywords matched as prefixes.

What decides whether a product may be shown is evaluated at query time, as in the
database backend: the listed and shop-active flags, and the certificate periods as a
``date_range`` that must contain today (Asia/Shanghai). A certificate that lapses needs no
index update to disappear. A revoked one is removed by the upkeep task after commit, and
until then ``search.selectors`` drops whatever ``Product.objects.listed()`` no longer
returns, so a revoked product never shows.

Synonyms come from the admin-edited table at query time (each query word brings its
group along as alternatives), so editing them needs no reindex.

Facet counts are computed within every chosen filter, exactly like the database backend
(``ProductSearch.filter``), so both backends give the storefront the same numbers.

Documents live in ``<prefix>-products-<timestamp>`` indices behind the alias
``<prefix>-products``: ``rebuild_index`` builds a new index and switches the alias in one
call, so search stays up while it runs; ``push_products`` keeps the current one in step."""

import datetime as dt
import logging
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db.models import Prefetch
from django.db.models import Q as DbQ
from django.utils import timezone
from elasticsearch import ApiError, ConnectionTimeout, Elasticsearch, NotFoundError, TransportError
from elasticsearch import ConnectionError as TransportConnectionError
from elasticsearch.dsl import (
    Boolean,
    Date,
    DateRange,
    Document,
    FacetedSearch,
    Index,
    Integer,
    Keyword,
    MetaField,
    Q,
    RangeFacet,
    Search,
    TermsFacet,
    Text,
)
from elasticsearch.dsl.faceted_search import FacetedResponse
from tqdm import tqdm

from catalog.models import Product
from certification.models import Certificate

from ..documents import BATCH_SIZE, entry_for, other_texts, products_for_indexing
from ..text import QueryTerm, has_cjk, highlight, normalise, safe_highlight
from . import (
    FACET_NAMES,
    PRICE_BANDS,
    FacetValue,
    SearchBackendError,
    SearchParams,
    SearchResult,
    Suggestion,
)

logger = logging.getLogger(__name__)

# Bulk loads and alias switches may take longer than a storefront search may wait.
INDEXING_TIMEOUT = 60.0
# Elasticsearch's default index.max_result_window: from + size beyond it is refused.
MAX_RESULT_WINDOW = 10_000
# Index prefixes of the whitespace-token fields: a prefix query of 1 to 10 characters
# ("山药" in "山药粉", "sh" in "shanyao") is answered from them.
TOKEN_PREFIXES = {"min_chars": 1, "max_chars": 10}


class ProductDocument(Document):
    """One product as Elasticsearch holds it. Products off the storefront are not indexed
    (the upkeep deletes them); those kept carry what the query-time "listed now" filter
    needs (flags and certificate periods), so a certificate that lapses needs no update.
    What the index has not caught up with yet (a revocation a second ago) is dropped by
    the selector's check against ``Product.objects.listed()``."""

    product_id = Integer()
    title = Text(analyzer="cjk")
    title_tokens = Text(analyzer="whitespace", index_prefixes=TOKEN_PREFIXES)
    title_pinyin = Keyword()
    body = Text(analyzer="cjk")
    body_tokens = Text(analyzer="whitespace", index_prefixes=TOKEN_PREFIXES)
    category_id = Integer()
    category_root = Keyword()
    province = Keyword()
    city = Keyword()
    county = Keyword()
    producer_kind = Keyword()
    price_fen = Integer()
    stock = Integer()
    in_stock = Boolean()
    units_sold = Integer()
    created_at = Date()
    is_listed = Boolean()
    shop_active = Boolean()
    # One range per certificate not revoked and not yet ended; "certified now" is a
    # query-time filter on it (today, Asia/Shanghai).
    certified = DateRange(format="yyyy-MM-dd")

    class Meta:
        # A field the mapping does not declare is an error, not a guess.
        dynamic = MetaField("strict")


# One shard: the catalogue is small for Elasticsearch, and terms aggregations on one
# shard count exactly, as the storefront's facet counts must.
INDEX_SETTINGS = {"number_of_shards": 1}


def index_body() -> dict:
    """The settings and mappings every product index is created with."""
    index = Index("products")  # the name is not part of the body; each build has its own
    index.settings(**INDEX_SETTINGS)
    index.document(ProductDocument)
    return index.to_dict()


def alias_name() -> str:
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-products"


def new_index_name(now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    return f"{alias_name()}-{now.astimezone(dt.UTC):%Y%m%d%H%M%S%f}"


_clients: dict[tuple, Elasticsearch] = {}
_clients_lock = threading.Lock()


def get_client() -> Elasticsearch:
    """One client per process and configuration (it pools its connections and is
    thread-safe). ``ELASTICSEARCH_URL`` may list several nodes, comma-separated. A
    storefront search waits ``ELASTICSEARCH_TIMEOUT`` seconds and is never retried on a
    timeout: the database answers instead."""
    key = (settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_TIMEOUT)
    client = _clients.get(key)
    if client is None:
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                hosts = [url.strip() for url in settings.ELASTICSEARCH_URL.split(",") if url.strip()]
                client = Elasticsearch(
                    hosts, request_timeout=settings.ELASTICSEARCH_TIMEOUT, max_retries=1, retry_on_timeout=False
                )
                _clients[key] = client
    return client


def indexing_client() -> Elasticsearch:
    """The client for upkeep and rebuilds: longer timeout, retried."""
    return get_client().options(
        request_timeout=max(INDEXING_TIMEOUT, settings.ELASTICSEARCH_TIMEOUT), max_retries=3, retry_on_timeout=True
    )


@contextmanager
def backend_errors(action: str) -> Iterator[None]:
    """Whatever goes wrong talking to Elasticsearch becomes ``SearchBackendError``, which
    the selector answers from the database."""
    try:
        yield
    except ConnectionTimeout as exc:
        raise SearchBackendError(f"Elasticsearch {action} timed out: {exc}") from exc
    except TransportConnectionError as exc:
        raise SearchBackendError(f"Elasticsearch {action} failed, unreachable: {exc}") from exc
    except TransportError as exc:  # e.g. an answer that is not JSON
        raise SearchBackendError(f"Elasticsearch {action} failed: {exc}") from exc
    except ApiError as exc:
        raise SearchBackendError(f"Elasticsearch {action} refused: {exc}") from exc


# -- documents ----------------------------------------------------------------------


def products_for_documents(today: dt.date):
    """Products with what their documents need, in two queries per batch."""
    return products_for_indexing().prefetch_related(
        Prefetch(
            "certificates",
            queryset=Certificate.objects.filter(revoked_at__isnull=True, valid_until__gte=today).order_by("valid_from"),
            to_attr="live_certificates",
        )
    )


def is_indexable(product: Product) -> bool:
    """Listed, its shop active, and a certificate not revoked that has not ended: on the
    storefront now or once a certificate starts. Whether it is certified *today* is
    decided at query time."""
    return product.is_listed and product.shop.is_active and bool(product.live_certificates)


def document_source(product: Product) -> dict:
    """The ``_source`` of a product's document (loaded by ``products_for_documents``)."""
    entry = entry_for(product)
    code = product.origin_region.code
    category = product.category
    return {
        "product_id": product.pk,
        "title": product.title,
        "title_tokens": entry.title_tokens,
        "title_pinyin": entry.title_pinyin.split(),
        "body": " ".join(normalise(t) for t in other_texts(product) if t),
        "body_tokens": entry.body_tokens,
        "category_id": category.pk,
        "category_root": category.parent.slug if category.parent_id else category.slug,
        "province": code[:2] if len(code) >= 2 else None,
        "city": code[:4] if len(code) >= 4 else None,
        "county": code[:6] if len(code) >= 6 else None,
        "producer_kind": product.producer.kind,
        "price_fen": product.price_fen,
        "stock": product.stock,
        "in_stock": product.stock > 0,
        "units_sold": product.units_sold,
        "created_at": product.created_at.isoformat(),
        "is_listed": product.is_listed,
        "shop_active": product.shop.is_active,
        "certified": [
            {"gte": c.valid_from.isoformat(), "lte": c.valid_until.isoformat()} for c in product.live_certificates
        ],
    }


def _bulk(client: Elasticsearch, operations: list[dict], *, require_alias: bool) -> int:
    """One bulk request; an item Elasticsearch refused fails the whole call (the task
    retries it). Deleting a document that is not there is fine. Returns items sent."""
    if not operations:
        return 0
    with backend_errors("bulk"):
        response = client.bulk(operations=operations, require_alias=require_alias or None)
    failed = [result for item in response["items"] for result in item.values() if "error" in result]
    if failed:
        raise SearchBackendError(
            f"Elasticsearch bulk: {len(failed)} of {len(response['items'])} items failed, first: {failed[0]['error']}"
        )
    return len(response["items"])


def push_products(product_ids: Iterable[int]) -> tuple[int, int]:
    """Bring these products' documents in the live index (the alias) up to date: index
    the ones on (or about to be on) the storefront, delete the rest, including products
    that no longer exist. One bulk request per ``BATCH_SIZE`` ids. Returns (indexed,
    deleted)."""
    ids = sorted(set(product_ids))
    alias = alias_name()
    client = indexing_client()
    today = timezone.localdate()
    indexed = deleted = 0
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        products = products_for_documents(today).in_bulk(chunk)
        operations: list[dict] = []
        for pk in chunk:
            product = products.get(pk)
            if product is not None and is_indexable(product):
                operations += [{"index": {"_index": alias, "_id": str(pk)}}, document_source(product)]
                indexed += 1
            else:
                operations.append({"delete": {"_index": alias, "_id": str(pk)}})
                deleted += 1
        # require_alias: before the first search_reindex there is no alias, and writing
        # to its name would make Elasticsearch create an index with guessed mappings.
        _bulk(client, operations, require_alias=True)
    return indexed, deleted


def rebuild_index(*, progress: bool = False, batch_size: int = BATCH_SIZE) -> tuple[str, int]:
    """Build a new index from the database and make the alias point to it.

    Search keeps using the old index until the alias is switched, in one ``_aliases``
    call (remove old, add new), so it never sees a half-built index. Products changed
    while the new index was built are pushed again after the switch; then the old
    indices are deleted. If anything fails the new index is deleted and the alias left
    as it was. Returns (new index name, documents indexed)."""
    client = indexing_client()
    alias = alias_name()
    name = new_index_name()
    started = timezone.now()
    today = timezone.localdate()
    with backend_errors("create index"):
        client.indices.create(index=name, **index_body())
    try:
        indexed = _load(client, name, today, progress=progress, batch_size=batch_size)
        with backend_errors("refresh"):
            client.indices.refresh(index=name)
        with backend_errors("read alias"):
            try:
                old = sorted(client.indices.get_alias(name=alias).body)
            except NotFoundError:
                old = []
        actions = [{"remove": {"index": index, "alias": alias}} for index in old]
        actions.append({"add": {"index": name, "alias": alias}})
        with backend_errors("switch alias"):
            client.indices.update_aliases(actions=actions)
    except BaseException:
        try:
            client.indices.delete(index=name)
        except (ApiError, TransportError) as exc:
            logger.warning("could not delete the unfinished index %s: %s", name, exc)
        raise
    changed = Product.objects.filter(
        DbQ(updated_at__gte=started)
        | DbQ(certificates__issued_at__gte=started)
        | DbQ(certificates__revoked_at__gte=started)
    ).values_list("pk", flat=True)
    push_products(set(changed))
    if old:
        with backend_errors("delete old indices"):
            client.indices.delete(index=",".join(old))
    return name, indexed


def _load(client: Elasticsearch, index: str, today: dt.date, *, progress: bool, batch_size: int) -> int:
    total = Product.objects.count()
    bar = tqdm(total=total, desc="Elasticsearch", unit="件", file=sys.stderr, disable=not progress)
    indexed = 0
    last_pk = 0
    try:
        while True:
            batch = list(products_for_documents(today).filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                break
            operations: list[dict] = []
            for product in batch:
                if is_indexable(product):
                    operations += [{"index": {"_index": index, "_id": str(product.pk)}}, document_source(product)]
                    indexed += 1
            _bulk(client, operations, require_alias=False)
            last_pk = batch[-1].pk
            bar.update(len(batch))
    finally:
        bar.close()
    return indexed


# -- queries ------------------------------------------------------------------------


def _scored(query: Q, score: float) -> Q:
    return Q("constant_score", filter=query, boost=score)


def term_query(term: QueryTerm) -> Q:
    """One word of the query: any of its alternatives (itself and its synonyms) anywhere.
    Scores follow the database backend: a whole title word 4, part of the title 3,
    elsewhere 1; ``dis_max`` keeps the best, so a word found three ways does not outrank
    two words found once. Every alternative is a prefix, as in the database backend."""
    clauses = []
    for alt in term.alternatives:
        clauses += [
            _scored(Q("term", title_tokens=alt), 4),
            _scored(Q("prefix", title_tokens=alt), 3),
            _scored(Q("prefix", body_tokens=alt), 1),
        ]
        if alt.isascii():
            clauses += [_scored(Q("term", title_pinyin=alt), 4), _scored(Q("prefix", title_pinyin=alt), 3)]
        elif has_cjk(alt) and len(alt) >= 2:
            # Character pairs in a row: finds the word where jieba cut the text otherwise.
            clauses += [_scored(Q("match_phrase", title=alt), 3), _scored(Q("match_phrase", body=alt), 1)]
    return Q("dis_max", queries=clauses)


def text_query(terms: Iterable[QueryTerm]) -> Q:
    """Every word of the query must match."""
    return Q("bool", must=[term_query(t) for t in terms])


def listed_now(today: dt.date) -> list[Q]:
    """The storefront's "listed" rule (``Product.objects.listed()``) on the document: listed,
    shop active, a certificate period containing today (Asia/Shanghai)."""
    day = today.isoformat()
    return [
        Q("term", is_listed=True),
        Q("term", shop_active=True),
        Q("range", certified={"gte": day, "lte": day, "relation": "contains"}),
    ]


SORT_ORDERS: dict[str, list[dict]] = {
    # The same orders and tie-breaks as the database backend's SORT_COLUMNS.
    "relevance": [
        {"_score": {"order": "desc"}},
        {"units_sold": {"order": "desc"}},
        {"created_at": {"order": "desc"}},
        {"product_id": {"order": "desc"}},
    ],
    "price_asc": [{"price_fen": {"order": "asc"}}, {"_score": {"order": "desc"}}, {"product_id": {"order": "asc"}}],
    "price_desc": [{"price_fen": {"order": "desc"}}, {"_score": {"order": "desc"}}, {"product_id": {"order": "asc"}}],
    "newest": [{"created_at": {"order": "desc"}}, {"product_id": {"order": "desc"}}],
    "best_selling": [
        {"units_sold": {"order": "desc"}},
        {"_score": {"order": "desc"}},
        {"product_id": {"order": "desc"}},
    ],
}

REGION_FACETS = {2: "province", 4: "city", 6: "county"}


class ProductSearch(FacetedSearch):
    """The storefront's search as one Elasticsearch request: the query words, the
    "listed now" filter, the chosen facet values, facet counts, sort, one page and the
    highlighted title."""

    fields = ["title"]
    facets = {
        "category": TermsFacet(field="category_root", size=100),
        "province": TermsFacet(field="province", size=100),
        "city": TermsFacet(field="city", size=1000),
        "county": TermsFacet(field="county", size=5000),
        "kind": TermsFacet(field="producer_kind", size=20),
        "price": RangeFacet(field="price_fen", ranges=[(key, (low, high)) for key, _label, low, high in PRICE_BANDS]),
        "in_stock": TermsFacet(field="in_stock", size=2),
    }

    def __init__(self, params: SearchParams, *, index: str, using: Elasticsearch, today: dt.date):
        self.index = index
        self.using = using
        self.params = params
        self.today = today
        filters: dict = {}
        if params.region_code:
            filters[REGION_FACETS[len(params.region_code)]] = params.region_code
        if params.producer_kind:
            filters["kind"] = params.producer_kind
        if params.price_band:
            filters["price"] = params.price_band
        if params.in_stock:
            filters["in_stock"] = True
        super().__init__(query=params.query, filters=filters, sort=SORT_ORDERS[params.sort])
        self._s = self._s[params.offset : params.offset + params.page_size]

    def search(self) -> Search:
        s = Search(index=self.index, using=self.using).response_class(FacetedResponse)
        for clause in listed_now(self.today):
            s = s.filter(clause)
        if self.params.category_ids:
            # The chosen category and its sub-categories; the facet shows top-level ones.
            s = s.filter("terms", category_id=list(self.params.category_ids))
        return s.source(["title"]).extra(track_total_hits=True)

    def query(self, search: Search, query) -> Search:
        return search.query(text_query(self.params.terms))

    def filter(self, search: Search) -> Search:
        # FacetedSearch would use a post_filter and count each facet without its own
        # choice. The storefront counts every facet within all chosen filters (a chosen
        # county narrows the city and province counts too), as the database backend does.
        for chosen in self._filters.values():
            search = search.filter(chosen)
        return search

    def aggregate(self, search: Search) -> None:
        for name, facet in self.facets.items():
            search.aggs.bucket(name, facet.get_aggregation())

    def highlight(self, search: Search) -> Search:
        words = [alt for t in self.params.terms for alt in t.alternatives if has_cjk(alt)]
        if not words:
            return search  # pinyin only: nothing in the title to mark
        return search.highlight("title", number_of_fragments=0).highlight_options(
            pre_tags=["<mark>"],
            post_tags=["</mark>"],
            encoder="html",
            highlight_query=Q("bool", should=[Q("match_phrase", title=w) for w in words]).to_dict(),
        )


def _facet_values(facet, data) -> list[tuple[str, int]]:
    """(key, count) of the buckets with matches, by key, as the database backend gives them."""
    # A boolean field's buckets have keys 1 and 0; the storefront's in-stock keys are "1"/"0".
    values = []
    for key, count, _chosen in facet.get_values(data, []):
        if count > 0:
            values.append((str(int(key)) if isinstance(key, bool | int) else str(key), count))
    return sorted(values)


class ElasticsearchBackend:
    name = "elasticsearch"

    def search(self, params: SearchParams) -> SearchResult:
        if not params.terms:
            return SearchResult(product_ids=[], total=0, backend=self.name)
        if params.offset + params.page_size > MAX_RESULT_WINDOW:
            raise SearchBackendError(f"page {params.page} is past Elasticsearch's {MAX_RESULT_WINDOW}-result window")
        faceted = ProductSearch(params, index=alias_name(), using=get_client(), today=timezone.localdate())
        with backend_errors("search"):
            response = faceted.execute()
        try:
            body = response.to_dict()
            total = body["hits"]["total"]["value"]
            product_ids: list[int] = []
            highlights: dict[int, str] = {}
            for hit in body["hits"]["hits"]:
                pk = int(hit["_id"])
                title = hit.get("_source", {}).get("title", "")
                product_ids.append(pk)
                fragments = hit.get("highlight", {}).get("title") or []
                marked = safe_highlight(fragments[0], title) if fragments else None
                highlights[pk] = marked or highlight(title, list(params.terms))
            facets = {
                name: [
                    FacetValue(key=key, label="", count=count)
                    for key, count in _facet_values(ProductSearch.facets[name], getattr(response.aggregations, name))
                ]
                for name in FACET_NAMES
            }
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SearchBackendError(f"Elasticsearch search: unexpected response ({exc!r})") from exc
        return SearchResult(
            product_ids=product_ids, total=total, facets=facets, highlights=highlights, backend=self.name
        )

    def suggest(self, terms: list[QueryTerm], limit: int = 8) -> list[Suggestion]:
        """Products for what was typed so far, best first (every word a prefix, synonyms
        included), as (id, title): the selector checks the ids against the catalogue."""
        if not terms:
            return []
        s = Search(index=alias_name(), using=get_client()).query(text_query(terms))
        for clause in listed_now(timezone.localdate()):
            s = s.filter(clause)
        s = s.sort(*SORT_ORDERS["relevance"]).source(["title"]).extra(track_total_hits=False)[: limit * 4]
        with backend_errors("suggest"):
            response = s.execute()
        try:
            return [Suggestion(int(hit["_id"]), hit["_source"]["title"]) for hit in response.to_dict()["hits"]["hits"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise SearchBackendError(f"Elasticsearch suggest: unexpected response ({exc!r})") from exc
