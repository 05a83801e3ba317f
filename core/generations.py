"""Versions of named things in the shared cache: the one mechanism every kept read, kept
fragment and kept page hangs on.

A *name* (``site``, ``product:42``, ``catalog:listing``, ``cms:menus``, …) has a version in
the cache that each change replaces (``bump``: at once, and again when the transaction
commits, so that what a process read from the old rows between the change and its commit
is not kept as new). Whatever is kept is keyed by the versions of the names it is made of;
after a change the old keys are simply never read again, in every process.

**One read per request.** A ``Generation`` registers its name; at the start of every GET
the page cache middleware (``core/page_cache.py``) reads the versions of all registered
names and of the tags every page names in one cache round trip (``begin_request``), before
any view reads the database. For the rest of that request, ``versions`` answers from this
snapshot: the kept category tree, counts, menus and served pages each cost their own read
only (the read that takes the versions at start is also the one that makes them safe: a
change committed after it cannot be kept under the versions read). ``fresh=True`` reads
the cache itself (the fragments compare the two to see whether anything changed since).

Reading costs no query; a name never seen, or evicted, gets a new version at once."""

import contextvars
import secrets
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

PREFIX = "v:"

_registered: set[str] = set()
_at_start: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("versions_at_start", default=None)


def _new_version() -> str:
    return secrets.token_hex(6)


def _read(names: list[str], extra_keys: Iterable[str] = ()) -> tuple[dict[str, str], dict]:
    keys = {PREFIX + name: name for name in names}
    extra_keys = list(extra_keys)
    found = cache.get_many([*keys, *extra_keys])
    missing = [key for key in keys if key not in found]
    for key in missing:
        cache.add(key, _new_version(), timeout=None)
    if missing:
        found.update(cache.get_many(missing))
    # "" when the cache is away: nothing can be kept then, and nothing is compared equal to it.
    return {name: found.get(key, "") for key, name in keys.items()}, {k: found[k] for k in extra_keys if k in found}


def versions(names: Iterable[str], *, fresh: bool = False) -> dict[str, str]:
    """The current version of each name: from this request's snapshot where it has one
    (unless ``fresh``), from the cache otherwise."""
    names = list(dict.fromkeys(names))
    snapshot = None if fresh else _at_start.get()
    known = {name: snapshot[name] for name in names if name in snapshot} if snapshot else {}
    todo = [name for name in names if name not in known]
    if todo:
        known.update(_read(todo)[0])
    return known


def bump(*names: str) -> None:
    """What is kept under ``names`` has changed: new versions now, and again at commit."""
    names = tuple(dict.fromkeys(name for name in names if name))
    if not names:
        return

    def replace():
        cache.set_many({PREFIX + name: _new_version() for name in names}, timeout=None)

    replace()
    if transaction.get_connection().in_atomic_block:  # else the change is committed already
        transaction.on_commit(replace)


class Generation:
    """One registered name: read once per request (``begin_request``)."""

    def __init__(self, name: str):
        self.name = name
        _registered.add(name)

    def current(self) -> str:
        return versions([self.name])[self.name]

    def replace(self, **kwargs) -> None:
        """Drop everything kept under this name (usable as a signal receiver)."""
        bump(self.name)


# --- kept in the process as well -------------------------------------------------------------------------------------

T = TypeVar("T")
_in_process: dict[str, object] = {}
IN_PROCESS_MAX = 256


def in_process(key: str, load: Callable[[], T]) -> T:
    """``load()`` (a read of something kept in the shared cache under ``key``, which carries
    the versions it hangs on), kept in this process under the same key: read again only
    when one of those versions changes, which gives a new key. For small values that are
    only read (the category tree, the menus): one cache round trip and one unpickling
    less per page. The oldest keys are never read again; all are dropped past
    ``IN_PROCESS_MAX``."""
    try:
        return _in_process[key]  # type: ignore[return-value]
    except KeyError:
        pass
    value = load()
    if value is not None:
        if len(_in_process) >= IN_PROCESS_MAX:
            _in_process.clear()
        _in_process[key] = value
    return value


# --- the request's snapshot ------------------------------------------------------------------------------------------


def begin_request(names: Iterable[str] = (), extra_keys: Iterable[str] = ()):
    """Read the versions of ``names`` and of every registered ``Generation``, and the cache
    entries ``extra_keys`` (the kept page), in one round trip; the versions stand for the
    rest of the request. Returns (versions, extra entries found, token for ``end_request``)."""
    known, extra = _read(list(dict.fromkeys([*names, *sorted(_registered)])), extra_keys)
    return known, extra, _at_start.set(known)


def end_request(token) -> None:
    _at_start.reset(token)
