"""Domain errors and the one place that turns them into responses.

Services raise a `DomainError` subclass; they never build HTTP responses. The middleware below
renders every domain error the same way: a full error page for a normal request, or a message
fragment swapped into `#messages` for an HTMX request, always with the error's status code.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("colony.errors")


class DomainError(Exception):
    """A broken business rule, with a stable code, a message for people and an HTTP status."""

    code: str = "DOMAIN_ERROR"
    message: str = "This action is not allowed."
    status: int = 400

    def __init__(self, message: str | None = None, *, code: str | None = None, status=None):
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(DomainError):
    code = "NOT_FOUND"
    message = "That page does not exist."
    status = 404


class Conflict(DomainError):
    code = "CONFLICT"
    message = "This conflicts with the current state."
    status = 409


class Unprocessable(DomainError):
    code = "UNPROCESSABLE"
    message = "These values cannot be used."
    status = 422


API_PREFIX = "/api/"
# The code an API error gets when nothing more specific raised it, by status.
API_CODES = {
    400: "BAD_REQUEST",
    401: "NOT_AUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    412: "PRECONDITION_FAILED",
    413: "PAYLOAD_TOO_LARGE",
    414: "URI_TOO_LONG",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    428: "PRECONDITION_REQUIRED",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
}
API_MESSAGES = {
    404: "Not found.",
    405: "This method is not allowed here.",
    500: "Something went wrong on our side.",
}


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error_response(
    *, code: str, message: str, status: int, details: dict | None = None
) -> JsonResponse:
    """The API's one error shape: {"success": false, "error": {code, message, details}}."""
    return JsonResponse(
        {
            "success": False,
            "error": {"code": code, "message": message, "details": details or {}},
        },
        status=status,
    )


# A domain error names the field as the service knows it; the API's field for a related object
# is its id (`category_id`), so details.fields uses the name the client sent.
API_FIELD_NAMES = {
    "category": "category_id",
    "payment_method": "payment_method_id",
    "member": "member_id",
    "owner": "owner_id",
}


def domain_error_details(error: DomainError) -> dict:
    """`fields` (the input the message is about: {"amount": ["…"]}, the same shape as a
    VALIDATION_ERROR's), the current version of a row a stale write missed (ExpenseChanged),
    and whatever `details` the error carries (e.g. the values saved meanwhile, for a
    conflict)."""
    details = dict(getattr(error, "details", None) or {})
    field = getattr(error, "field", None)
    if field:
        details["fields"] = {API_FIELD_NAMES.get(field, field): [error.message]}
    version = getattr(error, "version", None)
    if isinstance(version, int):
        details["current_version"] = version
    return details


def render_error(request: HttpRequest, *, code: str, message: str, status: int) -> HttpResponse:
    """Render an error as the page or, for HTMX, as a message swapped into `#messages`."""
    context = {"code": code, "message": message, "status": status}
    if getattr(request, "htmx", False):
        html = render_to_string("partials/_error_message.html", context, request=request)
        response = HttpResponse(html, status=status)
        # The element the request targeted keeps its content; the message goes to the banner.
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "innerHTML"
        return response
    html = render_to_string("errors/domain_error.html", context, request=request)
    return HttpResponse(html, status=status)


SERVER_ERROR_MESSAGE = (
    "Something went wrong on our side; nothing was half-saved. Try again in a moment, and if "
    "it keeps happening, tell whoever runs this Colony."
)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the error page, or for HTMX a message in `#messages` (never the whole page
    swapped into the element the request targeted). Django has logged the exception already;
    nothing here touches the database or the request's context, which may be what failed."""
    if request.headers.get("HX-Request") == "true":
        context = {"code": "SERVER_ERROR", "message": SERVER_ERROR_MESSAGE, "status": 500}
        response = HttpResponse(
            render_to_string("partials/_error_message.html", context), status=500
        )
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "innerHTML"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_api_request(request) and isinstance(exception, DomainError):
            return api_error_response(
                code=exception.code,
                message=exception.message,
                status=exception.status,
                details=domain_error_details(exception),
            )
        if isinstance(exception, DomainError):
            logger.info(
                "domain error",
                extra={"code": exception.code, "status": exception.status, "path": request.path},
            )
            return render_error(
                request, code=exception.code, message=exception.message, status=exception.status
            )
        if isinstance(exception, Http404) and getattr(request, "htmx", False):
            return render_error(request, code="NOT_FOUND", message=NotFound.message, status=404)
        return None


class ApiErrorEnvelopeMiddleware:
    """Under /api/, an error nothing else shaped (an unknown URL, a method a route does not
    take, a crash) still answers in the API's envelope, never an HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api_request(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            shaped = api_error_response(
                code=API_CODES.get(status, "ERROR"),
                message=API_MESSAGES.get(status, "The request failed."),
                status=status,
            )
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response
