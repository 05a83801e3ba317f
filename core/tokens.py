"""Bearer tokens for machines (a stream operator's viewer-metrics pusher, an officer's
report tools): 256 random bits after a readable prefix, shown once when made. Only a
SHA-256 hash is stored — the token is random, so a slow password hash would add nothing —
and its first characters, so people can tell their tokens apart. Requests bring it as
``Authorization: Bearer <token>`` (``token_from_header``) and are counted per minute
(``within_rate``)."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext

from .errors import DomainError

SHOWN_CHARS = 10


@dataclass(frozen=True)
class NewToken:
    text: str  # give this to the user, once
    hash: str  # store this
    shown: str  # and this, to recognise it later

    @classmethod
    def make(cls, prefix: str) -> "NewToken":
        text = prefix + secrets.token_urlsafe(32)
        return cls(text=text, hash=hash_token(text), shown=text[:SHOWN_CHARS])


def hash_token(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class TokenRefused(DomainError):
    """A machine's request is refused for its credential: ``status`` 401 (none or unknown)
    or 403 (revoked, or another resource's)."""

    def __init__(self, message: str, status: int):
        self.status = status
        super().__init__(message)


def token_from_header(header: str) -> str:
    """The token of an ``Authorization: Bearer <token>`` header, or TokenRefused (401)."""
    scheme, _sep, value = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise TokenRefused(gettext("缺少令牌：请在 Authorization 头中使用 Bearer 令牌"), 401)
    return value.strip()


def within_rate(key: str, per_minute: int, now: dt.datetime) -> int:
    """Count one request against ``key``'s budget of ``per_minute`` in the current minute.
    Returns 0 when within it, else the seconds until the next minute (for Retry-After).
    When the cache (Redis) is away nothing is counted and the request goes through."""
    minute = int(now.timestamp() // 60)
    slot = f"rate:{key}:{minute}"
    cache.add(slot, 0, timeout=120)
    try:
        count = cache.incr(slot)
    except ValueError:  # evicted between add and incr
        cache.set(slot, 1, timeout=120)
        count = 1
    if count is None:
        return 0
    if count > per_minute:
        return 60 - int(now.timestamp()) % 60
    return 0
