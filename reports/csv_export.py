"""Expenses as a CSV file, streamed row by row so that 100,000 of them never sit in memory.

Cells are written for spreadsheets: ISO dates, a decimal point, amounts in their currency's
minor units, and text that a spreadsheet would run as a formula (=, +, -, @, tab, carriage
return first) prefixed with a single quote.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from colony.spreadsheet import text_cell
from formats.currencies import quantum_for

HEADER = (
    "date",
    "description",
    "amount",
    "currency",
    "base_amount",
    "base_currency",
    "rate",
    "category",
    "payment_method",
    "status",
    "paid_on",
    "note",
    "cycle",
    # Sharing: who paid and the split's kind; then a "share: <name>" column for each member
    # (sharing.selectors.sharers), their share in the base currency.
    "paid_by",
    "split",
)
CHUNK_SIZE = 2000


class EchoBuffer:
    """A file-like object whose `write` hands the line back, for csv.writer to stream into."""

    def write(self, value: str) -> str:
        return value


def amount_cell(value: Decimal | None, currency: str) -> str:
    """An amount with a decimal point and the currency's minor units; empty when missing."""
    if value is None:
        return ""
    return format(value.quantize(quantum_for(currency), ROUND_HALF_EVEN), "f")


def date_cell(value: date | None) -> str:
    return value.isoformat() if value else ""


def expense_row(row: tuple, base_currency: str) -> list[str]:
    """One `selectors.EXPORT_FIELDS` tuple (then the sharers' shares) as CSV cells in HEADER
    order, then the share columns."""
    (
        expense_date,
        description,
        amount,
        currency,
        base_amount,
        rate,
        category,
        payment_method,
        status,
        paid_on,
        note,
        cycle,
        payer_first_name,
        payer_last_name,
        payer_email,
        kind,
        *shares,
    ) = row
    payer = " ".join(filter(None, [payer_first_name, payer_last_name])) or payer_email or ""
    return [
        date_cell(expense_date),
        text_cell(description),
        amount_cell(amount, currency),
        text_cell(currency),
        amount_cell(base_amount, base_currency),
        text_cell(base_currency),
        "" if rate is None else format(rate.normalize(), "f"),
        text_cell(category),
        text_cell(payment_method),
        text_cell(status),
        date_cell(paid_on),
        text_cell(note),
        text_cell(cycle),
        text_cell(payer),
        text_cell(kind or ""),
        *(amount_cell(share, base_currency) for share in shares),
    ]


# Excel reads a CSV as the system's ANSI code page unless it starts with a UTF-8 byte-order
# mark; other programs (and machines) are better off without one, so it is an option.
EXCEL_BOM = "\ufeff"


def csv_lines(
    rows: Iterable[tuple],
    base_currency: str,
    *,
    excel: bool = False,
    sharers: Sequence[tuple[int, str]] = (),
) -> Iterator[str]:
    writer = csv.writer(EchoBuffer())
    if excel:
        yield EXCEL_BOM
    yield writer.writerow([*HEADER, *(text_cell(f"share: {name}") for _, name in sharers)])
    for row in rows:
        yield writer.writerow(expense_row(row, base_currency))


def streaming_csv(
    expenses: QuerySet,
    *,
    base_currency: str,
    filename: str,
    excel: bool = False,
    sharers: Sequence[tuple[int, str]] = (),
) -> StreamingHttpResponse:
    """A download of `expenses` (tuples of EXPORT_FIELDS), read in chunks as it is sent;
    `excel` starts it with a byte-order mark so Excel reads the UTF-8 text correctly."""
    response = StreamingHttpResponse(
        csv_lines(
            expenses.iterator(chunk_size=CHUNK_SIZE), base_currency, excel=excel, sharers=sharers
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
