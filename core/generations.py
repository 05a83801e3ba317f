"""Generations: a name in the shared cache whose value each change replaces, so that cached
reads keyed by it are dropped at once in every process (the old keys are simply never read
again), and a process that read the database just before a change cannot store the old
result under the key the next request reads. Reading one costs a cache read, no query.

``cms/menus.py`` keeps its own (it came first); the catalogue's reads (``catalog/caching.py``)
and the catalogue page kept for serving (``cms/serving.py``) use this."""

from uuid import uuid4

from django.core.cache import cache
from django.db import transaction


class Generation:
    def __init__(self, key: str):
        self.key = key

    def current(self) -> str:
        generation = cache.get(self.key)
        if generation is None:
            generation = uuid4().hex
            if not cache.add(self.key, generation, None):
                generation = cache.get(self.key) or generation
        return generation

    def replace(self, **kwargs) -> None:
        """Drop everything keyed by this generation (usable as a signal receiver): now, and
        again once the transaction commits, so that what another process read and kept
        between the change and its commit is dropped too."""
        cache.set(self.key, uuid4().hex, None)
        transaction.on_commit(lambda: cache.set(self.key, uuid4().hex, None))
