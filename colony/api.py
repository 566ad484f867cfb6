"""Colony's JSON API, /api/v1/: one NinjaAPI, each app's router, and the one place API errors
are rendered — `{"success": false, "error": {"code", "message", "details"}}`."""

from __future__ import annotations

import functools
import math
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from colony import api_contract, api_idempotency
from colony.api_auth import RateLimit, SessionAuth, TokenAuth, over_rate_limit
from colony.api_idempotency import answer_once, claim_then_run
from colony.errors import API_CODES, DomainError, api_error_response, domain_error_details


class ColonyAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document also lists what the request layer answers
    (colony.api_contract) and whose 201 answers say where the new object lives."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return api_contract.describe(
            schema,
            root="/" + path_prefix.strip("/") + "/",
            idempotency_key=api_idempotency.HEADER_PARAMETER,
        )

    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        if response.status_code == 201:
            location = api_contract.created_location(self, request, data)
            if location:
                response["Location"] = location
        return response


api = ColonyAPI(
    title="Colony API",
    version="1.1",
    description=(
        "Household budgeting: cycles (their budgets and income), expenses, templates, "
        "payment methods, categories, reports and exchange rates. Authenticate with "
        "`Authorization: Bearer <token>` "
        "(create a token on the API tokens page of your account, or POST /api/v1/auth/token), "
        "or with Colony's session cookie plus the X-CSRFToken header. Money is always a "
        "string with the currency's decimals. Any POST may carry an `Idempotency-Key` "
        "header: the same key again within 24 hours replays the first answer instead of "
        "writing twice. "
        "A body is a JSON object with only the fields "
        "its schema names, and a query only the parameters its operation lists (else 422). "
        'Every error is `{"success": false, "error": {"code", "message", '
        '"details"}}`; an error about particular inputs names them in `details.fields`.'
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    throttle=[RateLimit()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)
# Idempotency-Key on every POST: the key is claimed once the person is known, the answer stored
# once rendered (colony.api_idempotency).
api.add_decorator(answer_once, mode="view")
api.add_decorator(claim_then_run, mode="operation")


def _validation_details(errors: list[dict]) -> dict:
    """Per-field messages: {"fields": {"amount": ["…"], "limit": ["…"]}}; "body" for the body
    as a whole (not a JSON object, or missing)."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "amount") → "amount"; ("body", "payload") → "body";
        # ("query", "limit") → "limit".
        if loc and loc[0] == "body":
            loc = loc[2:] or ["body"]
        elif loc:
            loc = loc[1:]
        name = ".".join(loc) or "__all__"
        message = error.get("msg", "Invalid value.")
        if error.get("type") == "extra_forbidden":
            message = "Unknown field: this operation does not take it."
        fields.setdefault(name, []).append(message)
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


@api.exception_handler(RequestDataTooBig)
def _too_large(request, error: RequestDataTooBig):
    # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE; as a SuspiciousOperation
    # it would be a bare 400.
    return api_error_response(
        code="PAYLOAD_TOO_LARGE", message="The body is too large.", status=413
    )


def _json_bodies_only(run):
    """Operations that take a body take it as JSON: another media type is 415 (before the
    body is read, so it is not 400 "cannot parse")."""

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any):
        operation = api_contract.described(api, request)
        if (
            operation
            and operation.has_body
            and api_contract.sends_other_than_json(request, operation.media_types)
        ):
            if "multipart/form-data" in operation.media_types:
                message = "Send the file as multipart/form-data."
            else:
                message = "Send the body as JSON (Content-Type: application/json)."
            return api_error_response(code="UNSUPPORTED_MEDIA_TYPE", message=message, status=415)
        return run(request, *args, **kwargs)

    return checked


def _listed_query_only(view):
    """A query parameter the operation does not list is refused (422, named in
    details.fields), not ignored: `?amount=42.80` on a route without that filter must not
    answer every row as if it had filtered."""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any):
        unknown = api_contract.unknown_query_names(api, request)
        if unknown:
            raise ValidationError(
                [
                    {
                        "loc": ("query", name),
                        "msg": "Unknown query parameter: this operation does not take it.",
                        "type": "unknown_query_parameter",
                    }
                    for name in unknown
                ]
            )
        return view(request, *args, **kwargs)

    return checked


# "view" runs before authentication and parsing; "operation" after both, like validation.
api.add_decorator(_json_bodies_only, mode="view")
api.add_decorator(_listed_query_only, mode="operation")


def _add_routers() -> None:
    from accounts.api import auth_router, household_router, me_router, tokens_router
    from budget.api import income_router
    from budget.api import router as cycles_router
    from exchange.api import router as rates_router
    from expenses.api import categories_router, expenses_router, payment_methods_router
    from expenses.imports.api import router as imports_router
    from reports.api import router as reports_router
    from sharing.api import balances_router, settlements_router
    from templates_app.api import router as templates_router

    api.add_router("/auth", auth_router)
    api.add_router("/me", me_router)
    api.add_router("/household", household_router)
    api.add_router("/tokens", tokens_router)
    api.add_router("/payment-methods", payment_methods_router)
    api.add_router("/categories", categories_router)
    api.add_router("/cycles", cycles_router)
    api.add_router("/expenses", expenses_router)
    api.add_router("/income", income_router)
    # /cycles/{pk}/imports… and /imports/{pk}…: the import's steps in one router.
    api.add_router("", imports_router)
    api.add_router("/templates", templates_router)
    api.add_router("/reports", reports_router)
    api.add_router("/rates", rates_router)
    api.add_router("/settlements", settlements_router)
    # /cycles/{id}/balances and /household/balances (a path each under others' prefixes).
    api.add_router("", balances_router)


_add_routers()
