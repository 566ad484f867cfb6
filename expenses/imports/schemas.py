"""Schemas of the import API: a statement's rows as a client parsed them, the reading choices
and per-row choices (the preview's own vocabulary), the preview and what an import wrote."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from colony.api_schemas import Currency, Day, MoneyIn, Name, RequestSchema

from .decoding import ENCODING_CHOICES
from .limits import MAX_DESCRIPTION, MAX_ROWS
from .values import DATE_FORMATS

# What a client may choose for one row: the outcomes a household can pick on the page.
CHOICE_PATTERN = r"^(?:new|skip|pay:[1-9][0-9]{0,17}|there:[1-9][0-9]{0,17})$"
LINE_PATTERN = r"^[1-9][0-9]{0,6}$"
Outcome = Literal[
    "new",
    "pay",
    "there",
    "skip",
    "duplicate",
    "income",
    "pending",
    "transfer",
    "outside",
    "invalid",
]


class StatementRowIn(RequestSchema):
    """One transaction, money out, as the client's own parser read it."""

    date: Day
    description: Annotated[Name, Field(max_length=MAX_DESCRIPTION)]
    amount: MoneyIn
    currency: Currency


class StatementRowsIn(RequestSchema):
    rows: list[StatementRowIn] = Field(min_length=1, max_length=MAX_ROWS)
    payment_method_id: int | None = Field(
        None, ge=1, description="The account or card the rows are from (its rules apply)."
    )


class ImportReading(RequestSchema):
    """How the statement is read, as the preview page's choices: only what is sent changes;
    the rest stays as detected (or remembered for the payment method). Columns are 0-based."""

    date_column: int | None = Field(None, ge=0, le=99)
    description_column: int | None = Field(None, ge=0, le=99)
    amount_column: int | None = Field(None, ge=0, le=99)
    debit_column: int | None = Field(None, ge=0, le=99)
    credit_column: int | None = Field(None, ge=0, le=99)
    fee_column: int | None = Field(None, ge=0, le=99)
    currency_column: int | None = Field(None, ge=0, le=99)
    direction_column: int | None = Field(None, ge=0, le=99)
    status_column: int | None = Field(None, ge=0, le=99)
    counterparty_column: int | None = Field(None, ge=0, le=99)
    date_format: Literal[tuple(DATE_FORMATS)] | None = None  # type: ignore[valid-type]
    decimal: Literal["point", "comma"] | None = None
    sign: Literal["negative", "positive"] | None = None
    currency: Currency | None = None
    category_id: int | None = Field(
        None, ge=1, description="The category of rows no rule or history decides."
    )
    encoding: Literal[tuple(code for code, _ in ENCODING_CHOICES)] | None = None  # type: ignore[valid-type]


class ImportChoices(RequestSchema):
    """Per row, by its line in the file: `new`, `skip`, `pay:<planned expense id>`,
    `there:<expense id>`; and its category. Rows not named keep their proposal."""

    reading: ImportReading | None = None
    choices: dict[
        Annotated[str, Field(pattern=LINE_PATTERN)],
        Annotated[str, Field(pattern=CHOICE_PATTERN)],
    ] = Field(default_factory=dict, max_length=MAX_ROWS, examples=[{"2": "pay:41", "3": "skip"}])
    categories: dict[Annotated[str, Field(pattern=LINE_PATTERN)], Annotated[int, Field(ge=1)]] = (
        Field(default_factory=dict, max_length=MAX_ROWS, examples=[{"4": 7}])
    )


class ImportRowResponse(Schema):
    line: int
    date: dt.date | None
    description: str
    amount: str | None = Field(description="Money out, with the currency's decimals.")
    currency: str
    outcome: Outcome
    cycle_id: int | None = Field(description="The cycle holding the row's date, if any.")
    expense_id: int | None = Field(
        description="The planned expense the row pays (pay), or the expense it already is (there)."
    )
    options: list[int] = Field(description="Planned expenses the row may pay (pay:<id>).")
    category_id: int | None
    payment_method_id: int | None
    problems: list[str] = Field(description="Why the row cannot be imported, if so.")
    notes: list[str]


class ImportPreviewResponse(Schema):
    id: int
    cycle_id: int
    filename: str
    format: str
    encoding: str
    expires_at: dt.datetime
    reading: dict[str, str | int | None] = Field(
        description="How the statement is read now (send changes as `reading`)."
    )
    needs_date_format: bool = Field(
        description="Every date fits day-first and month-first: send reading.date_format."
    )
    counts: dict[str, int] = Field(description="Rows per outcome.")
    rows: list[ImportRowResponse]


class ImportResultResponse(Schema):
    created: int
    paid: int
    already_there: int
    skipped_duplicates: int
    skipped_invalid: int
    skipped_income: int
    skipped_chosen: int
    skipped_outside: int
    created_ids: list[int]
    paid_ids: list[int]
    linked_ids: list[int]
