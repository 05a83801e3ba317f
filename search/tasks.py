"""Search index upkeep, run by Celery workers (eagerly with no broker)."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)

# Elasticsearch unreachable: try again after 10 s, 20 s, 40 s ... (at most 10 minutes).
MAX_PUSH_RETRIES = 8


@shared_task(name="search.reindex_products", bind=True, max_retries=MAX_PUSH_RETRIES)
def reindex_products(self, product_ids: list[int], database_ids: list[int] | None = None) -> int:
    """Rebuild the database entries of ``database_ids`` (all of ``product_ids`` when not
    given) and, with Elasticsearch configured, push ``product_ids`` there in one bulk
    request: listed products indexed, the rest deleted. Returns the entries written."""
    from .backends import SearchBackendError
    from .indexing import elasticsearch_enabled, index_products

    written = index_products(product_ids if database_ids is None else database_ids)
    if not elasticsearch_enabled():
        return written
    from .backends.elasticsearch import push_products

    try:
        push_products(product_ids)
    except SearchBackendError as exc:
        if self.request.is_eager:
            # No worker to retry later. The storefront stays right meanwhile (certificate
            # validity is a query-time filter and the selector re-checks every id against
            # the catalogue); the index catches up on the next change or search_reindex.
            logger.error("Elasticsearch push of %d products failed: %s", len(product_ids), exc)
            return written
        logger.warning("Elasticsearch push of %d products failed, retrying: %s", len(product_ids), exc)
        # The database entries are written; the retry only pushes.
        raise self.retry(
            exc=exc, args=(product_ids,), kwargs={"database_ids": []}, countdown=min(600, 10 * 2**self.request.retries)
        ) from exc
    return written
