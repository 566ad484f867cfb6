"""Who an API request is, what it may do, and how often: bearer tokens or the session (with
CSRF), read-only refusal of writes, and a rate limit shared by every worker — per person (all
their tokens and their session together) and, for requests without a usable credential
(every 401 included), per client address.

Every authenticated API request gets `request.user`, `request.membership`, `request.household`
and `request.api_token` (None for a session), like HouseholdMiddleware gives a page.
"""

from __future__ import annotations

import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.throttling import BaseThrottle
from ninja.utils import check_csrf

from accounts import services as account_services
from accounts.exceptions import NotHouseholdMember
from accounts.roles import ensure_can_write
from colony.client_address import client_address
from colony.errors import DomainError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadOnlyAccess(DomainError):
    code = "READ_ONLY"
    message = "This token is read-only: it cannot change anything."
    status = 403


class CsrfFailed(DomainError):
    code = "CSRF_FAILED"
    message = "The CSRF token is missing or wrong. Send the X-CSRFToken header with a session."
    status = 403


def _bind(request: HttpRequest, *, user, membership, token) -> None:
    request.user = user
    request.membership = membership
    request.household = membership.household
    request.api_token = token
    if request.method not in SAFE_METHODS:
        if token is not None and token.read_only:
            raise ReadOnlyAccess()
        ensure_can_write(membership)  # a viewer's token (or session) only reads


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: a personal access token. A token that is sent but not
    usable (unknown, expired, revoked, member removed) is 401 whatever else the request holds."""

    def authenticate(self, request: HttpRequest, token: str):
        found = account_services.token_for_secret(token.strip())
        if found is None:
            raise AuthenticationError(
                401, "The API token is not valid, has expired or was revoked."
            )
        account_services.record_token_use(token=found, ip=get_client_ip_address(request))
        _bind(request, user=found.user, membership=found.user.membership, token=found)
        return found.user


class SessionAuth(APIKeyCookie):
    """Colony's own pages calling the API with the log-in session; writes need the CSRF token
    (X-CSRFToken header), exactly like a form post."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # anonymous: 401, not a CSRF failure
        if check_csrf(request):
            raise CsrfFailed()
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key):
        membership = getattr(request, "membership", None)
        if membership is None:
            raise NotHouseholdMember()
        _bind(request, user=request.user, membership=membership, token=None)
        return request.user


def client_key(request: HttpRequest) -> str:
    """Whose requests are counted together: a person's (every token of theirs and their
    session: ten tokens are not ten budgets), else the client address's."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_address(request) or 'unknown'}"


def over_rate_limit(request: HttpRequest) -> float | None:
    """Count this request for its client_key; None while within API_RATE_LIMIT_PER_MINUTE per
    clock minute, else the seconds until the next minute. Counted in the database, so every
    stateless worker shares the count."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    if limit <= 0:
        return None
    now = time.time()
    minute = int(now // 60)
    count = account_services.count_api_request(key=client_key(request)[:64], minute=minute)
    return None if count <= limit else (minute + 1) * 60 - now


class RateLimit(BaseThrottle):
    """At most API_RATE_LIMIT_PER_MINUTE requests per person (or per address, for the token
    endpoint); a runaway script cannot starve the household's pages. A request refused with
    401 never reaches a throttle: the API's 401 handler counts it (over_rate_limit)."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        self._wait = over_rate_limit(request)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait
