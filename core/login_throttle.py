"""Sign-in throttling for every login page — Wagtail's ``/admin/login/``, the buyers'
``/orders/login/`` and Django's ``/django-admin/login/`` — through django-axes.

Failed sign-ins are counted in the database (axes' ``AccessAttempt`` rows, one per
username, address and browser, forgotten ``LOGIN_LOCKOUT_MINUTES`` after their last
failure), two ways:

* **by account**: ``LOGIN_FAILURE_LIMIT`` failures for one username, from any address,
  lock that username (a password guessed from many addresses);
* **by address**: ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures from one address, for any
  usernames, lock that address (one password tried against many accounts). It is set
  higher than the account limit, because one address can be a whole village's shared
  connection or an office behind one gateway: one person locking their own account does
  not lock their neighbours out.

While locked, every attempt — the right password too — is refused without being checked,
with ``locked_out``'s page (HTTP 429), and is not counted: the lock lifts
``LOGIN_LOCKOUT_MINUTES`` after the last counted failure. The client's address is
``core.client_address`` (``TRUSTED_PROXY_COUNT`` behind proxies)."""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):
    """First of ``AUTHENTICATION_BACKENDS``: refuses a locked account or address before any
    password is checked (``ModelBackend``, next in the list, checks it otherwise).

    ``authenticate()`` without a request — the shell, management commands, the test
    client's ``login()`` — comes from no client and so has nothing to throttle: it is let
    through to the next backend. Every sign-in page passes its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginThrottleHandler(AxesDatabaseHandler):
    """axes' database handler with a limit of its own for each way of counting: axes
    compares one number with one limit (``AXES_FAILURE_LIMIT``, the account limit), so the
    address's count is reported as reaching it once the address reaches its own limit."""

    def get_failures(self, request, credentials=None) -> int:
        counts = {
            str(parameter): attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for parameter, attempts in zip(
                get_lockout_parameters(request, credentials), self.get_user_attempts(request, credentials), strict=True
            )
        }
        by_account, by_address = counts.get("username", 0), counts.get("ip_address", 0)
        if by_address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_account, settings.LOGIN_FAILURE_LIMIT)
        return by_account


def locked_out(request, original_response=None, credentials=None):
    """The answer to a sign-in while locked: 429 Too Many Requests, with ``Retry-After`` —
    the refusal is about how many attempts came, and passes with time; a 403 would say
    this person may never sign in here."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    response = render(
        request,
        "accounts/login_locked.html",
        {"minutes": minutes, "login_url": request.path},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
