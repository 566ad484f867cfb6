"""The address of the person behind a request, seen through the configured reverse proxies.

Every proxy in front of gunicorn appends the address it received the request from to
X-Forwarded-For, so with TRUSTED_PROXY_COUNT proxies the client is the entry that many places
from the right; anything further left was written by the client and can be forged. With no
proxy (the default outside production) the header is ignored and the socket address is used.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client IP: X-Forwarded-For read at the trusted proxy depth, else REMOTE_ADDR."""
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or None
    depth = settings.TRUSTED_PROXY_COUNT
    if depth <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request skipped a proxy; the left-most entry is the
    # furthest address any of them saw.
    entry = forwarded[-depth] if len(forwarded) >= depth else forwarded[0]
    return _valid(entry) or remote
