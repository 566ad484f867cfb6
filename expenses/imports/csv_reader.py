"""Reading a CSV bank statement: text → table → detected column mapping → entries.

Pure functions, no database. Decisions, so the preview can explain them and the tests can pin
them:

- Limits come first: more than 5,000 lines or 100 columns is refused before the text is split
  into cells (a 60,000-column file never becomes 60,000-cell rows).
- A bank's preamble above the header (account, period, balance: lines with fewer than half
  the usual cells) is left out, from the delimiter's detection too.
- Detection reads a sample of each column (the first rows), so it costs the same for 50 rows as
  for 5,000.
- Money in: separate debit and credit columns decide when the file has them; else a direction
  column (Dutch "Af Bij", "Debit/Credit"); else the sign, and the sign most rows carry is money
  out (negative in card exports; a file of only positive amounts is all money out).
- A fee column is added to the amount of money out.
- A status column (pending, reversed, declined) flags rows the import leaves out by default.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from formats.currencies import is_known_currency

from .limits import (
    EMPTY,
    HEADER_ONLY,
    MAX_COLUMNS,
    MAX_ROWS,
    NO_COLUMNS,
    NOT_CSV,
    TOO_LONG,
    TOO_WIDE,
    UnreadableFile,
)
from .rows import Entry
from .values import (
    DATE_FORMATS,
    MONTH_FIRST_CURRENCIES,
    DateFormatGuess,
    detect_date_format,
    detect_decimal_comma,
    is_number,
    parse_amount,
    parse_date,
)

DELIMITERS = (",", ";", "\t", "|")
SNIFF_LINES = 30
SNIFF_CHARS = 64 * 1024
# Values of each column that detection looks at.
SAMPLE_ROWS = 200
# Blank lines and a bank's preamble above the header, beyond the rows themselves.
SPARE_LINES = 50


# -- text → table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """The file's cells: `rows` holds (line number, cells) for every non-blank data row, each
    at least as wide as the header."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    delimiter: str
    has_header: bool = True

    @property
    def width(self) -> int:
        return len(self.header)

    def column(self, index: int | None, *, limit: int | None = None) -> list[str]:
        """The non-blank values of a column (of its first `limit` rows)."""
        if index is None:
            return []
        rows = self.rows if limit is None else self.rows[:limit]
        return [cells[index] for _, cells in rows if cells[index]]


def _field_counts(sample: str, delimiter: str) -> list[int]:
    try:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        return [len(row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error:
        return []


def _usual_width(counts: list[int]) -> int:
    """The number of cells most lines have (the wider one on a tie)."""
    return max(Counter(counts).items(), key=lambda item: (item[1], item[0]))[0]


def _preamble_length(counts: list[int]) -> int:
    """How many lines above the header are a bank's preamble (account, period, balance: DKB,
    ING and comdirect write them): the leading lines with fewer than half the usual cells."""
    width = _usual_width(counts)
    for index, count in enumerate(counts[:SPARE_LINES]):
        if count * 2 >= width:
            return index
    return 0


def _delimiter_score(sample: str, delimiter: str) -> tuple[bool, float, int]:
    """(splits into columns, share of lines below a preamble with the usual number of them,
    that number)."""
    counts = _field_counts(sample, delimiter)
    if not counts:
        return (False, 0.0, 0)
    width = _usual_width(counts)
    counts = counts[_preamble_length(counts) :]
    consistency = counts.count(width) / len(counts)
    return (width >= 2 and consistency >= 0.6, round(consistency, 2), width)


def detect_delimiter(text: str) -> str:
    """`,`, `;`, tab or `|`: csv.Sniffer's answer when every line then has the header's number of
    columns, else the candidate that splits the lines most consistently into the most columns."""
    sample = "\n".join(text[:SNIFF_CHARS].splitlines()[:SNIFF_LINES])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in DELIMITERS:
        has_columns, consistency, _ = _delimiter_score(sample, sniffed)
        if has_columns and consistency >= 0.9:
            return sniffed
    best = max(DELIMITERS, key=lambda d: _delimiter_score(sample, d))
    if not _delimiter_score(sample, best)[0]:
        raise UnreadableFile(NO_COLUMNS)
    return best


def _looks_like_data(cells: Iterable[str]) -> bool:
    cells = [cell for cell in cells if cell]
    has_date = any(parse_date(cell, key) for cell in cells for key in DATE_FORMATS)
    has_amount = any(is_number(cell) and not re.fullmatch(r"\d{8}", cell) for cell in cells)
    return has_date and has_amount


def read_table(text: str) -> Table:
    """The text split into rows and columns; UnreadableFile when there are none to import, or
    more rows or columns than an import takes (checked before the text is split)."""
    if text.count("\n") > MAX_ROWS + SPARE_LINES:
        raise UnreadableFile(TOO_LONG)
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, tuple[str, ...]]] = []
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS:
                raise UnreadableFile(TOO_WIDE)
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, tuple(cell.strip() for cell in cells)))
                if len(rows) > MAX_ROWS + 1 + SPARE_LINES:
                    raise UnreadableFile(TOO_LONG)
    except csv.Error as error:
        raise UnreadableFile(NOT_CSV) from error
    if not rows:
        raise UnreadableFile(EMPTY)
    del rows[: _preamble_length([len(cells) for _, cells in rows[: SAMPLE_ROWS + SPARE_LINES]])]
    if len(rows) > MAX_ROWS + 1:
        raise UnreadableFile(TOO_LONG)
    has_header = not _looks_like_data(rows[0][1])
    if has_header:
        first = rows.pop(0)[1]
        header = tuple(name or f"Column {i + 1}" for i, name in enumerate(first))
    else:
        width = max(len(cells) for _, cells in rows)
        header = tuple(f"Column {i + 1}" for i in range(width))
    if len(header) < 2:
        raise UnreadableFile(NO_COLUMNS)
    if not rows:
        raise UnreadableFile(HEADER_ONLY)
    # Short rows are padded; a row longer than the header is kept whole (see `read_rows`).
    width = len(header)
    padded = tuple((line, cells + ("",) * (width - len(cells))) for line, cells in rows)
    return Table(header=header, rows=padded, delimiter=delimiter, has_header=has_header)


# -- money in or out -----------------------------------------------------------------------------

MONEY_OUT_WORDS = frozenset({"af", "debit", "debet", "dr", "out", "uit", "soll"})
MONEY_IN_WORDS = frozenset({"bij", "credit", "cr", "in", "haben"})
NEGATIVE_IS_OUT, POSITIVE_IS_OUT = "negative", "positive"
SIGN_CHOICES = [
    (NEGATIVE_IS_OUT, "Negative amounts are money out"),
    (POSITIVE_IS_OUT, "Positive amounts are money out"),
]


def _direction_word(value: str) -> str:
    return re.sub(r"[^a-z]", "", (value or "").lower())


# -- which column is which -----------------------------------------------------------------------

_HINTS = {
    "date": (
        "transaction date",
        "booking date",
        "transactiedatum",
        "boekdatum",
        "buchungstag",
        "date",
        "datum",
        "fecha",
        "data",
    ),
    "description": (
        "description",
        "omschrijving",
        "beschreibung",
        "naam",
        "name",
        "payee",
        "merchant",
        "details",
        "narrative",
        "libelle",
        "concepto",
        # Sparkasse's and DKB's payee, before "Verwendungszweck" (a card payment's terminal
        # text, a transfer's reference).
        "beguenstigter zahlungspflichtiger",
        "begunstigter zahlungspflichtiger",
        "zahlungsempfanger in",
        "zahlungsempfanger",
        "empfanger",
        "auftraggeber",
        "verwendungszweck",
        "memo",
    ),
    "amount": ("amount", "bedrag", "betrag", "montant", "importe", "value", "sum"),
    "currency": ("currency", "valuta", "munt", "ccy", "wahrung", "devise", "moneda"),
    "direction": ("af bij", "debit credit", "credit debit", "direction", "d c", "cr dr", "dr cr"),
    "debit": ("debit", "withdrawal", "money out", "paid out", "debet", "af", "soll", "ausgang"),
    "credit": ("credit", "deposit", "money in", "paid in", "bij", "haben", "eingang"),
    "fee": ("fee", "fees", "commission", "charge", "gebuhr", "kosten", "frais", "comision"),
    "status": ("status", "state", "estado", "statut"),
    "counterparty": (
        "counterparty account",
        "tegenrekening",
        "gegenkonto",
        "counter account",
        "iban",
        "account number",
    ),
}
# A status cell in the bank's own language. Sparkasse writes "Umsatz vorgemerkt" (pending) and
# "Umsatz gebucht" (booked) in its "Info" column; Dutch, French and Spanish banks write
# "gereserveerd", "en attente" and "pendiente".
STATE_WORDS = {
    "pending": "pending",
    "authorised": "pending",
    "authorized": "pending",
    "in behandeling": "pending",
    "gereserveerd": "pending",
    "vorgemerkt": "pending",
    "umsatz vorgemerkt": "pending",
    "en attente": "pending",
    "en cours": "pending",
    "pendiente": "pending",
    "reversed": "reversed",
    "reversal": "reversed",
    "storniert": "reversed",
    "umsatz storniert": "reversed",
    "declined": "declined",
    "rejected": "declined",
    "abgelehnt": "declined",
}
FINAL_STATE_WORDS = frozenset(
    {
        "booked",
        "posted",
        "completed",
        "cleared",
        "settled",
        "done",
        "gebucht",
        "umsatz gebucht",
        "geboekt",
        "comptabilisé",
        "comptabilise",
        "contabilizado",
        "realizado",
    }
)


def _normalized(name: str) -> str:
    name = name.lower().replace("ä", "a").replace("ü", "u").replace("é", "e").replace("è", "e")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name).split())


def _hint_score(name: str, kind: str) -> tuple[int, int]:
    """How well a header names a column kind: (exact 3 / whole words 2 / part of a word 1,
    earlier hints first)."""
    name = _normalized(name)
    best = (0, 0)
    for index, hint in enumerate(_HINTS[kind]):
        if name == hint:
            level = 3
        elif f" {hint} " in f" {name} ":
            level = 2
        elif hint in name:
            level = 1
        else:
            continue
        best = max(best, (level, -index))
    return best


def _pick(table: Table, kind: str, candidates: Iterable[int]) -> int | None:
    """The candidate column whose header names `kind` best, else the leftmost."""
    candidates = list(candidates)
    if not candidates:
        return None
    return max(candidates, key=lambda i: (_hint_score(table.header[i], kind), -i))


def _share(values: list[str], test) -> float:
    return sum(1 for value in values if test(value)) / len(values) if values else 0.0


def state_of(value: str) -> str | None:
    """ "pending", "reversed" or "declined" for a status cell that says so, "" for a final one,
    None for a value that is no status at all."""
    word = " ".join((value or "").lower().split())
    if word in STATE_WORDS:
        return STATE_WORDS[word]
    return "" if word in FINAL_STATE_WORDS else None


@dataclass(frozen=True)
class Mapping:
    """Which column holds what, and how to read it. Column numbers are 0-based."""

    date_column: int | None
    date_format: str | None
    description_column: int | None
    amount_column: int | None
    decimal_comma: bool = False
    currency: str = "USD"  # for rows without a currency column (or a blank cell in it)
    currency_column: int | None = None
    direction_column: int | None = None
    negative_is_out: bool = True
    ambiguous_dates: bool = False  # detection's note for the preview
    currency_stated: bool = False  # so is this: a header names the currency ("Bedrag (EUR)")
    debit_column: int | None = None
    credit_column: int | None = None
    fee_column: int | None = None
    status_column: int | None = None
    counterparty_column: int | None = None

    COLUMNS = (
        "date_column",
        "description_column",
        "amount_column",
        "debit_column",
        "credit_column",
        "fee_column",
        "currency_column",
        "direction_column",
        "status_column",
        "counterparty_column",
    )

    def by_name(self, header: tuple[str, ...]) -> dict:
        """The mapping with columns named by their header, to remember for the next file."""
        named = {
            name: header[index] if index is not None and index < len(header) else None
            for name in self.COLUMNS
            for index in [getattr(self, name)]
        }
        return {
            **named,
            "date_format": self.date_format,
            "decimal_comma": self.decimal_comma,
            "currency": self.currency,
            "negative_is_out": self.negative_is_out,
        }

    @classmethod
    def from_names(cls, saved: dict, header: tuple[str, ...]) -> Mapping | None:
        """A remembered mapping applied to a file, or None when its columns are not all there."""
        positions = {name: index for index, name in enumerate(header)}
        columns = {}
        for name in cls.COLUMNS:
            wanted = saved.get(name)
            if wanted is not None and wanted not in positions:
                return None
            columns[name] = positions.get(wanted) if wanted is not None else None
        if saved.get("date_format") not in DATE_FORMATS:
            return None
        return cls(
            **columns,
            date_format=saved["date_format"],
            decimal_comma=bool(saved.get("decimal_comma")),
            currency=str(saved.get("currency") or "USD"),
            negative_is_out=bool(saved.get("negative_is_out", True)),
        )


def _header_currency(name: str) -> str | None:
    for word in re.findall(r"[A-Za-z]{3}", name):
        if word.isupper() and is_known_currency(word):
            return word
    return None


def detect_mapping(
    table: Table, *, base_currency: str, window: tuple | None = None, currency: str | None = None
) -> Mapping:
    """The most likely mapping of the table's columns, from a sample of the first rows; any
    part may be None when no column fits (the preview then asks for it). Rows that do not say
    their currency are in the one a header names, else `currency` (the one remembered for the
    payment method), else the household's; the household's alone decides a date order no
    value and no cycle date can.

    Columns are claimed in order — date, money, currency, direction, status, other account,
    and the description from the texts left — each from the columns not claimed before."""
    values = {i: table.column(i, limit=SAMPLE_ROWS) for i in range(table.width)}
    month_first = base_currency in MONTH_FIRST_CURRENCIES
    date_column, date_guess = _date_column(table, values, month_first=month_first, window=window)
    money = _money_columns(table, values, date_column=date_column)
    used = {date_column, money.amount, money.debit, money.credit, money.fee}
    currency_column = _claim(used, _currency_column(table, values, used))
    direction_column = None
    if money.credit is None:
        direction_column = _claim(used, _direction_column(table, values, used))
    status_column = _claim(used, _status_column(table, values, used))
    counterparty_column = _claim(used, _counterparty_column(table, values, used))
    amounts = _amount_reading(table, values, money, has_direction=direction_column is not None)
    return Mapping(
        date_column=date_column,
        date_format=date_guess.key,
        description_column=_description_column(table, values, used),
        amount_column=money.amount,
        decimal_comma=amounts.decimal_comma,
        currency=amounts.header_currency or currency or base_currency,
        currency_column=currency_column,
        direction_column=direction_column,
        negative_is_out=amounts.negative_is_out,
        ambiguous_dates=date_guess.ambiguous,
        currency_stated=amounts.header_currency is not None,
        debit_column=money.debit,
        credit_column=money.credit,
        fee_column=money.fee,
        status_column=status_column,
        counterparty_column=counterparty_column,
    )


def _claim(used: set, column: int | None) -> int | None:
    used.add(column)
    return column


def _date_column(
    table: Table, values: dict, *, month_first: bool, window: tuple | None
) -> tuple[int | None, DateFormatGuess]:
    """The column of dates (most of its values read in one format), and that format."""
    dated = {}
    for i in range(table.width):
        guess = detect_date_format(values[i], month_first=month_first, window=window)
        if guess.key and guess.share >= 0.5:
            dated[i] = guess
    column = _pick(table, "date", dated)
    return column, dated.get(column, DateFormatGuess(None, 0.0))


@dataclass(frozen=True)
class _MoneyColumns:
    amount: int | None = None
    debit: int | None = None
    credit: int | None = None
    fee: int | None = None

    @property
    def columns(self) -> list[int]:
        return [c for c in (self.amount, self.debit, self.credit) if c is not None]


def _money_columns(table: Table, values: dict, *, date_column: int | None) -> _MoneyColumns:
    """Among the numeric columns: debit and credit when the headers name both, a fee, and an
    amount (which beats debit/credit columns that merely repeat it)."""
    numeric = [
        i
        for i in range(table.width)
        if i != date_column and values[i] and _share(values[i], is_number) >= 0.5
    ]
    debit_column = credit_column = None
    debits = [i for i in numeric if _hint_score(table.header[i], "debit")[0] >= 2]
    credits = [i for i in numeric if _hint_score(table.header[i], "credit")[0] >= 2]
    if debits and credits:
        debit_column = _pick(table, "debit", debits)
        credit_column = _pick(table, "credit", [i for i in credits if i != debit_column])
    fees = [
        i
        for i in numeric
        if _hint_score(table.header[i], "fee")[0] >= 2 and i not in (debit_column, credit_column)
    ]
    fee_column = _pick(table, "fee", fees)
    amounts = [i for i in numeric if i not in (debit_column, credit_column, fee_column)]
    hinted = [i for i in amounts if _hint_score(table.header[i], "amount")[0]]
    amount_column = None
    if credit_column is None or hinted:
        amount_column = _pick(table, "amount", hinted or amounts)
        if hinted and credit_column is not None:
            debit_column = credit_column = None
    return _MoneyColumns(
        amount=amount_column, debit=debit_column, credit=credit_column, fee=fee_column
    )


def _currency_column(table: Table, values: dict, used: set) -> int | None:
    """A column of three-letter currency codes."""
    coded = [
        i
        for i in range(table.width)
        if i not in used
        and values[i]
        and all(re.fullmatch(r"[A-Za-z]{3}", v) for v in values[i])
        and _share(values[i], is_known_currency) >= 0.5
    ]
    return _pick(table, "currency", coded)


def _direction_column(table: Table, values: dict, used: set) -> int | None:
    """A column saying money in or out in words ("Af"/"Bij", "Debit"/"Credit")."""
    directed = [
        i
        for i in range(table.width)
        if i not in used
        and values[i]
        and all(_direction_word(v) in MONEY_OUT_WORDS | MONEY_IN_WORDS for v in values[i])
    ]
    return _pick(table, "direction", directed)


def _status_column(table: Table, values: dict, used: set) -> int | None:
    """A column of states (pending, reversed, declined, booked)."""
    stated = [
        i
        for i in range(table.width)
        if i not in used and values[i] and all(state_of(v) is not None for v in values[i])
    ]
    return _pick(table, "status", stated)


def _counterparty_column(table: Table, values: dict, used: set) -> int | None:
    """The other side's account, when a header says so."""
    named = [
        i
        for i in range(table.width)
        if i not in used and _hint_score(table.header[i], "counterparty")[0] >= 2
    ]
    return _pick(table, "counterparty", named)


def _description_column(table: Table, values: dict, used: set) -> int | None:
    """The text column a header calls the description; else the one with the longest texts
    that are not numbers."""
    texts = [i for i in range(table.width) if i not in used and values[i]]
    hinted = [i for i in texts if _hint_score(table.header[i], "description")[0]]
    if hinted:
        return _pick(table, "description", hinted)
    if not texts:
        return None
    return max(
        texts,
        key=lambda i: (sum(len(v) for v in values[i] if not is_number(v)) / len(values[i]), -i),
    )


@dataclass(frozen=True)
class _AmountReading:
    decimal_comma: bool
    header_currency: str | None
    negative_is_out: bool


def _amount_reading(
    table: Table, values: dict, money: _MoneyColumns, *, has_direction: bool
) -> _AmountReading:
    """How the money columns write amounts: the decimal mark, a currency named in a header,
    and which sign is money out (the sign most rows of the amount column carry; a tie, or no
    amount column, keeps the card default: negative)."""
    amount_values = [v for c in money.columns for v in values[c]]
    decimal_comma = detect_decimal_comma(amount_values)
    header_currency = next(
        (
            _header_currency(table.header[c])
            for c in money.columns
            if _header_currency(table.header[c])
        ),
        None,
    )
    negative_is_out = True
    if not has_direction and money.amount is not None:
        signs = []
        for value in values[money.amount]:
            try:
                signs.append(parse_amount(value, decimal_comma=decimal_comma) < 0)
            except ValueError:
                continue
        negative_is_out = sum(signs) * 2 >= len(signs) if signs else True
    return _AmountReading(decimal_comma, header_currency, negative_is_out)


# -- rows ----------------------------------------------------------------------------------------


def _cell(cells: tuple[str, ...], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _money(value: str, mapping: Mapping) -> Decimal | None:
    """The unsigned amount of a money cell; None when blank; ValueError when no amount."""
    if not value:
        return None
    return parse_amount(value, decimal_comma=mapping.decimal_comma)


def read_entry(line: int, cells: tuple[str, ...], mapping: Mapping) -> Entry:
    """One row read with `mapping`, before the cycle is considered."""
    problems: list[str] = []
    notes: list[str] = []

    day = None
    raw_date = _cell(cells, mapping.date_column)
    if mapping.date_column is None or mapping.date_format is None:
        problems.append("Choose the date column and its format.")
    elif not raw_date:
        problems.append("No date.")
    else:
        day = parse_date(raw_date, mapping.date_format)
        if day is None:
            problems.append(f"Not a {DATE_FORMATS[mapping.date_format][1]} date.")

    description = _cell(cells, mapping.description_column)
    if mapping.description_column is None:
        problems.append("Choose the description column.")

    amount = None
    money_in = False
    split = mapping.debit_column is not None and mapping.credit_column is not None
    raw_amount = (
        _cell(cells, mapping.debit_column) or _cell(cells, mapping.credit_column)
        if split
        else _cell(cells, mapping.amount_column)
    )
    try:
        if split:
            debit = _money(_cell(cells, mapping.debit_column), mapping)
            credit = _money(_cell(cells, mapping.credit_column), mapping)
            if debit:
                amount = abs(debit)
            elif credit:
                amount, money_in = abs(credit), True
            else:
                problems.append("No amount.")
        elif mapping.amount_column is None:
            problems.append("Choose the amount column.")
        elif not raw_amount:
            problems.append("No amount.")
        else:
            signed = parse_amount(raw_amount, decimal_comma=mapping.decimal_comma)
            amount = abs(signed)
            if mapping.direction_column is not None:
                word = _direction_word(_cell(cells, mapping.direction_column))
                if word in MONEY_IN_WORDS:
                    money_in = True
                elif word not in MONEY_OUT_WORDS:
                    problems.append("The direction says neither money out nor money in.")
            elif signed:
                money_in = (signed < 0) != mapping.negative_is_out
    except ValueError:
        problems.append("Not an amount.")
        amount = None

    if amount is not None and not money_in and mapping.fee_column is not None:
        try:
            fee = _money(_cell(cells, mapping.fee_column), mapping)
        except ValueError:
            problems.append("The fee is not an amount.")
        else:
            if fee:
                amount += abs(fee)
                notes.append(f"Includes a fee of {abs(fee)}.")

    state = state_of(_cell(cells, mapping.status_column)) or ""
    return Entry(
        line=line,
        raw_date=raw_date,
        date=day,
        description=description,
        raw_amount=raw_amount,
        amount=amount,
        money_in=money_in,
        currency=_cell(cells, mapping.currency_column).upper(),
        state=state,
        counterparty=_cell(cells, mapping.counterparty_column),
        cells=cells,
        problems=tuple(problems),
        notes=tuple(notes),
    )


def _rejoin_description(
    cells: tuple[str, ...], width: int, mapping: Mapping, delimiter: str
) -> tuple[str, ...]:
    # Some banks do not quote a description holding the separator, which splits it into more
    # cells than the header has; put those pieces back together.
    extra = len(cells) - width
    column = mapping.description_column
    if extra <= 0 or column is None:
        return cells
    joined = delimiter.join(cells[column : column + extra + 1])
    return (*cells[:column], joined, *cells[column + extra + 1 :])


def read_entries(table: Table, mapping: Mapping) -> list[Entry]:
    """Every data row of the table read with `mapping`."""
    entries = []
    for line, cells in table.rows:
        fitted = _rejoin_description(cells, table.width, mapping, table.delimiter)
        entry = read_entry(line, fitted, mapping)
        if fitted != cells:
            note = "More cells than the header has: the description held the separator."
            entry = replace(entry, cells=cells, notes=(*entry.notes, note))
        entries.append(entry)
    return entries
