"""Search index upkeep: gathering the products a transaction changed (``schedule_reindex``)
and re-indexing them after commit in Celery tasks (eagerly with no broker)."""

import logging
from collections.abc import Iterable

from celery import shared_task
from django.db import transaction

from core.background import send_or_keep

from .backends import SearchBackendError
from .backends.elasticsearch import push_products
from .indexing import BATCH_SIZE, elasticsearch_enabled, index_changed, index_products

logger = logging.getLogger(__name__)

# Elasticsearch unreachable: try again after 10 s, 20 s, 40 s ... (at most 10 minutes).
MAX_PUSH_RETRIES = 8


@shared_task(name="search.reindex_products", bind=True, max_retries=MAX_PUSH_RETRIES)
def reindex_products(self, product_ids: list[int], database_ids: list[int] | None = None) -> int:
    """Rebuild the database entries of ``database_ids`` (all of ``product_ids`` when not
    given) and, with Elasticsearch configured, push ``product_ids`` there in one bulk
    request: listed products indexed, the rest deleted. Returns the entries written."""
    written = index_products(product_ids if database_ids is None else database_ids)
    if not elasticsearch_enabled():
        return written
    try:
        push_products(product_ids)
        index_changed()
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
        ids, database_ids = sorted(self.ids), self.database_ids
        self.ids, self.database_ids = set(), set()
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            # Kept and re-sent later if the broker is away (core.background).
            send_or_keep(reindex_products, [chunk], {"database_ids": [pk for pk in chunk if pk in database_ids]})


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
