"""A household reads its own statement with its registration number and the access code
its shop issued.

Two things matter: it must not tell a stranger whether a registration number exists, and
it must not let anyone try codes at speed.

* An unknown number and a wrong code give the same answer after the same work: the same
  counter is taken, and a password hash is checked either way.
* **Per household, atomically.** Each registration number has one counter row
  (``StatementLookupCounter``). Before a code is checked, one check is *taken* from it by a
  conditional UPDATE (``checks < STATEMENT_LOOKUP_MAX_FAILURES``); a right code gives its
  check back. So exactly that many wrong codes are checked per
  ``STATEMENT_LOOKUP_WINDOW_MINUTES`` window, however many arrive at once: the database
  serialises the UPDATEs on the row. Once none is left, every attempt for that number —
  the right code too — is refused unchecked until the window, counted from its first
  check, has passed. Issuing a new code starts the household's count afresh.
* **Not by address.** Nothing is counted per client address: one address can be a
  village's shared connection or a proxy, and an address limit would let one person's
  mistakes (or an attacker's) lock every household behind it out of its right code. What
  an address limit would add against guessing is small: codes are 8 characters of 32
  (about 10¹² values), and each household allows 5 guesses per window wherever they come
  from. Floods from one address are the front proxy's to limit."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from producers.models import Household

from .models import StatementAccess, StatementLookupCounter

# A hash of nothing anybody knows, checked when the number is unknown so that both
# answers cost the same.
_DUMMY_HASH = make_password("statement-lookup-unknown-household")


@dataclass(frozen=True)
class LookupResult:
    household: Household | None
    throttled: bool = False


def number_digest(registration_number: str) -> str:
    """The counter's key: a hash of the number keyed with SECRET_KEY (a plain hash of an
    18-digit number with a known structure could be reversed by trying them all)."""
    return salted_hmac("attribution.statement-lookup", registration_number, algorithm="sha256").hexdigest()


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.STATEMENT_LOOKUP_WINDOW_MINUTES)


def _take_check(digest: str) -> bool:
    """Take one code check from the number's counter; False when none is left in the
    window. Each step is one statement, atomic on its own: concurrent callers queue on the
    row, and PostgreSQL re-reads a row a concurrent UPDATE changed before matching it."""
    now = timezone.now()
    StatementLookupCounter.objects.bulk_create(
        [StatementLookupCounter(number_digest=digest, window_start=now, checks=0)], ignore_conflicts=True
    )
    counter = StatementLookupCounter.objects.filter(number_digest=digest)
    # A window that has passed starts again, with this check as its first.
    if counter.filter(window_start__lte=now - _window()).update(window_start=now, checks=1):
        return True
    return bool(counter.filter(checks__lt=settings.STATEMENT_LOOKUP_MAX_FAILURES).update(checks=F("checks") + 1))


def _give_back_check(digest: str) -> None:
    StatementLookupCounter.objects.filter(number_digest=digest, checks__gt=0).update(checks=F("checks") - 1)


def reset_lookups(registration_number: str) -> None:
    """Start the number's count afresh (a new code was issued: nobody has guessed at it)."""
    StatementLookupCounter.objects.filter(number_digest=number_digest(registration_number)).delete()


def purge_lookup_counters() -> int:
    """Delete the counters whose window has passed (they would start afresh anyway)."""
    deleted, _ = StatementLookupCounter.objects.filter(window_start__lte=timezone.now() - _window()).delete()
    return deleted


def lookup_household(registration_number: str, access_code: str) -> LookupResult:
    """The household whose number and current code these are, or None (``throttled`` when
    the number has no check left in its window)."""
    digest = number_digest(registration_number)
    if not _take_check(digest):
        return LookupResult(None, throttled=True)
    access = (
        StatementAccess.objects.select_related("household__village")
        .filter(household__registration_number=registration_number)
        .first()
    )
    matches = check_password(access_code, access.code_hash if access else _DUMMY_HASH)
    if access is not None and matches:
        _give_back_check(digest)
        return LookupResult(access.household)
    return LookupResult(None)
