"""Domain errors and the one place that turns them into responses.

Services raise a `DomainError` subclass; they never build HTTP responses. The middleware below
renders every domain error the same way: a full error page for a normal request, or a message
fragment swapped into `#messages` for an HTMX request, always with the error's status code.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
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


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
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
