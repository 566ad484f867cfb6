"""Colony's JSON API, /api/v1/: one NinjaAPI, each app's router, and the one place API errors
are rendered — `{"success": false, "error": {"code", "message", "details"}}`."""

from __future__ import annotations

import math

from django.http import Http404, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from colony.api_auth import RateLimit, SessionAuth, TokenAuth, over_rate_limit
from colony.errors import API_CODES, DomainError, api_error_response, domain_error_details

api = NinjaAPI(
    title="Colony API",
    version="1",
    description=(
        "Household budgeting: cycles (their budgets and income), expenses, templates, "
        "payment methods, categories, reports and exchange rates. Authenticate with "
        "`Authorization: Bearer <token>` "
        "(create a token on the API tokens page of your account, or POST /api/v1/auth/token), "
        "or with Colony's session cookie plus the X-CSRFToken header. Money is always a "
        "string with the currency's decimals."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    throttle=[RateLimit()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _validation_details(errors: list[dict]) -> dict:
    """Per-field messages: {"fields": {"amount": ["…"], "limit": ["…"]}}."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "amount") → "amount"; ("query", "limit") → "limit".
        if loc and loc[0] == "body":
            loc = loc[2:] or loc[1:]
        elif loc:
            loc = loc[1:]
        name = ".".join(loc) or "__all__"
        fields.setdefault(name, []).append(error.get("msg", "Invalid value."))
    return {"fields": fields}


@api.exception_handler(DomainError)
def _domain_error(request, error: DomainError):
    return api_error_response(
        code=error.code,
        message=error.message,
        status=error.status,
        details=domain_error_details(error),
    )


@api.exception_handler(ValidationError)
def _validation_error(request, error: ValidationError):
    return api_error_response(
        code="VALIDATION_ERROR",
        message="Some values are missing or not valid.",
        status=422,
        details=_validation_details(error.errors),
    )


@api.exception_handler(Http404)
def _not_found(request, error):
    return api_error_response(code="NOT_FOUND", message="Not found.", status=404)


@api.exception_handler(AuthenticationError)
def _not_authenticated(request, error: AuthenticationError):
    # Throttles run only after authentication: a refused credential is counted here, per
    # client address (the request has no user), so guessing or a broken script is limited too.
    wait = over_rate_limit(request)
    if wait is not None:
        return _rate_limited(wait)
    message = error.message if error.message != "Unauthorized" else "Authentication required."
    response = api_error_response(code="NOT_AUTHENTICATED", message=message, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="colony"'
    return response


def _rate_limited(wait: float | None) -> HttpResponse:
    response = api_error_response(
        code="RATE_LIMITED",
        message="Too many requests. Wait a moment and try again.",
        status=429,
    )
    if wait is not None:
        response["Retry-After"] = str(math.ceil(wait))
    return response


@api.exception_handler(Throttled)
def _throttled(request, error: Throttled):
    # ninja adds Retry-After to what this returns.
    return _rate_limited(None)


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    status = error.status_code
    return api_error_response(
        code=API_CODES.get(status, "ERROR"), message=str(error), status=status
    )


def _add_routers() -> None:
    from accounts.api import auth_router, household_router, tokens_router
    from budget.api import income_router
    from budget.api import router as cycles_router
    from exchange.api import router as rates_router
    from expenses.api import categories_router, expenses_router, payment_methods_router
    from reports.api import router as reports_router
    from sharing.api import balances_router, settlements_router
    from templates_app.api import router as templates_router

    api.add_router("/auth", auth_router)
    api.add_router("/household", household_router)
    api.add_router("/tokens", tokens_router)
    api.add_router("/payment-methods", payment_methods_router)
    api.add_router("/categories", categories_router)
    api.add_router("/cycles", cycles_router)
    api.add_router("/expenses", expenses_router)
    api.add_router("/income", income_router)
    api.add_router("/templates", templates_router)
    api.add_router("/reports", reports_router)
    api.add_router("/rates", rates_router)
    api.add_router("/settlements", settlements_router)
    # /cycles/{id}/balances and /household/balances (a path each under others' prefixes).
    api.add_router("", balances_router)


_add_routers()
