"""The API walker the cross-cutting API suites share (isolation matrix, fuzzing, OpenAPI).

Every operation comes from the NinjaAPI's own URL patterns and OpenAPI description, so a new
route is covered by every suite as soon as it exists; path parameters are filled from a
`tests.urlwalk.World`, request bodies built from the operation's JSON schema.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver

from colony.api import api
from tests.urlwalk import PARAM_DEFAULTS, World

PREFIX = "/api/v1"
# Served by ninja itself, not household data.
DOCS_NAMES = {"api-root", "openapi-json", "openapi-view"}
# Routes that are not household-scoped by design (the token flow takes email + password).
PUBLIC_OPERATIONS = {("POST", "/api/v1/auth/token")}
# A plain {pk}: the object is named by the path's first segment.
PK_BY_SEGMENT = {
    "payment-methods": "payment_method",
    "categories": "category",
    "tokens": "api_token",
    "cycles": "cycle",
    "expenses": "expense",
    "templates": "template",
    "members": "membership",
    "income": "income_line",
    "settlements": "settlement",
    "imports": "pending_import",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI template, e.g. /api/v1/cycles/{pk}
    schema: dict

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@cache
def openapi() -> dict:
    return api.get_openapi_schema(path_prefix=PREFIX + "/")


def operations() -> list[Operation]:
    found = []
    for path, methods in openapi()["paths"].items():
        for method, schema in methods.items():
            found.append(Operation(method.upper(), path.rstrip("/") or path, schema))
    return sorted(found, key=lambda op: (op.path, op.method))


def scoped_operations() -> list[Operation]:
    return [op for op in operations() if (op.method, op.path) not in PUBLIC_OPERATIONS]


def url_patterns() -> set[str]:
    """Every API path Django routes, as an OpenAPI template (docs and schema left out)."""
    paths = set()

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name not in DOCS_NAMES:
                route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", prefix + str(entry.pattern))
                paths.add("/" + route.rstrip("/"))

    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "api":
            walk(entry.url_patterns, str(entry.pattern))
    return paths


def object_key(op: Operation, param: str) -> str | None:
    if param in PARAM_DEFAULTS:
        return PARAM_DEFAULTS[param]
    if param == "pk":
        segment = op.path.removeprefix(PREFIX + "/").split("/")[0]
        return PK_BY_SEGMENT.get(segment)
    return None


def url_for(op: Operation, world: World) -> str | None:
    url = op.path
    for param in op.params:
        key = object_key(op, param)
        if key is None:
            return None
        url = url.replace("{" + param + "}", str(world.objects[key].pk))
    return url


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi()["components"]["schemas"][name]
    return schema


def body_schema(op: Operation) -> dict | None:
    content = op.schema.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return _resolve(content["application/json"]["schema"])


def upload_fields(op: Operation) -> dict | None:
    """For an operation that takes a file (multipart/form-data), a form with a small CSV
    statement in each of its file fields; None for the others."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = op.schema.get("requestBody", {}).get("content", {})
    if "multipart/form-data" not in content:
        return None
    schema = _resolve(content["multipart/form-data"]["schema"])
    return {
        name: SimpleUploadedFile(
            f"{name}.csv", b"Date,Description,Amount\n2026-03-05,Bakery,-4.20\n", "text/csv"
        )
        for name, prop in schema.get("properties", {}).items()
        if prop.get("format") == "binary"
    }


def query_schema(op: Operation) -> list[dict]:
    return [p for p in op.schema.get("parameters", []) if p.get("in") == "query"]


# Valid values for fields by name, where the schema alone does not say enough.
VALID_BY_NAME = {
    "currency": "USD",
    "email": "someone@example.com",
    "frequency": "monthly",
    "day_of_month": 5,
    "kind": "card",
}
# The world object a field naming an id refers to (for the household's own world).
ID_FIELDS = {
    "category_id": "category",
    "payment_method_id": "payment_method",
    "template_id": "template",
    "cycle_id": "cycle",
}


def valid_value(name: str, schema: dict, world: World, *, day: datetime.date):
    schema = _resolve(schema)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return valid_value(name, options[0], world, day=day) if options else None
    if name in ID_FIELDS and name.endswith("_id"):
        return world.objects[ID_FIELDS[name]].pk
    if name in VALID_BY_NAME:
        return VALID_BY_NAME[name]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        return valid_body(schema, world, day=day)
    if kind == "array":
        # As few items as the schema takes, each valid (a statement's rows: at least one).
        return [
            valid_value(name, schema.get("items", {}), world, day=day)
            for _ in range(schema.get("minItems", 0))
        ]
    if kind == "boolean":
        return False
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return 1
    fmt = schema.get("format")
    if fmt == "date":
        return day.isoformat()
    if fmt == "date-time":
        return datetime.datetime.combine(day, datetime.time(12)).isoformat() + "Z"
    if "example" in schema:
        return schema["example"]
    if schema.get("pattern") == r"^(\d{4})?$":
        return "1234"
    return f"API {name}"[: schema.get("maxLength", 50)]


def valid_body(schema: dict, world: World, *, day: datetime.date) -> dict:
    """A body the schema accepts: every required property, valid for `world`."""
    schema = _resolve(schema)
    required = set(schema.get("required", []))
    return {
        name: valid_value(name, prop, world, day=day)
        for name, prop in schema.get("properties", {}).items()
        if name in required
    }
