"""Building blocks every app's API schemas share: money as strings, pages of a list, the error
envelope (for the OpenAPI description; colony.api renders it)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    PlainSerializer,
    WithJsonSchema,
    create_model,
)

from formats.currencies import quantum_for

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
MAX_OFFSET = 1_000_000
_MONEY_TEXT = re.compile(r"-?\d{1,15}(\.\d{1,10})?")


def money(amount: Decimal | None, currency: str) -> str | None:
    """An amount as JSON sends it: a string with exactly the currency's decimals ("12.50",
    "1850", "1.005"), or None."""
    if amount is None:
        return None
    amount = amount.quantize(quantum_for(currency))
    return format(amount.copy_abs() if amount.is_zero() else amount, "f")


def _storable(value: str) -> str:
    # PostgreSQL text cannot hold NUL; Django's form fields refuse it the same way.
    if "\x00" in value:
        raise ValueError("Null characters are not allowed.")
    # JSON may escape half a surrogate pair ("\ud800"): a str Python holds but UTF-8 cannot
    # encode, so the database driver would fail on it (a 500) instead of the client hearing why.
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("Text must be valid Unicode (no lone surrogates).") from None
    return value


# Any text a client sends.
Text = Annotated[str, AfterValidator(_storable)]
# A budgeting date: the years a household plans in, so date arithmetic never overflows.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2199, 12, 31)
Day = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY)]


def _money_text(value: Any) -> Decimal:
    # A JSON number is a float on the way in: money must never pass through one.
    if not isinstance(value, str):
        raise ValueError('Send money as a string, e.g. "12.50", never as a number.')
    text = value.strip()
    if not _MONEY_TEXT.fullmatch(text):
        raise ValueError('Enter an amount like "12.50".')
    return Decimal(text)


def _rate_text(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise ValueError('Send a rate as a string, e.g. "1.0831", never as a number.')
    text = value.strip()
    if not _MONEY_TEXT.fullmatch(text):
        raise ValueError('Enter a rate like "1.0831" (at most 10 decimals).')
    return Decimal(text)


# Money a client sends: a decimal string (never a JSON number); the service applies the rules.
MoneyIn = Annotated[
    Decimal,
    BeforeValidator(_money_text),
    PlainSerializer(lambda value: format(value, "f"), return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": _MONEY_TEXT.pattern, "example": "12.50"}, mode="validation"
    ),
]
RateIn = Annotated[
    Decimal,
    BeforeValidator(_rate_text),
    PlainSerializer(lambda value: format(value, "f"), return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": _MONEY_TEXT.pattern, "example": "1.0831"}, mode="validation"
    ),
]


def patch_changes(
    payload: Schema,
    *,
    clearable: Collection[str] = (),
    load: Mapping[str, Callable[[Any], Any]] | None = None,
) -> dict[str, Any]:
    """What a PATCH changes: each field the client sent, as a typed value (money stays a
    Decimal). A null clears a `clearable` field and leaves any other field as it is. A field
    in `load` (`"category_id": load_category`) is loaded by its function — the household's
    object or a 404 — and named without "_id" (`category`); a null there stays None."""
    load = load or {}
    changes = {}
    for name in type(payload).model_fields:  # declared order: the same 404 wins every time
        if name not in payload.model_fields_set:
            continue
        value = getattr(payload, name)
        if value is None and name not in clearable:
            continue
        if name in load:
            changes[name.removesuffix("_id")] = None if value is None else load[name](value)
        else:
            changes[name] = value
    return changes


def patch_merge(
    payload: Schema,
    current: Any,
    *,
    fields: Iterable[str],
    clearable: Collection[str] = (),
    load: Mapping[str, Callable[[Any], Any]] | None = None,
) -> dict[str, Any]:
    """Every one of `fields` after a PATCH: as sent (see patch_changes), else as `current`
    holds it — the full set of values a service that takes them all needs."""
    changes = patch_changes(payload, clearable=clearable, load=load)
    return {name: changes[name] if name in changes else getattr(current, name) for name in fields}


class PageQuery(Schema):
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class PageBase(Schema):
    count: int
    limit: int
    offset: int
    next: str | None = Field(
        None, description="The next page's URL (the same filters), or null on the last page."
    )

    @staticmethod
    def resolve_next(page: Mapping, context) -> str | None:
        request = (context or {}).get("request")
        return None if request is None else next_page(request, page)


def next_page(request: HttpRequest, page: Mapping) -> str | None:
    """The URL of the page after `page` ({"count", "limit", "offset"}): the request's own,
    with the offset moved on; None on the last page."""
    following = page["offset"] + page["limit"]
    if following >= page["count"] or following > MAX_OFFSET:
        return None
    query = request.GET.copy()
    query["offset"] = str(following)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The list schema of `item_schema`: {"items": [...], "count", "limit", "offset",
    "next"}."""
    return create_model(
        f"{item_schema.__name__.removesuffix('Response')}Page",
        __base__=PageBase,
        items=(list[item_schema], ...),
    )


def paginate(queryset: QuerySet | list, page: PageQuery, *, count: int | None = None) -> dict:
    """One page of `queryset` and how many rows there are in all: two queries whatever the
    page size. `count`, when the caller knows it cheaper (trigger totals), saves counting."""
    if isinstance(queryset, list):
        total, items = len(queryset), queryset[page.offset : page.offset + page.limit]
    else:
        total = queryset.count() if count is None else count
        items = list(queryset[page.offset : page.offset + page.limit])
    return {"items": items, "count": total, "limit": page.limit, "offset": page.offset}


class ErrorBody(Schema):
    code: str = Field(examples=["CYCLE_ALREADY_COMPLETED"])
    message: str
    details: dict[str, Any] = {}


class ErrorResponse(Schema):
    success: Literal[False] = False
    error: ErrorBody


# Error statuses every authenticated endpoint may answer, for the OpenAPI description.
COMMON_ERRORS = {
    401: ErrorResponse,
    403: ErrorResponse,
    404: ErrorResponse,
    422: ErrorResponse,
    429: ErrorResponse,
}
WRITE_ERRORS = {**COMMON_ERRORS, 409: ErrorResponse}
