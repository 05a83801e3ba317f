"""Bearer tokens for machines (a stream operator's viewer-metrics pusher, an officer's
report tools): 256 random bits after a readable prefix, shown once when made. Only a
SHA-256 hash is stored — the token is random, so a slow password hash would add nothing —
and its first characters, so people can tell their tokens apart."""

import hashlib
import secrets
from dataclasses import dataclass

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
