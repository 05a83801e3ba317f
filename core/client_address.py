"""The address of the client a request comes from: the one rule for every limit counted
per address (sign-in throttling).

Without a proxy in front (``TRUSTED_PROXY_COUNT`` = 0, the default) it is ``REMOTE_ADDR``
and every forwarding header is ignored: a client could write anything in one. Behind
proxies, set ``TRUSTED_PROXY_COUNT`` to how many of them stand in front of Django; each
appends the address it received the request from to ``X-Forwarded-For``, so the client is
the entry that many places from the right. Entries further left were written by the
client and are never read. A header with fewer entries than that (a request that did not
come through every proxy), or an entry that is not an IP address, gives ``REMOTE_ADDR``."""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
