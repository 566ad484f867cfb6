"""Everything a household holds, as a zip of CSV files: its data is its own to take away.

Each file is written from a selector read with `.iterator()`, so the rows never sit in memory
together; the zip itself is built in a SpooledTemporaryFile (memory while small, then disk).
Cells are written exactly like the expense CSV export (reports.csv_export): ISO dates, amounts in
their currency's minor units, and text a spreadsheet would run as a formula defused.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from accounts.models import Household
from colony.spreadsheet import text_cell

from . import selectors
from .csv_export import CHUNK_SIZE, amount_cell, date_cell

SPOOL_MAX_BYTES = 8 * 1024 * 1024


def _rate_cell(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _flag_cell(value: bool) -> str:
    return "yes" if value else "no"


def _moment_cell(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _cycle_row(row: tuple, base: str) -> list[str]:
    pk, name, start, end, status, income, activated_at, completed_at = row
    return [
        str(pk),
        text_cell(name),
        date_cell(start),
        date_cell(end),
        text_cell(status),
        amount_cell(income, base),
        text_cell(base),
        _moment_cell(activated_at),
        _moment_cell(completed_at),
    ]


def _expense_row(row: tuple, base: str) -> list[str]:
    (
        pk, cycle_id, cycle_name, day, description, amount, planned_amount, currency,
        base_amount, rate, rate_date, rate_source, category, payment_method, status, paid_on,
        note, template, occurrence_date, created_by, updated_by, created_at, updated_at,
    ) = row  # fmt: skip
    return [
        str(pk),
        str(cycle_id),
        text_cell(cycle_name),
        date_cell(day),
        text_cell(description),
        amount_cell(amount, currency),
        amount_cell(planned_amount, currency),
        text_cell(currency),
        amount_cell(base_amount, base),
        text_cell(base),
        _rate_cell(rate),
        date_cell(rate_date),
        text_cell(rate_source),
        text_cell(category),
        text_cell(payment_method),
        text_cell(status),
        date_cell(paid_on),
        text_cell(note),
        text_cell(template),
        date_cell(occurrence_date),
        text_cell(created_by),
        text_cell(updated_by),
        _moment_cell(created_at),
        _moment_cell(updated_at),
    ]


def _template_row(row: tuple, base: str) -> list[str]:
    (
        pk, name, amount, currency, category, payment_method, frequency, day_of_month, start,
        end, is_active, note,
    ) = row  # fmt: skip
    return [
        str(pk),
        text_cell(name),
        amount_cell(amount, currency),
        text_cell(currency),
        text_cell(category),
        text_cell(payment_method),
        text_cell(frequency),
        "" if day_of_month is None else str(day_of_month),
        date_cell(start),
        date_cell(end),
        _flag_cell(is_active),
        text_cell(note),
    ]


def _payment_method_row(row: tuple, base: str) -> list[str]:
    pk, name, kind, owner, last4, is_active = row
    return [str(pk), text_cell(name), text_cell(kind), text_cell(owner), text_cell(last4),
            _flag_cell(is_active)]  # fmt: skip


def _category_row(row: tuple, base: str) -> list[str]:
    pk, name, is_archived = row
    return [str(pk), text_cell(name), _flag_cell(is_archived)]


def _rate_row(row: tuple, base: str) -> list[str]:
    currency, rate_date, rate, rate_source, expense_count = row
    return [
        text_cell(currency),
        text_cell(base),
        _rate_cell(rate),
        date_cell(rate_date),
        text_cell(rate_source),
        str(expense_count),
    ]


# File name → (header, selector, row writer).
FILES: dict[str, tuple[tuple[str, ...], Callable, Callable[[tuple, str], list[str]]]] = {
    "cycles.csv": (
        ("id", "name", "start_date", "end_date", "status", "income", "base_currency",
         "activated_at", "completed_at"),
        selectors.cycles_for_household_export,
        _cycle_row,
    ),
    "expenses.csv": (
        ("id", "cycle_id", "cycle", "date", "description", "amount", "planned_amount",
         "currency", "base_amount", "base_currency", "rate", "rate_date", "rate_source",
         "category", "payment_method", "status", "paid_on", "note", "template",
         "occurrence_date", "created_by", "updated_by", "created_at", "updated_at"),
        selectors.expenses_for_household_export,
        _expense_row,
    ),
    "templates.csv": (
        ("id", "name", "amount", "currency", "category", "payment_method", "frequency",
         "day_of_month", "start_date", "end_date", "is_active", "note"),
        selectors.templates_for_household_export,
        _template_row,
    ),
    "payment_methods.csv": (
        ("id", "name", "kind", "owner", "last4", "is_active"),
        selectors.payment_methods_for_household_export,
        _payment_method_row,
    ),
    "categories.csv": (
        ("id", "name", "is_archived"),
        selectors.categories_for_household_export,
        _category_row,
    ),
    "rates.csv": (
        ("currency", "base_currency", "rate", "rate_date", "rate_source", "expense_count"),
        selectors.rates_used_by_household,
        _rate_row,
    ),
}  # fmt: skip


def _write_csv(archive: zipfile.ZipFile, name: str, header, rows: Iterable[list[str]]) -> None:
    with archive.open(name, "w") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows(rows)
        text.flush()
        text.detach()


def household_export(household: Household) -> tempfile.SpooledTemporaryFile:
    """A zip of one CSV file per kind of data the household holds (cycles, expenses, templates,
    payment methods, categories and the rates its expenses used), rewound for reading."""
    base = household.base_currency
    # Handed to the response, which closes it once sent.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, (header, rows_of, row_cells) in FILES.items():
                rows = rows_of(household).iterator(chunk_size=CHUNK_SIZE)
                _write_csv(archive, name, header, (row_cells(row, base) for row in rows))
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool
