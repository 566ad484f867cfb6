"""API routes of accounts: POST /auth/token, the household (members read-only), API tokens."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from colony.api_auth import RateLimit
from colony.api_schemas import COMMON_ERRORS, WRITE_ERRORS, ErrorResponse, PageQuery, page_of
from colony.api_schemas import paginate as paginate_rows
from colony.errors import DomainError
from formats.dates import format_day
from formats.locales import locale_label
from formats.numbers import example, symbols

from . import roles, selectors, services, two_factor
from .exceptions import InvalidTwoFactorCode, NotHouseholdMember, TwoFactorSetupRequired
from .models import ApiToken, Membership
from .schemas import (
    ApiTokenResponse,
    HouseholdResponse,
    HouseholdUpdate,
    MeResponse,
    TokenCreate,
    TokenCreated,
)
from .scoping import get_for_household

auth_router = Router(tags=["auth"])
household_router = Router(tags=["household"])
tokens_router = Router(tags=["tokens"])
me_router = Router(tags=["me"])


class WrongCredentials(DomainError):
    code = "INVALID_CREDENTIALS"
    message = "Wrong email or password."
    status = 401


class TwoFactorCodeRequired(DomainError):
    code = "TWO_FACTOR_CODE_REQUIRED"
    message = "This account logs in with two-factor: send `code` (app code or recovery code)."
    status = 401


class LockedOut(DomainError):
    code = "TOO_MANY_ATTEMPTS"
    message = "Too many failed attempts. Try again later."
    status = 429


@auth_router.post(
    "/token",
    auth=None,
    throttle=[RateLimit()],
    response={201: TokenCreated, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse},
    summary="Exchange email and password for a personal access token",
)
def create_token(request: HttpRequest, payload: TokenCreate):
    """Throttled and audited like the log-in form (django-axes counts failures per account and
    per address; every attempt is one audit line). The token's secret is in this answer only."""
    user = authenticate(request, username=payload.email.strip().lower(), password=payload.password)
    if getattr(request, "axes_locked_out", False):
        # AxesMiddleware answers with accounts.views.locked_out: this envelope + Retry-After.
        raise LockedOut()
    if user is None:
        raise WrongCredentials()
    membership = Membership.objects.select_related("household").filter(user=user).first()
    if two_factor.has_two_factor(user):
        # As on the log-in page: the password alone is not enough, and a wrong code counts
        # as a failed log-in for the account (axes throttles it like a password).
        if not payload.code:
            raise TwoFactorCodeRequired()
        if not two_factor.verify_second_factor(user=user, token=payload.code):
            credentials = {"username": user.email}
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            raise InvalidTwoFactorCode()
    elif membership is not None and membership.household.require_two_factor:
        raise TwoFactorSetupRequired()
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    if membership is None:
        raise NotHouseholdMember()
    token, secret = services.create_api_token(
        user=user,
        name=payload.name,
        expires_in_days=payload.expires_in_days,
        read_only=payload.read_only,
    )
    return Status(
        201,
        {
            "id": token.pk,
            "name": token.name,
            "token": secret,
            "read_only": token.read_only,
            "expires_at": token.expires_at,
        },
    )


def _household_answer(request: HttpRequest) -> dict:
    household = request.household
    return {
        "id": household.pk,
        "name": household.name,
        "base_currency": household.base_currency,
        "created_at": household.created_at,
        "your_role": request.membership.role,
        "members": list(selectors.household_members(household)),
    }


@household_router.get("", response={200: HouseholdResponse, **COMMON_ERRORS})
def household_detail(request: HttpRequest):
    """Your household and its members (read-only: members are managed on the household page)."""
    return _household_answer(request)


@household_router.patch("", response={200: HouseholdResponse, **WRITE_ERRORS})
def household_rename(request: HttpRequest, payload: HouseholdUpdate):
    """An owner renames the household."""
    services.rename_household(household=request.household, by=request.user, name=payload.name)
    return _household_answer(request)


@me_router.get("", response={200: MeResponse, **COMMON_ERRORS})
def me(request: HttpRequest):
    """Who is calling: user, role, household, the language of Colony's messages and the
    household's number and date format; the token used (null for a session)."""
    household, user, token = request.household, request.user, request.api_token
    code = household.format_locale
    group, decimal = symbols(code)
    return {
        "user": {"id": user.pk, "email": user.email, "name": user.display_name},
        "role": request.membership.role,
        "can_write": roles.can_write(request.membership) and not (token and token.read_only),
        "household": {
            "id": household.pk,
            "name": household.name,
            "base_currency": household.base_currency,
            "require_two_factor": household.require_two_factor,
        },
        "language": settings.LANGUAGE_CODE,
        "number_format": {
            "locale": code,
            "label": locale_label(code),
            "group": group,
            "decimal": decimal,
            "example": example(2, code),
            "date_example": format_day(date(2026, 12, 31), code),
        },
        "token": token,
    }


@tokens_router.get("", response={200: page_of(ApiTokenResponse), **COMMON_ERRORS})
def token_list(request: HttpRequest, page: Query[PageQuery]):
    """Your own API tokens, newest first (never their secrets)."""
    return paginate_rows(selectors.api_tokens_of(request.user), page)


@tokens_router.delete("/{int:pk}", response={204: None, **WRITE_ERRORS})
def token_revoke(request: HttpRequest, pk: int):
    """Revoke one of your tokens; it stops working at once (also the one making this call)."""
    token = get_for_household(ApiToken.objects.filter(user=request.user), request.household, pk=pk)
    services.revoke_api_token(token=token, by=request.user)
    return Status(204, None)
