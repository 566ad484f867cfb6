"""Reading one value of a statement: a date in a stated format, an amount with either decimal
separator, a description a spreadsheet would run as a formula — pure functions, no database.

- Dates: the column's values decide (a first part above 12 means DD/MM). When every value fits
  both DD/MM/YYYY and MM/DD/YYYY (or DD/MM/YY and MM/DD/YY), the cycle's dates decide (the
  order that puts more of them in the cycle); when that does not either, the household chooses
  in the preview. A two-digit year is this century's ("01.12.26" is 1 December 2026): a
  statement imported into a cycle is never from the last one.
- Amounts are parsed from their digits, never through a float.
- Formula cells: a description a spreadsheet would run (=, +, -, @ first, and not a number) is
  kept as text with a leading apostrophe and flagged; nothing is ever evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from exchange.money import InvalidAmount, validate_amount
from formats.currencies import is_known_currency

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
    # Two-digit years: German savings banks ("01.12.26"), and US or UK card exports.
    "dmy_dot_short": ("%d.%m.%y", "DD.MM.YY"),
    "dmy_slash_short": ("%d/%m/%y", "DD/MM/YY"),
    "mdy_slash_short": ("%m/%d/%y", "MM/DD/YY"),
    "dmy_dash_short": ("%d-%m-%y", "DD-MM-YY"),
}
# Orders that read the same values alike (day first, month first): the cycle, else the
# household, decides between them.
_DAY_OR_MONTH_FIRST = (("dmy_slash", "mdy_slash"), ("dmy_slash_short", "mdy_slash_short"))
DATE_FORMAT_CHOICES = [(key, label) for key, (_, label) in DATE_FORMATS.items()]
# The base currencies of households that write the month first.
MONTH_FIRST_CURRENCIES = frozenset({"USD"})
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


# The same formats as regular expressions naming year, month and day: strptime is slow, and a
# statement of 5,000 rows reads every date several times.
_DATE_PATTERNS = {
    "ymd": re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    "ymd_compact": re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    "ymd_slash": re.compile(r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"),
    "dmy_slash": re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"),
    "mdy_slash": re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})"),
    "dmy_dash": re.compile(r"(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})"),
    "dmy_dot": re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"),
    "dmy_dot_short": re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{2})"),
    "dmy_slash_short": re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{2})"),
    "mdy_slash_short": re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{2})"),
    "dmy_dash_short": re.compile(r"(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{2})"),
}


@lru_cache(maxsize=8192)
def parse_date(value: str, format_key: str) -> date | None:
    """The date `value` means in the given format (a time after it is ignored), else None."""
    value = _TIME_SUFFIX.sub("", (value or "").strip())
    match = _DATE_PATTERNS[format_key].fullmatch(value)
    if not match:
        return None
    year = int(match["y"])
    if len(match["y"]) == 2:
        year += 2000
    try:
        return date(year, int(match["m"]), int(match["d"]))
    except ValueError:
        return None


@dataclass(frozen=True)
class DateFormatGuess:
    key: str | None
    share: float  # of the values it reads
    ambiguous: bool = False  # DD/MM and MM/DD both read every value


def detect_date_format(
    values: list[str], *, month_first: bool = False, window: tuple[date, date] | None = None
) -> DateFormatGuess:
    """The format that reads the most values. When DD/MM and MM/DD both read them all, the one
    that puts more of them inside `window` (the cycle) wins; when that does not decide either,
    the guess follows `month_first` and is marked ambiguous, for the household to confirm."""
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
    for day_first, month_first_key in _DAY_OR_MONTH_FIRST:
        if day_first not in fits or month_first_key not in fits:
            continue
        if window is not None:
            inside = {
                key: sum(1 for value in values if _within(parse_date(value, key), window))
                for key in (day_first, month_first_key)
            }
            if inside[day_first] != inside[month_first_key]:
                return DateFormatGuess(max(inside, key=inside.__getitem__), best)
        return DateFormatGuess(month_first_key if month_first else day_first, best, ambiguous=True)
    return DateFormatGuess(fits[0], best)


def _within(day: date | None, window: tuple[date, date]) -> bool:
    return day is not None and window[0] <= day <= window[1]


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


@lru_cache(maxsize=8192)
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


def is_number(value: str) -> bool:
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


# -- formula cells -------------------------------------------------------------------------------

# What a spreadsheet runs as a formula when a cell starts with it (the CSV export defuses the
# same starts the same way).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> tuple[str, bool]:
    """(text, changed): a text a spreadsheet would run as a formula gets a leading apostrophe;
    a plain number such as "-12.50" is left alone."""
    if text.startswith(FORMULA_STARTS) and not is_number(text):
        return f"'{text}", True
    return text, False
