"""Building blocks every app's API schemas share: money as strings, pages of a list, the error
envelope (for the OpenAPI description; colony.api renders it)."""

from __future__ import annotations

import contextlib
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
    ConfigDict,
    PlainSerializer,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from formats.currencies import CURRENCIES, quantum_for

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
MAX_OFFSET = 1_000_000
# What a client may send as money, anchored, so the schema and the server refuse the same text:
# more than zero, twelve whole digits at most (MAX_AMOUNT), three decimals at most (BHD, KWD…;
# each currency's own decimals are the service's rule, exchange.money.validate_amount).
MONEY_PATTERN = r"^(?:[1-9]\d{0,11}(?:\.\d{1,3})?|0\.(?:[1-9]\d{0,2}|0[1-9]\d?|00[1-9]))$"
# A budget or a cycle's income: zero is a value too.
MONEY_OR_ZERO_PATTERN = r"^(?:0|[1-9]\d{0,11})(?:\.\d{1,3})?$"
# A rate typed by hand: more than zero, below 10^9, at most nine decimals (MIN_MANUAL_RATE is
# 10^-9; exchange.money.validate_manual_rate has the bounds).
RATE_PATTERN = r"^(?:[1-9]\d{0,8}(?:\.\d{1,9})?|0\.\d{0,8}[1-9])$"
# A name or description: not blank once its whitespace is collapsed (colony.names splits on
# what Python's str.split() calls whitespace). The characters are spelled out because `\s`
# means three different sets in Python, in Rust (pydantic) and in ECMAScript (clients).
_SPACE = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NAME_PATTERN = rf"^[\s\S]*[^{_SPACE}][\s\S]*$"
# A budgeting date, ISO 8601, in the years FIRST_DAY … LAST_DAY (JSON Schema has no date
# bounds a client generator knows, so the years are in the pattern as well).
DAY_PATTERN = r"^2[01]\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$"


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
# A name (category, payment method, template, household): never blank.
Name = Annotated[str, Field(min_length=1, pattern=NAME_PATTERN), AfterValidator(_storable)]
# A budgeting date: the years a household plans in, so date arithmetic never overflows.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2199, 12, 31)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> dt.date:
    # Only the form the schema names: pydantic alone would also take a Unix time, a
    # datetime at midnight, and Python's fromisoformat "20261231" or "2026-W53-4".
    day = value if isinstance(value, dt.date) else None
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        with contextlib.suppress(ValueError):  # 2026-02-30
            day = dt.date.fromisoformat(value)
    if day is None:
        raise PydanticCustomError("iso_date", "Enter a date like 2026-12-31.")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PydanticCustomError(
            "date_range",
            "Enter a date from {first} to {last}.",
            {"first": str(FIRST_DAY), "last": str(LAST_DAY)},
        )
    return day


Day = Annotated[
    dt.date,
    BeforeValidator(_iso_day),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": DAY_PATTERN,
            "description": f"A date from {FIRST_DAY} to {LAST_DAY}.",
        },
        mode="validation",
    ),
]


def _currency_code(value: Any) -> str:
    if not isinstance(value, str) or value not in CURRENCIES:
        raise PydanticCustomError(
            "currency", "Enter an ISO 4217 currency code Colony knows, in capitals (e.g. EUR)."
        )
    return value


# A currency: an ISO 4217 code Colony knows (formats.currencies), in capitals.
Currency = Annotated[
    str,
    BeforeValidator(_currency_code),
    WithJsonSchema(
        {"type": "string", "enum": sorted(CURRENCIES), "example": "EUR"}, mode="validation"
    ),
]


def _decimal_text(pattern: str, example: str, what: str) -> Callable[[Any], Decimal]:
    matcher = re.compile(pattern)

    def parse(value: Any) -> Decimal:
        # A JSON number is a float on the way in: money must never pass through one.
        if not isinstance(value, str):
            raise PydanticCustomError(
                "decimal_string",
                "Send {what} as a string, e.g. {example}, never as a number.",
                {"what": what, "example": f'"{example}"'},
            )
        if not matcher.fullmatch(value):
            raise PydanticCustomError(
                "decimal_pattern",
                "Enter {what} like {example}.",
                {"what": what, "example": f'"{example}"'},
            )
        return Decimal(value)

    return parse


def _decimal_in(pattern: str, example: str, what: str) -> Any:
    return Annotated[
        Decimal,
        BeforeValidator(_decimal_text(pattern, example, what)),
        PlainSerializer(lambda value: format(value, "f"), return_type=str),
        WithJsonSchema(
            {"type": "string", "pattern": pattern, "example": example}, mode="validation"
        ),
    ]


# Money a client sends: a decimal string (never a JSON number) matching the schema's pattern;
# the service applies the rules that depend on more than the text (the currency's decimals).
MoneyIn = _decimal_in(MONEY_PATTERN, "12.50", "an amount")
MoneyOrZeroIn = _decimal_in(MONEY_OR_ZERO_PATTERN, "250.00", "an amount")
RateIn = _decimal_in(RATE_PATTERN, "1.0831", "a rate")


class RequestSchema(Schema):
    """A request body: a JSON object with only the fields its schema names, of the types it
    names. An unknown field is refused (422, named in details.fields) instead of being
    ignored, and so is an array, a string or a number where the object belongs — ninja's
    Schema reads attributes of any value, so `[null, null]` would otherwise pass for a body
    whose fields are optional."""

    # Strict: a JSON body's types are the schema's (0 is not false, "5" is not 5); dates,
    # money and currencies are read from their strings by their own validators above.
    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="wrap")
    @classmethod
    def _json_object(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if not isinstance(data, dict):
            raise PydanticCustomError("object_required", "Send a JSON object.")
        return handler({name: _json_number(value) for name, value in data.items()})


def _json_number(value: Any) -> Any:
    """JSON has one kind of number: 275.0 is the integer 275 (JSON Schema says so too), which
    strict validation would otherwise refuse for an integer field. Any other float stays a
    float (and is refused wherever a float is not allowed: everywhere, money included)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_json_number(item) for item in value]
    return value


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


class ErrorDetails(Schema):
    """What more an error says. `fields`: the inputs it is about, by the name the client sent
    ("body" for the body as a whole), each with its messages — for a VALIDATION_ERROR and a
    domain error alike. Other keys belong to one error (EXPENSE_CHANGED: `current_version`;
    BUDGETS_CHANGED: `current`)."""

    model_config = ConfigDict(extra="allow")

    fields: dict[str, list[str]] = Field(
        default_factory=dict, examples=[{"category_id": ["Choose one of the household's..."]}]
    )


class ErrorBody(Schema):
    code: str = Field(examples=["CYCLE_ALREADY_COMPLETED"])
    message: str
    details: ErrorDetails


class ErrorResponse(Schema):
    """Every error the API answers (colony.api renders it; this describes it)."""

    success: Literal[False]
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
