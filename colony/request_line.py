"""Refusals decided by the request line alone (method and URI), before any session, user or
database is touched.

- TRACE (and IIS's TRACK) echo the request back: no use to Colony, a help to cross-site
  tracing. 405 everywhere, whatever the URL would otherwise do.
- A URI longer than MAX_URI_LENGTH is 414. gunicorn refuses request lines over its own
  `limit_request_line` with a fixed HTML page no application code sees (gunicorn.conf.py), so
  its limit is set above this one: every URI an API client can send long enough to be refused
  is refused here, in the API's JSON envelope.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from colony.errors import api_error_response, is_api_request

REFUSED_METHODS = frozenset({"TRACE", "TRACK"})
ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
# Far above any URL Colony makes (filters and paging stay under 1 KB), under gunicorn's 8190.
MAX_URI_LENGTH = 4096


def _refuse(request: HttpRequest, *, status: int, code: str, message: str) -> HttpResponse:
    if is_api_request(request):
        return api_error_response(code=code, message=message, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RequestLineMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in REFUSED_METHODS:
            response = _refuse(
                request,
                status=405,
                code="METHOD_NOT_ALLOWED",
                message="This method is not allowed here.",
            )
            response["Allow"] = ALLOWED_METHODS
            return response
        if len(request.get_full_path_info()) > MAX_URI_LENGTH:
            return _refuse(
                request,
                status=414,
                code="URI_TOO_LONG",
                message=f"The address is too long (at most {MAX_URI_LENGTH} characters).",
            )
        return self.get_response(request)
