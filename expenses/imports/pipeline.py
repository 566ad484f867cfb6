"""The import pipeline, read once per request: raw text → statement (format detected from the
content) → rows read with the household's choices → proposals (reconciliation with the plan,
rules, suggestions from history). Views call these; forms only turn POSTed strings into choices.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from formats.currencies import is_known_currency

from .csv_reader import Mapping, Table, detect_mapping, read_entries, read_table
from .decoding import DecodedText, decode_as, decode_text
from .formats import (
    CSV,
    FORMAT_LABELS,
    ParsedStatement,
    apply_date_format,
    detect_format,
    read_camt,
    read_ofx,
    read_qif,
)
from .limits import MAX_UPLOAD_BYTES, NOT_A_STATEMENT, TOO_LARGE, UnreadableFile
from .reconciliation import (
    PlannedExpense,
    RecordedExpense,
    already_there,
    existing_counts,
    plausible,
    reconcile,
)
from .rows import DUPLICATE, IMPORT, ImportRow, finish_entry, mark_duplicates
from .rules import History, Rule, RuleBook
from .values import MONTH_FIRST_CURRENCIES, detect_date_format

if TYPE_CHECKING:  # the pipeline reads no database
    from ..models import Category, PaymentMethod

READERS = {"ofx": read_ofx, "qif": read_qif, "camt053": read_camt}
# What one pending upload may hold, compressed (a statement compresses about ten to one).
MAX_STORED_BYTES = 3 * 1024 * 1024


@dataclass(frozen=True)
class Statement:
    """An upload read once: its format and either its table (CSV) or its entries."""

    format: str
    encoding: str
    table: Table | None = None
    parsed: ParsedStatement | None = None

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS[self.format]

    @property
    def row_count(self) -> int:
        return len(self.table.rows) if self.table else len(self.parsed.entries)

    @property
    def needs_date_format(self) -> bool:
        return self.format == CSV or bool(self.parsed and self.parsed.needs_date_format)


def read_upload(raw: bytes) -> DecodedText:
    """An uploaded file's text, or UnreadableFile; the size is checked before anything else."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UnreadableFile(TOO_LARGE)
    decoded = decode_text(raw)
    read_statement(decoded.text, encoding=decoded.encoding)  # refuses what cannot be read
    return decoded


def read_statement(text: str, *, encoding: str = "utf_8") -> Statement:
    """The text read once into a statement; UnreadableFile when it is none."""
    kind = detect_format(text)
    if kind == CSV:
        return Statement(format=CSV, encoding=encoding, table=read_table(text))
    return Statement(format=kind, encoding=encoding, parsed=READERS[kind](text))


def pack_upload(raw: bytes) -> bytes | None:
    """The uploaded bytes as a pending import keeps them (compressed), or None when too large.
    The bytes, not the text: the household may have them read in another encoding."""
    packed = zlib.compress(raw, 6)
    return packed if len(packed) <= MAX_STORED_BYTES else None


def unpack_upload(packed: bytes) -> bytes:
    """The kept bytes; never more than an upload may hold, whatever the row holds."""
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, MAX_UPLOAD_BYTES + 1)
    except zlib.error as error:
        raise UnreadableFile(NOT_A_STATEMENT) from error
    if len(raw) > MAX_UPLOAD_BYTES or inflater.unconsumed_tail:
        raise UnreadableFile(TOO_LARGE)
    return raw


def read_kept_upload(packed: bytes, *, encoding: str) -> Statement:
    """A kept upload read again, in `encoding` (the detected one, or the household's choice):
    its size is checked before it is decoded, its text's before it is split."""
    decoded = decode_as(unpack_upload(packed), encoding)
    return read_statement(decoded.text, encoding=decoded.encoding)


# -- choices ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """How to read the statement: detected, remembered or chosen by the household."""

    mapping: Mapping | None = None  # CSV
    date_format: str | None = None  # CSV and QIF
    currency: str = "USD"  # for rows that do not state one
    ambiguous_dates: bool = False  # DD/MM or MM/DD could not be told: the household chooses
    remembered: bool = False  # the payment method's mapping was applied as it was


def detect_choices(
    statement: Statement,
    *,
    base_currency: str,
    window: tuple[date, date],
    remembered: dict | None = None,
    currency: str | None = None,
) -> Choices:
    """What the preview starts from: the payment method's remembered mapping when it fits this
    file, else detection. `currency`: the payment method's, when known."""
    kept = (remembered or {}).get("currency")
    kept = kept if isinstance(kept, str) and is_known_currency(kept) else None
    default_currency = currency or kept or base_currency
    if statement.format == CSV:
        if remembered:
            mapping = Mapping.from_names(remembered, statement.table.header)
            if mapping is not None:
                return Choices(
                    mapping=mapping,
                    date_format=mapping.date_format,
                    currency=mapping.currency,
                    remembered=True,
                )
        mapping = detect_mapping(
            statement.table, base_currency=base_currency, window=window, currency=default_currency
        )
        return Choices(
            mapping=mapping,
            date_format=mapping.date_format,
            currency=mapping.currency,
            ambiguous_dates=mapping.ambiguous_dates,
        )
    parsed = statement.parsed
    file_currency = parsed.currency or default_currency
    if not parsed.needs_date_format:
        return Choices(currency=file_currency)
    if remembered and remembered.get("date_format"):
        return Choices(
            date_format=remembered["date_format"], currency=file_currency, remembered=True
        )
    guess = detect_date_format(
        [entry.raw_date for entry in parsed.entries[:200] if entry.raw_date],
        month_first=base_currency in MONTH_FIRST_CURRENCIES,
        window=window,
    )
    return Choices(
        date_format=guess.key or "mdy_slash",
        currency=file_currency,
        ambiguous_dates=guess.ambiguous,
    )


def read_rows(
    statement: Statement,
    choices: Choices,
    *,
    own_last4: frozenset[str] = frozenset(),
) -> list[ImportRow]:
    """Every transaction of the statement as a row (placement.place puts them in cycles)."""
    if statement.format == CSV:
        mapping = choices.mapping
        entries = read_entries(statement.table, mapping)
    else:
        entries = statement.parsed.entries
        if statement.parsed.needs_date_format and choices.date_format:
            entries = apply_date_format(entries, choices.date_format)
    currency = choices.mapping.currency if choices.mapping else choices.currency
    return [finish_entry(entry, currency=currency, own_last4=own_last4) for entry in entries]


# -- proposals -------------------------------------------------------------------------------------


@dataclass
class Proposal:
    """What the preview proposes for one row, and why; the household may change any of it."""

    row: ImportRow
    action: str  # "new", "skip", "pay" or "there"
    pays: PlannedExpense | None = None
    options: list[PlannedExpense] = field(default_factory=list)  # plausible planned expenses
    # The paid expense of the row's cycle the row already is (offered even once overridden).
    already: RecordedExpense | None = None
    category_id: int | None = None
    category_source: str = ""
    payment_method_id: int | None = None
    payment_method_source: str = ""
    payment_method_name: str = ""  # filled for display
    description: str = ""
    description_source: str = ""
    rule: Rule | None = None

    @property
    def outcome(self) -> str:
        """What happens to the row, in one word a preview row or an API carries: "pay" (its
        planned expense is `pays`), "there" (the expense it is, `already`), "new", or why it
        stays out: "duplicate", "income", "pending", "transfer", "outside", "invalid", or
        "skip" when the household or a rule left it out."""
        if self.action != "skip":
            return self.action
        return "skip" if self.row.status == IMPORT else self.row.status


@dataclass(frozen=True)
class RowDecision:
    """What the household decided for one row of the preview."""

    row: ImportRow
    action: str  # "new", "skip", "pay" or "there"
    category: Category | None = None
    payment_method: PaymentMethod | None = None
    description: str = ""
    pays: int | None = None  # the planned expense's pk, for "pay"
    already: int | None = None  # the expense's pk, for "there"


def propose(
    rows: list[ImportRow],
    *,
    recorded: list[RecordedExpense],
    imported: dict[str, list[int]],
    planned: list[PlannedExpense],
    rule_book: RuleBook,
    history: History,
    default_category_id: int | None,
    default_payment_method_id: int | None,
) -> list[Proposal]:
    """Each row (placed in its cycle) with what would happen to it: duplicates marked, the
    expense it already is or the planned expense it pays, and the rule or suggestion that sets
    its category, payment method and description. `recorded` and `imported`: what the cycles
    hold (selectors.cycle_records)."""
    rows = mark_duplicates(rows, existing_counts(recorded, imported))
    # A planned expense a duplicate row stands for is already accounted for: not a match.
    seen = {row.record_key for row in rows if row.status == DUPLICATE}
    planned = [expense for expense in planned if expense.record_key not in seen]
    options = plausible(rows, planned)
    proposals = [
        _proposal(
            row,
            options=options,
            rule_book=rule_book,
            default_category_id=default_category_id,
            default_payment_method_id=default_payment_method_id,
        )
        for row in rows
    ]
    _suggest_categories(proposals, history)
    there = already_there(
        rows,
        recorded,
        imported=imported,
        payment_methods={p.row.line: p.payment_method_id for p in proposals},
    )
    # A row already there pays no plan: its money is recorded as spent already.
    matches = reconcile(
        rows, planned, options={line: o for line, o in options.items() if line not in there}
    )
    for proposal in proposals:
        proposal.already = there.get(proposal.row.line)
        if proposal.already is not None and proposal.action == "new":
            proposal.action = "there"
    for proposal in proposals:
        matched = matches.get(proposal.row.line)
        if matched is not None and proposal.action == "new":
            proposal.action, proposal.pays = "pay", matched
            if matched not in proposal.options:
                proposal.options.insert(0, matched)
    return proposals


def _proposal(
    row: ImportRow,
    *,
    options: dict,
    rule_book: RuleBook,
    default_category_id: int | None,
    default_payment_method_id: int | None,
) -> Proposal:
    """One row with its defaults, and the first rule that matches it applied."""
    proposal = Proposal(row=row, action="new" if row.status == "import" else "skip")
    proposal.category_id, proposal.category_source = default_category_id, "default"
    proposal.payment_method_id = default_payment_method_id
    proposal.payment_method_source = "statement" if default_payment_method_id else ""
    proposal.description = row.description
    if not row.importable:
        return proposal
    proposal.options = [expense for _, expense in options.get(row.line, ())][:5]
    rule = rule_book.first(row)
    if rule is not None:
        proposal.rule = rule
        if rule.ignore:
            proposal.action = "skip"
        if rule.category_id:
            proposal.category_id, proposal.category_source = rule.category_id, "rule"
        if rule.payment_method_id:
            proposal.payment_method_id = rule.payment_method_id
            proposal.payment_method_source = "rule"
        if rule.description:
            proposal.description, proposal.description_source = rule.description, "rule"
    return proposal


def _suggest_categories(proposals: list[Proposal], history: History) -> None:
    """The category from history for every importable row no rule gave one: all rows in one
    bounded search (rules.History.suggest_all)."""
    waiting = [p for p in proposals if p.row.importable and p.category_source == "default"]
    suggested = history.suggest_all(proposal.row.description for proposal in waiting)
    for proposal in waiting:
        category_id = suggested.get(proposal.row.description)
        if category_id is not None:
            proposal.category_id, proposal.category_source = category_id, "history"
