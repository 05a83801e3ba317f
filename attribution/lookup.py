"""A household reads its own statement with its registration number and the access code
its shop issued.

Two things matter: it must not tell a stranger whether a registration number exists, and
it must not let anyone try codes at speed. So an unknown number and a wrong code give the
same answer after the same work (a password hash is checked either way), and failed
attempts are counted per client address and per registration number in the cache; past
``STATEMENT_LOOKUP_MAX_FAILURES`` within ``STATEMENT_LOOKUP_WINDOW_MINUTES`` every
attempt is refused — right or wrong — until the window passes."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache

from producers.models import Household

from .models import StatementAccess

# A hash of nothing anybody knows, checked when the number is unknown so that both
# answers cost the same.
_DUMMY_HASH = make_password("statement-lookup-unknown-household")


@dataclass(frozen=True)
class LookupResult:
    household: Household | None
    throttled: bool = False


def _keys(client: str, registration_number: str) -> list[str]:
    number = hashlib.sha256(registration_number.encode()).hexdigest()[:32]
    return [f"statement-lookup:client:{client}", f"statement-lookup:number:{number}"]


def _throttled(keys: list[str]) -> bool:
    limit = settings.STATEMENT_LOOKUP_MAX_FAILURES
    return any((cache.get(key) or 0) >= limit for key in keys)


def _count_failure(keys: list[str]) -> None:
    timeout = settings.STATEMENT_LOOKUP_WINDOW_MINUTES * 60
    for key in keys:
        if cache.add(key, 1, timeout):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout)


def lookup_household(registration_number: str, access_code: str, *, client: str) -> LookupResult:
    """The household whose number and current code these are, or None. ``client`` is the
    caller's address (rate limiting)."""
    keys = _keys(client, registration_number)
    if _throttled(keys):
        return LookupResult(None, throttled=True)
    access = (
        StatementAccess.objects.select_related("household__village")
        .filter(household__registration_number=registration_number)
        .first()
    )
    matches = check_password(access_code, access.code_hash if access else _DUMMY_HASH)
    if access is not None and matches:
        return LookupResult(access.household)
    _count_failure(keys)
    return LookupResult(None)
