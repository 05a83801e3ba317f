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
    return written


def elasticsearch_enabled() -> bool:
    """Searches and index upkeep go to Elasticsearch as well (ELASTICSEARCH_URL is set)."""
    return bool(getattr(settings, "ELASTICSEARCH_URL", ""))


def schedule_reindex(product_ids: Iterable[int]) -> None:
    """After the current transaction commits (at once outside one), reindex these
    products in Celery tasks of at most ``BATCH_SIZE`` ids each."""
    ids = sorted(set(product_ids))
    if not ids:
        return

    def send():
        from .tasks import reindex_products

        for start in range(0, len(ids), BATCH_SIZE):
            reindex_products.delay(ids[start : start + BATCH_SIZE])

    transaction.on_commit(send)
