"""Refusals decided by the request line alone (method and URI), before any session, user or
database is touched.

- TRACE (and IIS's TRACK) echo the request back: no use to Colony, a help to cross-site
  tracing. 405 everywhere, whatever the URL would otherwise do.
- An API URI longer than MAX_API_URI_LENGTH is 414 in the API's JSON envelope. gunicorn
  refuses request lines over its own `limit_request_line` with a fixed HTML page no
  application code sees (gunicorn.conf.py), so its limit is set well above this one: an API
  client sending too long a URI hears so in JSON unless it is absurdly long. Pages take any
  URI gunicorn lets through: their forms answer an over-long value with a field error.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from colony.errors import api_error_response, is_api_request

REFUSED_METHODS = frozenset({"TRACE", "TRACK"})
ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
# Far above any URL the API needs (filters and paging stay under 1 KB), under gunicorn's 8190.
MAX_API_URI_LENGTH = 4096


class RequestLineMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in REFUSED_METHODS:
            message = "This method is not allowed here."
            if is_api_request(request):
                response = api_error_response(
                    code="METHOD_NOT_ALLOWED", message=message, status=405
                )
            else:
                response = HttpResponse(message, status=405, content_type="text/plain")
            response["Allow"] = ALLOWED_METHODS
            return response
        if is_api_request(request) and len(request.get_full_path_info()) > MAX_API_URI_LENGTH:
            return api_error_response(
                code="URI_TOO_LONG",
                message=f"The address is too long (at most {MAX_API_URI_LENGTH} characters).",
                status=414,
            )
        return self.get_response(request)
