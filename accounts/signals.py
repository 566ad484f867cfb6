"""Account events: a signal other apps use to set up a new household, and log-in audit lines."""

import logging

import django.dispatch
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from colony.client_address import client_address

# Sent by accounts.services.create_household once the household and its owner exist, inside the
# same transaction; receivers (e.g. default categories) must not commit on their own.
household_created = django.dispatch.Signal()

audit = logging.getLogger("colony.auth")


def _client_ip(request) -> str | None:
    return None if request is None else client_address(request)


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    audit.info(
        "login",
        extra={
            "event": "login",
            "outcome": "success",
            "user_id": user.pk,
            "ip": _client_ip(request),
        },
    )


@receiver(user_login_failed)
def log_login_failure(sender, credentials, request=None, **kwargs):
    # Never the password: only the account name that was tried.
    audit.warning(
        "login failed",
        extra={
            "event": "login",
            "outcome": "failure",
            "username": (credentials or {}).get("username"),
            "ip": _client_ip(request),
        },
    )


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs):
    audit.info(
        "logout",
        extra={"event": "logout", "user_id": getattr(user, "pk", None), "ip": _client_ip(request)},
    )
