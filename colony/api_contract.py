"""What the API promises, in one place: the statuses and headers its OpenAPI description lists
for every operation, and a request held to that description (a body only as JSON, no query
parameter the operation does not list).

The statuses the request layer itself answers — not any one route — are added here to every
operation they apply to, so a new route is described truthfully without repeating them:

- 400 a body that is not JSON, 413 a body over DATA_UPLOAD_MAX_MEMORY_SIZE, 415 a body that is
  not `application/json` (operations with a body);
- 401 no usable credential (with `WWW-Authenticate`), 414 an over-long URI, 422 a value the
  schema refuses or a query parameter it does not list, 429 over the rate limit (with
  `Retry-After`) — every operation;
- `Location` on a 201 whose new object has its own GET route, `ETag` on an answer that
  carries a version (an expense), `If-Match` on the writes to such an object.

Routes keep declaring what only they know (404 for an id, 409 for a conflict, 403 for a role).
The OpenAPI document is built once per process from the code (ninja's own description of it),
like a compiled template: nothing about data is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from ninja import NinjaAPI

ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorResponse"}
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
JSON_MEDIA_TYPES = ("application/json",)

# Statuses the request layer answers, with what each says (README's API section lists them).
BODY_STATUSES = {
    400: "The body is not valid JSON (BAD_REQUEST).",
    413: "The body is larger than the server takes (PAYLOAD_TOO_LARGE).",
    415: "The body is not sent as application/json (UNSUPPORTED_MEDIA_TYPE).",
}
EVERY_STATUS = {
    414: "The address is too long (URI_TOO_LONG).",
    422: "A value is missing or not valid, or the body or query holds a name this operation "
    "does not take (VALIDATION_ERROR, with details.fields).",
    429: "Too many requests (RATE_LIMITED); wait Retry-After seconds.",
}
AUTH_STATUS = {401: "No usable credential (NOT_AUTHENTICATED)."}
RETRY_AFTER = {
    "description": "Seconds to wait before the next request.",
    "schema": {"type": "integer", "minimum": 1},
}
WWW_AUTHENTICATE = {
    "description": "How to authenticate: a bearer token.",
    "schema": {"type": "string"},
}
LOCATION = {
    "description": "The new object's own address (its GET route).",
    "schema": {"type": "string"},
}
ETAG = {
    "description": 'The object\'s version, e.g. "3": send it back as If-Match on a change.',
    "schema": {"type": "string", "pattern": '^"[0-9]{1,12}"$'},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The ETag (version) the change is based on; if the object changed since, "
    "the change is refused with 409 and nothing is written. Absent: the change applies to "
    'the object as it is now. Only the strong tag Colony sent ("3"); `*`, a weak tag or '
    "anything else: 422 INVALID_IF_MATCH.",
    # What the server reads (expenses.api._if_match): the quoted strong tag, nothing else.
    "schema": {"type": "string", "pattern": '^"[0-9]{1,12}"$'},
}


@dataclass(frozen=True)
class Described:
    """What the OpenAPI document says about one operation."""

    query: frozenset[str]
    has_body: bool
    location: str | None  # the detail route's template for a 201, e.g. /api/v1/expenses/{pk}
    # The media types its body may have: JSON, or a file upload's multipart form.
    media_types: frozenset[str] = frozenset(JSON_MEDIA_TYPES)


def _error_response(description: str, headers: dict | None = None) -> dict:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    }
    if headers:
        response["headers"] = headers
    return response


def _response_ref(response: dict) -> str:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref", "")


def _detail_route(paths: dict, path: str, root: str) -> str | None:
    """The GET route of an object a POST on `path` creates: `{path}/{pk}` (POST /expenses →
    /expenses/{pk}) or, for a list under its parent, `{root}{collection}/{pk}` at the API's
    root (POST /cycles/{pk}/income → /income/{pk})."""
    collection = path.rsplit("/", 1)[-1]
    for candidate in (f"{path}/{{pk}}", f"{root.rstrip('/')}/{collection}/{{pk}}"):
        if "get" in paths.get(candidate, {}):
            return candidate
    return None


def describe(schema: dict, *, root: str, idempotency_key: dict | None = None) -> dict:
    """Add to every operation of `schema` (ninja's OpenAPI document of the API at `root`,
    e.g. /api/v1/) the statuses and headers the request layer answers with (see the module's
    docstring), and `idempotency_key` (the header parameter colony.api_idempotency reads,
    passed in by colony.api: this kernel module imports no app) to every POST a person
    makes. Changes `schema` in place."""
    paths = schema.get("paths", {})
    versioned = {
        path
        for path, methods in paths.items()
        if any(
            _response_ref(response).endswith("/ExpenseResponse")
            for response in methods.get("get", {}).get("responses", {}).values()
        )
    }
    for path, methods in paths.items():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            added = dict(EVERY_STATUS)
            if "requestBody" in operation:
                added.update(BODY_STATUSES)
            if operation.get("security"):
                added.update(AUTH_STATUS)
            for status, description in added.items():
                responses.setdefault(status, _error_response(description))
            for status, response in responses.items():
                if int(status) == 429:
                    response.setdefault("headers", {})["Retry-After"] = RETRY_AFTER
                if int(status) == 401 and operation.get("security"):
                    response.setdefault("headers", {})["WWW-Authenticate"] = WWW_AUTHENTICATE
                if int(status) == 201 and _detail_route(paths, path, root):
                    response.setdefault("headers", {})["Location"] = LOCATION
                if 200 <= int(status) < 300 and _response_ref(response).endswith(
                    "/ExpenseResponse"
                ):
                    response.setdefault("headers", {})["ETag"] = ETAG
            # Every POST a person makes may be retried with an Idempotency-Key
            # (colony.api_idempotency); POST /auth/token has no person yet and ignores it.
            if idempotency_key and method == "post" and operation.get("security"):
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name", "").lower() == "idempotency-key" for p in parameters):
                    parameters.append(idempotency_key)
            if method in WRITE_METHODS and any(
                path == tagged or path.startswith(tagged + "/") for tagged in versioned
            ):
                parameters = operation.setdefault("parameters", [])
                declared = [p for p in parameters if p.get("name", "").lower() == "if-match"]
                for parameter in declared:
                    # A route's own declaration (expenses.api) gets the pattern _if_match reads.
                    parameter["schema"] = IF_MATCH["schema"]
                if not declared:
                    parameters.append(IF_MATCH)
    return schema


def _template(route: str) -> str:
    """Django's route ("api/v1/cycles/<int:pk>") as an OpenAPI path ("/api/v1/cycles/{pk}")."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).rstrip("/")


@cache
def _operations(api: NinjaAPI) -> dict[tuple[str, str], Described]:
    root = api.get_root_path({})
    paths = api.get_openapi_schema(path_prefix=root)["paths"]
    found = {}
    for path, methods in paths.items():
        for method, operation in methods.items():
            query = frozenset(
                p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"
            )
            location = _detail_route(paths, path.rstrip("/"), root) if method == "post" else None
            content = operation.get("requestBody", {}).get("content", {})
            found[(method.upper(), path.rstrip("/"))] = Described(
                query=query,
                has_body="requestBody" in operation,
                location=location,
                media_types=frozenset(content) or frozenset(JSON_MEDIA_TYPES),
            )
    return found


def prepare(api: NinjaAPI) -> None:
    """Build the OpenAPI document now (a worker's start, colony/wsgi.py) rather than during
    the first API request a worker serves: it takes a good part of a second."""
    _operations(api)


def described(api: NinjaAPI, request: HttpRequest) -> Described | None:
    """What the OpenAPI document says about the operation `request` reached."""
    match = request.resolver_match
    if match is None:
        return None
    return _operations(api).get((request.method, _template(match.route)))


def unknown_query_names(api: NinjaAPI, request: HttpRequest) -> list[str]:
    """The query parameters of `request` its operation does not list, in the order sent."""
    operation = described(api, request)
    if operation is None:
        return []
    return [name for name in request.GET if name not in operation.query]


def sends_other_than_json(request: HttpRequest, accepted: frozenset[str] = frozenset()) -> bool:
    """A body is sent (by its Content-Length; the body itself is not read here) in another
    media type than JSON (or than one of `accepted`, e.g. a file upload's multipart form)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return False
    media_type = request.content_type or ""
    if media_type in accepted:
        return False
    return not (media_type in JSON_MEDIA_TYPES or media_type.endswith("+json"))


def created_location(api: NinjaAPI, request: HttpRequest, data: Any) -> str | None:
    """Where the object a 201 answer holds lives: its detail route with its id, if it has
    one (the OpenAPI document says which)."""
    operation = described(api, request)
    if operation is None or operation.location is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    return operation.location.replace("{pk}", str(data["id"]))
