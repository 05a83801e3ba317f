"""Search index upkeep, run by Celery workers (eagerly with no broker)."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="search.reindex_products")
def reindex_products(product_ids: list[int]) -> int:
    """Rebuild the database entries of these products and, with Elasticsearch
    configured, push them there too (listed ones indexed, the rest removed)."""
    from .indexing import elasticsearch_enabled, index_products

    written = index_products(product_ids)
    if elasticsearch_enabled():
        from .backends.elasticsearch import push_products

        push_products(product_ids)
    return written
