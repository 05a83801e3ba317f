"""The database search index: writing products' entries (``documents.entry_for``) in
batches.

The database index (``ProductSearchEntry``) is written in the same transaction as the
product itself, so it can never disagree with what was committed. Changes that touch
many products (a shop, producer, category or region renamed) and every Elasticsearch
push run after commit in a Celery task, batched by product ids (``tasks.py``)."""

import logging
import sys
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from tqdm import tqdm

from catalog.models import Product
from core.generations import Generation

from .backends.database import MATCH_TABLE
from .documents import BATCH_SIZE, entry_for, products_for_indexing
from .models import ProductSearchEntry

logger = logging.getLogger(__name__)

__all__ = ["BATCH_SIZE", "elasticsearch_enabled", "index_changed", "index_products", "rebuild_database_index"]

# Replaced whenever entries are written (database or Elasticsearch): kept search answers
# (``selectors.run_search``) hang on it, beside the listing's generation and the day.
index = Generation("search:index")


def index_changed() -> None:
    index.replace()


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
            index_changed()
        written += len(entries)
    return written


def rebuild_database_index(*, progress: bool = False, batch_size: int = BATCH_SIZE) -> int:
    """Every product's entry, from scratch, in batches. Returns the number of entries."""
    total = Product.objects.count()
    bar = tqdm(total=total, desc="搜索索引", unit="件", file=sys.stderr, disable=not progress)
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
    index_changed()
    if connection.vendor == "postgresql":
        # Every row was rewritten: give the planner fresh statistics now rather than
        # whenever autovacuum gets to it (search plans depend on them).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ProductSearchEntry._meta.db_table}, {MATCH_TABLE}")
    return written


def elasticsearch_enabled() -> bool:
    """Searches and index upkeep go to Elasticsearch as well (ELASTICSEARCH_URL is set)."""
    return bool(getattr(settings, "ELASTICSEARCH_URL", ""))
