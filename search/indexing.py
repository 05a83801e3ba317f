"""Keeping the search index in step with the catalogue.

The database index (``ProductSearchEntry``) is written in the same transaction as the
product itself, so it can never disagree with what was committed. Changes that touch
many products (a shop, producer, category or region renamed) and every Elasticsearch
push run after commit in a Celery task, batched by product ids."""

import logging
import sys
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from tqdm import tqdm

from catalog.models import Product

from .backends.database import MATCH_TABLE
from .models import ProductSearchEntry
from .text import document_tokens, normalise, pinyin_tokens

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000


def products_for_indexing():
    return Product.objects.select_related(
        "shop", "producer", "category__parent", "origin_region__parent__parent__parent__parent"
    ).order_by("pk")


def region_names(region) -> list[str]:
    """The origin and its ancestors' names, village up to province."""
    names = []
    while region is not None:
        names.append(region.name)
        region = region.parent
    return names


def category_names(category) -> list[str]:
    return [category.name] + ([category.parent.name] if category.parent_id else [])


def other_texts(product: Product) -> list[str]:
    """Everything searchable about a product besides its title: summary, description,
    producer, shop, categories and origin (village up to province)."""
    return [
        product.summary,
        product.description,
        product.producer.name,
        product.shop.name,
        *category_names(product.category),
        *region_names(product.origin_region),
    ]


def entry_for(product: Product) -> ProductSearchEntry:
    """The search row of one product (its relations loaded as by ``products_for_indexing``)."""
    regions = region_names(product.origin_region)
    categories = category_names(product.category)
    others = other_texts(product)
    title_tokens = document_tokens([product.title])
    # Bigrams for the title only: elsewhere they would double the index for little gain.
    body_tokens = [t for t in document_tokens(others, with_bigrams=False) if t not in set(title_tokens)]
    body_tokens += pinyin_tokens([*categories, *regions])
    body_tokens = list(dict.fromkeys(body_tokens))
    title_pinyin = " ".join(pinyin_tokens([product.title]))[:500]
    raw = " | ".join(normalise(t) for t in [product.title, *others] if t)
    return ProductSearchEntry(
        product_id=product.pk,
        title_tokens=" ".join(title_tokens),
        title_pinyin=title_pinyin,
        body_tokens=" ".join(body_tokens),
        # PostgreSQL matches on the generated tsvector; the substring column would only
        # make its rows (and every scan of them) wider.
        document=""
        if connection.vendor == "postgresql"
        else f" {' '.join(title_tokens)} {title_pinyin} {' '.join(body_tokens)} | {raw} ",
    )


def index_products(product_ids: Iterable[int]) -> int:
    """(Re)build the database entries of these products; entries of products that no
    longer exist are removed. Returns how many entries were written."""
    ids = sorted(set(product_ids))
    written = 0
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        entries = [entry_for(p) for p in products_for_indexing().filter(pk__in=chunk)]
        with transaction.atomic():
            ProductSearchEntry.objects.filter(product_id__in=chunk).delete()
            ProductSearchEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
        written += len(entries)
    return written


def rebuild_database_index(*, progress: bool = False, batch_size: int = BATCH_SIZE) -> int:
    """Every product's entry, from scratch, in batches. Returns the number of entries."""
    total = Product.objects.count()
    bar = tqdm(total=total, desc="搜索索引 search index", unit="件", file=sys.stderr, disable=not progress)
    ProductSearchEntry.objects.all().delete()
    written = 0
    last_pk = 0
    while True:
        batch = list(products_for_indexing().filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            break
        ProductSearchEntry.objects.bulk_create([entry_for(p) for p in batch], batch_size=batch_size)
        last_pk = batch[-1].pk
        written += len(batch)
        bar.update(len(batch))
    bar.close()
    if connection.vendor == "postgresql":
        # Every row was rewritten: give the planner fresh statistics now rather than
        # whenever autovacuum gets to it (search plans depend on them).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ProductSearchEntry._meta.db_table}, {MATCH_TABLE}")
    return written


def elasticsearch_enabled() -> bool:
    """Searches and index upkeep go to Elasticsearch as well (ELASTICSEARCH_URL is set)."""
    return bool(getattr(settings, "ELASTICSEARCH_URL", ""))


class _PendingReindex:
    """The product ids waiting to be re-indexed on one database connection, sent as ONE
    batch of Celery tasks when the transaction commits: a transaction that saves 500
    products gives one task and one Elasticsearch bulk request, not 500.

    Every ``schedule_reindex`` call registers an on-commit callback, and the first one
    to run sends everything gathered so far; the others find nothing left. Django forgets
    the callbacks of a rolled-back savepoint: ids it added still go with the commit, where
    re-indexing them only confirms what the database holds. A rolled-back transaction
    leaves its batch behind, and the next transaction starts a new one.

    ``database_ids`` also need their database entry rebuilt (a shop or region renamed);
    the others only need pushing to Elasticsearch (the product's own save already wrote
    its entry)."""

    def __init__(self, transaction_block=None) -> None:
        # The outermost atomic block of the transaction the ids belong to.
        self.transaction_block = transaction_block
        self.ids: set[int] = set()
        self.database_ids: set[int] = set()

    def add(self, ids: set[int], *, database: bool) -> None:
        self.ids |= ids
        if database:
            self.database_ids |= ids

    def flush(self) -> None:
        from .tasks import reindex_products

        ids, database_ids = sorted(self.ids), self.database_ids
        self.ids, self.database_ids = set(), set()
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            reindex_products.delay(chunk, database_ids=[pk for pk in chunk if pk in database_ids])


def schedule_reindex(product_ids: Iterable[int], *, database: bool = True) -> None:
    """After the current transaction commits (at once outside one), re-index these
    products in Celery tasks of at most ``BATCH_SIZE`` ids: their database entries (unless
    ``database=False``) and, with Elasticsearch configured, their documents. Calls within
    one transaction add up to one batch."""
    ids = set(product_ids)
    if not ids or not (database or elasticsearch_enabled()):
        return
    connection = transaction.get_connection()
    block = connection.atomic_blocks[0] if connection.in_atomic_block else None
    pending = getattr(connection, "_product_search_pending", None)
    if block is None:
        pending = _PendingReindex()  # autocommit: sent right away by on_commit below
    elif pending is None or pending.transaction_block is not block:
        pending = connection._product_search_pending = _PendingReindex(block)
    pending.add(ids, database=database)
    # robust: a failing push (Elasticsearch down, eager Celery) must not turn the request
    # that committed the change into an error page.
    transaction.on_commit(pending.flush, robust=True)
