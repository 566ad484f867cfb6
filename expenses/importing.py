"""Reading a bank statement (CSV) into rows that an import can add to a cycle.

Pure functions, no database: bytes → text → table → detected column mapping → rows, each row
marked "import", "duplicate", "income" (money in, not an expense) or "invalid" with its reasons.

Decisions, so the preview can explain them and the tests can pin them:

- Encoding: UTF-8 (with or without a byte-order mark), or UTF-16 with a byte-order mark (what
  Excel writes as "Unicode Text"). Nothing else: the bytes of Windows-1252, Latin-2 or
  Windows-1251 text look the same, so a guess would store plausible-looking but garbled
  descriptions. Such a file gets "save it as CSV UTF-8" instead.
- Dates: the column's values decide (a first part above 12 means DD/MM). When every value fits
  both DD/MM/YYYY and MM/DD/YYYY, the household's base currency guesses (USD → MM/DD, else
  DD/MM, as most of the world writes dates); the preview says so and offers the other order.
- Money in: with a direction column (Dutch "Af Bij", "Debit/Credit") its value decides; without
  one, the sign does, and the sign most rows carry is money out (negative in card exports; a
  file of only positive amounts, such as Colony's own export, is all money out).
- Formula cells: a description a spreadsheet would run (=, +, -, @ first, and not a number) is
  kept as text with a leading apostrophe, exactly as the CSV export writes it
  (`reports.csv_export.text_cell`), and flagged; nothing is ever evaluated.
- Duplicates: date, amount, currency and description (trimmed, ignoring case). Identical rows in
  one file are all real; each existing expense of the cycle cancels one of them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from exchange.currencies import get_currency, is_known_currency
from exchange.money import InvalidAmount, validate_amount
from reports.csv_export import FORMULA_STARTS, text_cell

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The decoded text is kept in the session between the steps; a cycle's statement is far smaller.
MAX_TEXT_CHARS = 2_000_000
MAX_ROWS = 5_000
MAX_DESCRIPTION = 200
DELIMITERS = (",", ";", "\t", "|")
SNIFF_LINES = 30


class UnreadableFile(ValueError):
    """A file that cannot be imported at all; the message tells the user what to do."""


NOT_CSV = (
    "This is not a CSV file. Export the statement from your bank as CSV (comma- or "
    "semicolon-separated text) and upload that."
)
WORKBOOK = (
    "This is a spreadsheet workbook, not a CSV file. Open it and save it as “CSV UTF-8”, "
    "then upload that."
)
NOT_UTF8 = (
    "This file is not UTF-8 text, so its letters could come out garbled. Open it in your "
    "spreadsheet and save it as “CSV UTF-8”, then upload it again."
)
EMPTY = "This file is empty."
HEADER_ONLY = "This file has a header row but no transactions."
NO_COLUMNS = (
    "No columns found: a CSV file has one transaction per line with its values separated by "
    "commas, semicolons or tabs."
)
TOO_LARGE = "This file is larger than 10 MB. Export a shorter period and upload that."
TOO_LONG = (
    f"This file holds more than one import can take ({MAX_ROWS:,} rows or 2 MB of text). "
    "Export only this cycle's dates and upload that."
)

# -- bytes → text --------------------------------------------------------------------------------

_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx/.ods (zip), .xls
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:8192]
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in b"\t\n\r\x0c")
    return b"\x00" in sample or controls > len(sample) // 100


def decode_text(raw: bytes) -> str:
    """The file's text, or UnreadableFile saying why it cannot be read."""
    if not raw.strip():
        raise UnreadableFile(EMPTY)
    if raw.startswith(_WORKBOOK_MAGIC):
        raise UnreadableFile(WORKBOOK)
    if raw.startswith(_BINARY_MAGIC):
        raise UnreadableFile(NOT_CSV)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UnreadableFile(NOT_UTF8) from error
    else:
        if _looks_binary(raw):
            raise UnreadableFile(NOT_CSV)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise UnreadableFile(NOT_UTF8) from error
    if _CONTROL.search(text):
        raise UnreadableFile(NOT_CSV)
    if not text.strip():
        raise UnreadableFile(EMPTY)
    if len(text) > MAX_TEXT_CHARS:
        raise UnreadableFile(TOO_LONG)
    return text


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

    def column(self, index: int | None) -> list[str]:
        """The non-blank values of a column."""
        if index is None:
            return []
        return [cells[index] for _, cells in self.rows if cells[index]]


def _field_counts(sample: str, delimiter: str) -> list[int]:
    try:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        return [len(row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error:
        return []


def _delimiter_score(sample: str, delimiter: str) -> tuple[bool, float, int]:
    """(splits into columns, share of lines with the usual number of them, that number)."""
    counts = _field_counts(sample, delimiter)
    if not counts:
        return (False, 0.0, 0)
    width, lines = max(Counter(counts).items(), key=lambda item: (item[1], item[0]))
    consistency = lines / len(counts)
    return (width >= 2 and consistency >= 0.6, round(consistency, 2), width)


def detect_delimiter(text: str) -> str:
    """`,`, `;`, tab or `|`: csv.Sniffer's answer when every line then has the header's number of
    columns, else the candidate that splits the lines most consistently into the most columns."""
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])
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
    has_amount = any(_is_number(cell) and not re.fullmatch(r"\d{8}", cell) for cell in cells)
    return has_date and has_amount


def read_table(text: str) -> Table:
    """The text split into rows and columns; UnreadableFile when there are none to import."""
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, tuple[str, ...]]] = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, tuple(cell.strip() for cell in cells)))
                if len(rows) > MAX_ROWS + 1:
                    raise UnreadableFile(TOO_LONG)
    except csv.Error as error:
        raise UnreadableFile(NOT_CSV) from error
    if not rows:
        raise UnreadableFile(EMPTY)
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


# -- dates ---------------------------------------------------------------------------------------

# key → (strptime format, what people call it); the order breaks ties.
DATE_FORMATS: dict[str, tuple[str, str]] = {
    "ymd": ("%Y-%m-%d", "YYYY-MM-DD"),
    "ymd_compact": ("%Y%m%d", "YYYYMMDD"),
    "ymd_slash": ("%Y/%m/%d", "YYYY/MM/DD"),
    "dmy_slash": ("%d/%m/%Y", "DD/MM/YYYY"),
    "mdy_slash": ("%m/%d/%Y", "MM/DD/YYYY"),
    "dmy_dash": ("%d-%m-%Y", "DD-MM-YYYY"),
    "dmy_dot": ("%d.%m.%Y", "DD.MM.YYYY"),
}
DATE_FORMAT_CHOICES = [(key, label) for key, (_, label) in DATE_FORMATS.items()]
# The base currencies of households that write the month first.
MONTH_FIRST_CURRENCIES = frozenset({"USD"})
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_DATE_SHAPE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{8}")


def parse_date(value: str, format_key: str) -> date | None:
    """The date `value` means in the given format (a time after it is ignored), else None."""
    value = _TIME_SUFFIX.sub("", (value or "").strip())
    if not _DATE_SHAPE.fullmatch(value):
        return None
    try:
        return datetime.strptime(value, DATE_FORMATS[format_key][0]).date()
    except ValueError:
        return None


@dataclass(frozen=True)
class DateFormatGuess:
    key: str | None
    share: float  # of the values it reads
    ambiguous: bool = False  # DD/MM and MM/DD both read every value


def detect_date_format(values: list[str], *, month_first: bool = False) -> DateFormatGuess:
    """The format that reads the most values; DD/MM vs MM/DD when both read them all is
    ambiguous and decided by `month_first`."""
    if not values:
        return DateFormatGuess(None, 0.0)
    shares = {
        key: sum(1 for value in values if parse_date(value, key)) / len(values)
        for key in DATE_FORMATS
    }
    best = max(shares.values())
    if best == 0:
        return DateFormatGuess(None, 0.0)
    fits = [key for key, share in shares.items() if share == best]
    if "dmy_slash" in fits and "mdy_slash" in fits:
        return DateFormatGuess("mdy_slash" if month_first else "dmy_slash", best, ambiguous=True)
    return DateFormatGuess(fits[0], best)


# -- amounts -------------------------------------------------------------------------------------

DECIMAL_POINT, DECIMAL_COMMA = "point", "comma"
DECIMAL_CHOICES = [
    (DECIMAL_POINT, "1,234.56 (decimal point)"),
    (DECIMAL_COMMA, "1.234,56 (decimal comma)"),
]
_POINT_NUMBER = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d*)?|\.\d+")
_COMMA_NUMBER = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?|\d+(,\d*)?|,\d+")
_SYMBOLS = "$€£¥"
_CODE_AT_ENDS = re.compile(r"^([A-Z]{3})(?=[\d.,(+-])|(?<=[\d.,)])([A-Z]{3})$")


def _bare_number(value: str) -> tuple[bool, str]:
    """(negative, digits and separators) with signs, brackets, symbols and spaces taken off."""
    text = (value or "").strip().replace("\u2212", "-")
    for space in (" ", "\u00a0", "\u202f", "'", "’"):
        text = text.replace(space, "")
    text = _CODE_AT_ENDS.sub(
        lambda m: "" if is_known_currency(m.group(1) or m.group(2)) else m.group(0), text
    )
    negative = False
    if len(text) > 2 and text[0] == "(" and text[-1] == ")":
        negative, text = True, text[1:-1]
    text = text.strip(_SYMBOLS)
    if text and text[0] in "+-":
        negative, text = negative or text[0] == "-", text[1:]
    elif text and text[-1] in "+-":
        negative, text = negative or text[-1] == "-", text[:-1]
    return negative, text.strip(_SYMBOLS)


def parse_amount(value: str, *, decimal_comma: bool = False) -> Decimal:
    """The signed amount in `value` ("-1,234.56", "1.234,56", "(12.50)", "12,50-", "$3.00"),
    parsed from its digits (never through a float); ValueError when it is not one."""
    negative, text = _bare_number(value)
    pattern = _COMMA_NUMBER if decimal_comma else _POINT_NUMBER
    if not text or not pattern.fullmatch(text):
        raise ValueError(f"not an amount: {value!r}")
    # Drop the thousands separators; the decimal separator becomes a point.
    text = text.replace(".", "").replace(",", ".") if decimal_comma else text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as error:  # pragma: no cover — the pattern admits only digits
        raise ValueError(f"not an amount: {value!r}") from error
    return -amount if negative else amount


def _is_number(value: str) -> bool:
    for decimal_comma in (False, True):
        try:
            parse_amount(value, decimal_comma=decimal_comma)
        except ValueError:
            continue
        return True
    return False


def detect_decimal_comma(values: Iterable[str]) -> bool:
    """Whether the amounts use a decimal comma ("3.150,00"): each value whose separators give it
    away votes; a lone separator before exactly three digits ("1,234") votes for nothing."""
    comma = point = 0
    for value in values:
        text = _bare_number(value)[1]
        if "," in text and "." in text:
            if text.rfind(",") > text.rfind("."):
                comma += 1
            else:
                point += 1
            continue
        for separator in (",", "."):
            if separator not in text:
                continue
            decimals = len(text.rsplit(separator, 1)[1])
            many = text.count(separator) > 1
            if many or decimals == 3:
                # Thousands separators: "1,234,567" is point style; "1,234" says nothing.
                if many:
                    point, comma = (point + 1, comma) if separator == "," else (point, comma + 1)
            elif separator == ",":
                comma += 1
            else:
                point += 1
    return comma > point


def amount_problem(amount: Decimal, currency: str) -> str | None:
    """Why `amount` cannot be an expense in `currency` (the money rule), else None; an unknown
    currency is the currency column's problem, not the amount's."""
    try:
        validate_amount(amount, currency if is_known_currency(currency) else None)
    except InvalidAmount as error:
        return error.message
    return None


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
        "verwendungszweck",
        "memo",
    ),
    "amount": ("amount", "bedrag", "betrag", "montant", "importe", "value", "sum"),
    "currency": ("currency", "valuta", "munt", "ccy", "wahrung", "devise", "moneda"),
    "direction": ("af bij", "debit credit", "credit debit", "direction", "d c", "cr dr", "dr cr"),
}


def _normalized(name: str) -> str:
    name = name.lower().replace("ä", "a").replace("é", "e").replace("è", "e")
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


def _header_currency(name: str) -> str | None:
    for word in re.findall(r"[A-Za-z]{3}", name):
        if word.isupper() and is_known_currency(word):
            return word
    return None


def detect_mapping(table: Table, *, base_currency: str) -> Mapping:
    """The most likely mapping of the table's columns; any part may be None when no column fits
    (the preview then asks for it)."""
    columns = range(table.width)
    values = {i: table.column(i) for i in columns}

    dated = {}
    for i in columns:
        guess = detect_date_format(values[i], month_first=base_currency in MONTH_FIRST_CURRENCIES)
        if guess.key and guess.share >= 0.5:
            dated[i] = guess
    date_column = _pick(table, "date", dated)
    date_guess = dated.get(date_column, DateFormatGuess(None, 0.0))

    numeric = [
        i
        for i in columns
        if i != date_column and values[i] and _share(values[i], _is_number) >= 0.5
    ]
    hinted = [i for i in numeric if _hint_score(table.header[i], "amount")[0]]
    amount_column = _pick(table, "amount", hinted or numeric)

    used = {date_column, amount_column}
    coded = [
        i
        for i in columns
        if i not in used
        and values[i]
        and all(re.fullmatch(r"[A-Za-z]{3}", v) for v in values[i])
        and _share(values[i], is_known_currency) >= 0.5
    ]
    currency_column = _pick(table, "currency", coded)
    used.add(currency_column)

    directed = [
        i
        for i in columns
        if i not in used
        and values[i]
        and all(_direction_word(v) in MONEY_OUT_WORDS | MONEY_IN_WORDS for v in values[i])
    ]
    direction_column = _pick(table, "direction", directed)
    used.add(direction_column)

    texts = [i for i in columns if i not in used and values[i]]
    hinted = [i for i in texts if _hint_score(table.header[i], "description")[0]]
    if hinted:
        description_column = _pick(table, "description", hinted)
    elif texts:
        # No header says so: the column with the longest texts that are not numbers.
        description_column = max(
            texts,
            key=lambda i: (
                sum(len(v) for v in values[i] if not _is_number(v)) / len(values[i]),
                -i,
            ),
        )
    else:
        description_column = None

    amounts = values.get(amount_column, [])
    decimal_comma = detect_decimal_comma(amounts)
    header_currency = (
        _header_currency(table.header[amount_column]) if amount_column is not None else None
    )
    negative_is_out = True
    if direction_column is None and amounts:
        signs = []
        for value in amounts:
            try:
                signs.append(parse_amount(value, decimal_comma=decimal_comma) < 0)
            except ValueError:
                continue
        # The sign most rows carry is money out; a tie (or nothing) keeps the card default.
        negative_is_out = sum(signs) * 2 >= len(signs) if signs else True
    return Mapping(
        date_column=date_column,
        date_format=date_guess.key,
        description_column=description_column,
        amount_column=amount_column,
        decimal_comma=decimal_comma,
        currency=header_currency or base_currency,
        currency_column=currency_column,
        direction_column=direction_column,
        negative_is_out=negative_is_out,
        ambiguous_dates=date_guess.ambiguous,
    )


# -- rows ----------------------------------------------------------------------------------------

IMPORT, DUPLICATE, INCOME, INVALID = "import", "duplicate", "income", "invalid"
INCOME_REASON = "Money in (a payment, refund or income), not an expense."
DUPLICATE_REASON = "Already in this cycle."


@dataclass(frozen=True)
class ImportRow:
    """One data row of the file and what the import makes of it."""

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

    @property
    def is_expense(self) -> bool:
        """Valid money out: imported unless the cycle already holds it."""
        return self.status in (IMPORT, DUPLICATE)

    @property
    def key(self) -> tuple:
        return expense_key(
            on=self.date, amount=self.amount, currency=self.currency, description=self.description
        )


def expense_key(*, on: date | None, amount: Decimal | None, currency: str, description: str):
    """What makes two expenses the same for an import (Decimal("5.0") == Decimal("5.00"))."""
    return (on, amount, (currency or "").upper(), (description or "").strip().lower())


def neutralise_formula(text: str) -> tuple[str, bool]:
    """(text, changed): a text a spreadsheet would run as a formula gets a leading apostrophe,
    like the CSV export writes it; a plain number such as "-12.50" is left alone."""
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return text_cell(text), True
    return text, False


def _cell(cells: tuple[str, ...], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def read_row(
    line: int, cells: tuple[str, ...], mapping: Mapping, *, start: date, end: date
) -> ImportRow:
    """One row read with `mapping`: money in is "income", a broken rule "invalid"."""
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
        elif not start <= day <= end:
            problems.append(f"Outside this cycle ({start:%b %d} – {end:%b %d, %Y}).")

    description = " ".join(_cell(cells, mapping.description_column).split())
    if mapping.description_column is None:
        problems.append("Choose the description column.")
    elif not description:
        problems.append("No description.")
    else:
        description, neutralised = neutralise_formula(description)
        if neutralised:
            notes.append("Starts like a spreadsheet formula: imported as plain text.")
        if len(description) > MAX_DESCRIPTION:
            description = description[:MAX_DESCRIPTION].rstrip()
            notes.append(f"Description shortened to {MAX_DESCRIPTION} characters.")

    amount = None
    money_in = False
    raw_amount = _cell(cells, mapping.amount_column)
    if mapping.amount_column is None:
        problems.append("Choose the amount column.")
    elif not raw_amount:
        problems.append("No amount.")
    else:
        try:
            signed = parse_amount(raw_amount, decimal_comma=mapping.decimal_comma)
        except ValueError:
            problems.append("Not an amount.")
        else:
            amount = abs(signed)
            if mapping.direction_column is not None:
                word = _direction_word(_cell(cells, mapping.direction_column))
                if word in MONEY_IN_WORDS:
                    money_in = True
                elif word not in MONEY_OUT_WORDS:
                    problems.append("The direction says neither money out nor money in.")
            elif signed:
                money_in = (signed < 0) != mapping.negative_is_out

    currency = (_cell(cells, mapping.currency_column) or mapping.currency).upper()
    if not is_known_currency(currency):
        problems.append(f"Colony does not know the currency “{currency}”.")
    elif amount is not None and not money_in:
        problem = amount_problem(amount, currency)
        if problem:
            problems.append(problem)
        else:
            amount = amount.quantize(get_currency(currency).quantum)

    if money_in:
        status, problems = INCOME, [INCOME_REASON]
    else:
        status = INVALID if problems else IMPORT
    return ImportRow(
        line=line,
        cells=cells,
        status=status,
        raw_date=raw_date,
        raw_amount=raw_amount,
        date=day,
        description=description,
        amount=amount,
        currency=currency,
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


def read_rows(table: Table, mapping: Mapping, *, start: date, end: date) -> list[ImportRow]:
    """Every data row of the table read with `mapping`, for a cycle from `start` to `end`."""
    rows = []
    for line, cells in table.rows:
        fitted = _rejoin_description(cells, table.width, mapping, table.delimiter)
        row = read_row(line, fitted, mapping, start=start, end=end)
        if fitted != cells:
            note = "More cells than the header has: the description held the separator."
            row = replace(row, cells=cells, notes=(*row.notes, note))
        rows.append(row)
    return rows


def split_duplicates(
    rows: Iterable[ImportRow], existing: Counter
) -> tuple[list[ImportRow], list[ImportRow]]:
    """(new, duplicates) among the expense rows: each expense the cycle already holds
    (`existing`: key → how many) cancels one identical row; identical rows beyond that are new."""
    remaining = Counter(existing)
    new, duplicates = [], []
    for row in rows:
        if remaining[row.key] > 0:
            remaining[row.key] -= 1
            duplicates.append(row)
        else:
            new.append(row)
    return new, duplicates


def mark_duplicates(rows: list[ImportRow], existing: Counter) -> list[ImportRow]:
    """The rows, with those the cycle already holds marked "duplicate" (see split_duplicates)."""
    expenses = [row for row in rows if row.is_expense]
    _, duplicates = split_duplicates(expenses, existing)
    duplicate_ids = {id(row) for row in duplicates}
    return [
        replace(row, status=DUPLICATE, problems=(DUPLICATE_REASON,))
        if id(row) in duplicate_ids
        else row
        for row in rows
    ]


def count_by_status(rows: Iterable[ImportRow]) -> dict[str, int]:
    counts = Counter(row.status for row in rows)
    return {status: counts[status] for status in (IMPORT, DUPLICATE, INCOME, INVALID)}


def nothing_to_import_message(rows: list[ImportRow]) -> str | None:
    """Why no row can be imported (the commonest reasons first), or None when one can."""
    if any(row.is_expense for row in rows):
        return None
    if rows and all(row.status == INCOME for row in rows):
        return "Every row of this file is money in (payments, refunds, income): nothing to import."
    reasons = Counter(problem for row in rows if row.status == INVALID for problem in row.problems)
    top = "; ".join(
        f"{reason} ({count} row{'s' if count != 1 else ''})" if count > 1 else reason
        for reason, count in reasons.most_common(3)
    )
    lead = f"None of the {len(rows)} rows can" if len(rows) > 1 else "The only row cannot"
    return f"{lead} be imported. {top}".strip()
