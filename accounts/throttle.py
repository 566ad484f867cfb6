"""Log-in throttling policy, on top of django-axes' stored failures (see README, Production).

Three rules, each over the failures of the last AXES_COOLOFF_TIME:

* one account from one address: AXES_FAILURE_LIMIT failures lock that pair only, so one
  person's typos never lock the other people behind the same home router;
* one account from any addresses: AXES_ACCOUNT_FAILURE_LIMIT failures lock the account
  everywhere, except from an address it logged in from successfully within
  AXES_KNOWN_ADDRESS_DAYS (so a guesser elsewhere does not lock the owner out at home);
* one address trying many accounts: failures for AXES_ADDRESS_ACCOUNT_LIMIT different
  accounts lock the address for every account.

Only checked attempts count: one refused while locked is not recorded and does not renew the
lock (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off), so one address adds at most
AXES_FAILURE_LIMIT failures to the account-wide count and cannot trip it alone.

The address is the client's, read through the configured proxies (colony.client_address).
"""

from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

# The longest username axes can store; longer input is cut so that storing it never fails.
USERNAME_MAX_LENGTH = AccessAttempt._meta.get_field("username").max_length


def attempted_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The account a log-in attempt is for, spelled as the log-in form normalises it."""
    if credentials:
        value = credentials.get("username")
    else:
        value = getattr(request, "POST", {}).get("username")
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()[:USERNAME_MAX_LENGTH]


class LoginThrottle(AxesDatabaseHandler):
    """Axes' database handler with Colony's three lock-out rules (module docstring)."""

    def get_failures(self, request, credentials=None) -> int:
        """Failures of this account from this address, or the limit when a wider rule trips."""
        username = attempted_username(request, credentials)
        address = request.axes_ip_address
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        pair = (
            recent.filter(username=username, ip_address=address).aggregate(
                n=Sum("failures_since_start")
            )["n"]
            or 0
        )
        limit = get_failure_limit(request, credentials)
        if pair >= limit:
            return pair
        if self._address_tried_many_accounts(recent, address) or self._account_guessed_widely(
            request, recent, username, address
        ):
            return limit
        return pair

    @staticmethod
    def _address_tried_many_accounts(recent, address) -> bool:
        if address is None:
            return False
        accounts = (
            recent.filter(ip_address=address, username__isnull=False)
            .values("username")
            .distinct()[: settings.AXES_ADDRESS_ACCOUNT_LIMIT]
        )
        return accounts.count() >= settings.AXES_ADDRESS_ACCOUNT_LIMIT

    @staticmethod
    def _account_guessed_widely(request, recent, username, address) -> bool:
        if username is None:
            return False
        failures = (
            recent.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0
        )
        if failures < settings.AXES_ACCOUNT_FAILURE_LIMIT:
            return False
        now = getattr(request, "axes_attempt_time", None) or timezone.now()
        known_since = now - timedelta(days=settings.AXES_KNOWN_ADDRESS_DAYS)
        return not AccessLog.objects.filter(
            username=username, ip_address=address, attempt_time__gte=known_since
        ).exists()
