"""What an import makes of each transaction of a statement, whatever its format.

A format reader (CSV, OFX, QIF, CAMT.053) turns the file into `Entry`s: what the bank says, with
the problems it met reading it. `finish_entry` then applies what every format shares — the
cycle's dates, the description rules, the currency and money rule, pending and internal-transfer
flags — and gives an `ImportRow` with one status:

- "import": money out that becomes an expense (or pays a planned one);
- "duplicate": already imported (the bank's transaction id, else date, amount, currency and
  description — identical rows in one file are all real; each existing one cancels one);
- "income": money in (a payment, refund or income), not an expense;
- "pending": pending, reversed or declined at the bank — not imported unless the household asks;
- "transfer": money moved between the household's own accounts — not imported unless asked;
- "outside": dated in a completed cycle or in no cycle (placement.place) — left out;
- "invalid": a rule is broken; the problems say which.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from formats.currencies import get_currency, is_known_currency

from .limits import MAX_DESCRIPTION
from .values import amount_problem, neutralise_formula

IMPORT, DUPLICATE, INCOME, PENDING, TRANSFER, OUTSIDE, INVALID = (
    "import",
    "duplicate",
    "income",
    "pending",
    "transfer",
    "outside",
    "invalid",
)
STATUSES = (IMPORT, DUPLICATE, INCOME, PENDING, TRANSFER, OUTSIDE, INVALID)
# Rows the household may import: "import" ones by default, flagged ones when it asks.
IMPORTABLE = frozenset({IMPORT, PENDING, TRANSFER})
INCOME_REASON = "Money in (a payment, refund or income), not an expense."
DUPLICATE_REASON = "Already in this cycle."
TRANSFER_REASON = "Looks like a transfer between your own accounts."
STATE_REASONS = {
    "pending": "Pending at the bank: not final yet.",
    "reversed": "Reversed by the bank.",
    "declined": "Declined by the bank.",
}
# Words that mark money moved between the household's own accounts, in the languages of the
# banks whose exports we see most.
TRANSFER_WORDS = re.compile(
    r"\b(own account|internal transfer|transfer to savings|eigen rekening|spaarrekening|"
    r"umbuchung|eigenes konto|virement interne?|compte épargne)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Entry:
    """One transaction as a format reader found it, before the cycle is considered."""

    line: int
    raw_date: str = ""
    date: date | None = None
    description: str = ""
    raw_amount: str = ""
    amount: Decimal | None = None  # unsigned
    money_in: bool = False
    currency: str = ""  # blank: the file's currency
    bank_id: str = ""
    state: str = ""  # "", "pending", "reversed" or "declined"
    counterparty: str = ""  # the other side's account number, when the file says
    cells: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportRow:
    """One transaction of the file and what the import makes of it."""

    line: int
    cells: tuple[str, ...]
    status: str
    raw_date: str = ""
    raw_amount: str = ""
    date: date | None = None
    description: str = ""
    amount: Decimal | None = None  # money out, positive, in `currency`
    currency: str = ""
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    bank_id: str = ""
    # The status before duplicates were marked: "pending" rows stay flagged when re-imported.
    flag: str = ""
    # The household's cycle whose dates hold the row's date (placement.place), if any.
    cycle_id: int | None = None

    @property
    def is_expense(self) -> bool:
        """Valid money out: imported unless the cycle already holds it."""
        return self.status in (IMPORT, DUPLICATE)

    @property
    def importable(self) -> bool:
        return self.status in IMPORTABLE

    @property
    def key(self) -> tuple:
        if self.bank_id:
            return ("id", self.bank_id)
        return expense_key(
            on=self.date, amount=self.amount, currency=self.currency, description=self.description
        )

    @property
    def record_key(self) -> str:
        """The key an imported row is remembered by (see ImportedTransaction)."""
        return record_key(self.key)


def expense_key(*, on: date | None, amount: Decimal | None, currency: str, description: str):
    """What makes two expenses the same for an import (Decimal("5.0") == Decimal("5.00"))."""
    amount = amount.normalize() if amount is not None else None
    return (on, amount, (currency or "").upper(), (description or "").strip().lower())


def record_key(key: tuple) -> str:
    if key[0] == "id":
        text = f"id|{key[1]}"
    else:
        on, amount, currency, description = key
        text = f"row|{on}|{amount}|{currency}|{description}"
    return hashlib.sha256(text.encode()).hexdigest()


def clean_description(text: str) -> tuple[str, list[str]]:
    """(description, notes): whitespace collapsed, a formula defused, a long one shortened."""
    notes = []
    text = " ".join((text or "").split())
    text, neutralised = neutralise_formula(text)
    if neutralised:
        notes.append("Starts like a spreadsheet formula: imported as plain text.")
    if len(text) > MAX_DESCRIPTION:
        text = text[:MAX_DESCRIPTION].rstrip()
        notes.append(f"Description shortened to {MAX_DESCRIPTION} characters.")
    return text, notes


def is_transfer(entry: Entry, own_last4: Iterable[str]) -> bool:
    """Money between the household's own accounts: the other side's account ends with the last
    four digits of one of the household's payment methods, or the description says so."""
    digits = re.sub(r"\D", "", entry.counterparty)
    if len(digits) >= 4 and digits[-4:] in set(own_last4):
        return True
    return bool(TRANSFER_WORDS.search(entry.description))


def finish_entry(
    entry: Entry,
    *,
    currency: str,
    own_last4: frozenset[str] = frozenset(),
) -> ImportRow:
    """The row an entry becomes (`currency`: the file's); its cycle is placement.place's."""
    problems = list(entry.problems)
    notes = list(entry.notes)
    description, description_notes = clean_description(entry.description)
    notes.extend(description_notes)
    if not description and not any("description" in problem for problem in problems):
        problems.append("No description.")
    code = (entry.currency or currency or "").upper()
    amount = entry.amount
    if not is_known_currency(code):
        problems.append(f"Colony does not know the currency “{code}”.")
    elif amount is not None and not entry.money_in:
        problem = amount_problem(amount, code)
        if problem:
            problems.append(problem)
        else:
            amount = amount.quantize(get_currency(code).quantum)
    if entry.money_in:
        status, problems = INCOME, [INCOME_REASON]
    elif problems:
        status = INVALID
    elif entry.state in STATE_REASONS:
        status, problems = PENDING, [STATE_REASONS[entry.state]]
    elif is_transfer(entry, own_last4):
        status, problems = TRANSFER, [TRANSFER_REASON]
    else:
        status = IMPORT
    return ImportRow(
        line=entry.line,
        cells=entry.cells,
        status=status,
        raw_date=entry.raw_date,
        raw_amount=entry.raw_amount,
        date=entry.date,
        description=description,
        amount=amount,
        currency=code,
        problems=tuple(problems),
        notes=tuple(notes),
        bank_id=entry.bank_id,
        flag=status if status in (PENDING, TRANSFER) else "",
    )


def split_duplicates(
    rows: Iterable[ImportRow], existing: Counter
) -> tuple[list[ImportRow], list[ImportRow]]:
    """(new, duplicates): each record key the cycle already holds (`existing`: key → how many)
    cancels one identical row; identical rows beyond that are new."""
    remaining = Counter(existing)
    new, duplicates = [], []
    for row in rows:
        if remaining[row.record_key] > 0:
            remaining[row.record_key] -= 1
            duplicates.append(row)
        else:
            new.append(row)
    return new, duplicates


def mark_duplicates(rows: list[ImportRow], existing: Counter) -> list[ImportRow]:
    """The rows, with those already imported marked "duplicate" (see split_duplicates)."""
    _, duplicates = split_duplicates((row for row in rows if row.importable), existing)
    duplicate_ids = {id(row) for row in duplicates}
    return [
        replace(row, status=DUPLICATE, problems=(DUPLICATE_REASON,))
        if id(row) in duplicate_ids
        else row
        for row in rows
    ]


def count_by_status(rows: Iterable[ImportRow]) -> dict[str, int]:
    counts = Counter(row.status for row in rows)
    return {status: counts[status] for status in STATUSES}


def nothing_to_import_message(rows: list[ImportRow]) -> str | None:
    """Why no row can be imported (the commonest reasons first), or None when one can."""
    if any(row.is_expense or row.importable for row in rows):
        return None
    if rows and all(row.status == INCOME for row in rows):
        return "Every row of this file is money in (payments, refunds, income): nothing to import."
    reasons = Counter(
        problem for row in rows if row.status in (INVALID, OUTSIDE) for problem in row.problems
    )
    top = "; ".join(
        f"{reason} ({count} row{'s' if count != 1 else ''})" if count > 1 else reason
        for reason, count in reasons.most_common(3)
    )
    lead = f"None of the {len(rows)} rows can" if len(rows) > 1 else "The only row cannot"
    return f"{lead} be imported. {top}".strip()
