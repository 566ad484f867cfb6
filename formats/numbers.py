"""Numbers written and read in the active locale: `1.234,56` in de_DE, `1,234.56` in en_US.

Formatting uses the locale's own pattern (en_IN groups as 12,34,567.50) with a fixed number of
decimals. Parsing accepts exactly what formatting writes, with or without grouping marks, and
refuses everything else with the form expected: exponents (`1e3`), `NaN`, infinities, stray
characters, and a mark in the wrong place (`12,50` in en_US: 1,250 or 12.50?).
"""

from __future__ import annotations

import copy
import re
from decimal import ROUND_DOWN, Decimal
from functools import cache

from babel.numbers import NumberFormatError, parse_decimal, parse_pattern

from .locales import active_locale, babel_locale

# Spaces a person may type where the locale groups with a (narrow) no-break space.
_SPACES = {" ", "\u00a0", "\u202f", "\u2009"}
# Apostrophes typed for de_CH's right single quotation mark grouping.
_APOSTROPHES = {"'", "\u2019"}
MAX_INPUT_LENGTH = 40


class AmountFormatError(ValueError):
    """The text is not a number written in the locale's format; `example` shows that format."""

    def __init__(self, example: str):
        super().__init__(f"Enter a number like {example}.")
        self.example = example


@cache
def _pattern(code: str, places: int):
    locale = babel_locale(code)
    pattern = copy.copy(parse_pattern(locale.decimal_formats[None].pattern))
    pattern.frac_prec = (places, places)
    return pattern


def symbols(code: str | None = None) -> tuple[str, str]:
    """(grouping mark, decimal mark) of the locale."""
    numbers = babel_locale(code or active_locale()).number_symbols["latn"]
    return numbers["group"], numbers["decimal"]


# Formatted numbers by (value, sign, places, locale): a page prints the same amounts again and
# again (a cycle's budgets and totals, every request), and Babel takes ~10 µs per number.
# The sign is part of the key because -0 equals 0 but need not print alike.
_FORMATTED: dict[tuple, str] = {}
_FORMATTED_SIZE = 8192


def format_number(number: Decimal, places: int, code: str | None = None) -> str:
    """`number` with the locale's grouping and exactly `places` decimals (quantize first)."""
    code = code or active_locale()
    key = (number, number.is_signed(), places, code)
    text = _FORMATTED.get(key)
    if text is None:
        text = _pattern(code, places).apply(number, babel_locale(code), decimal_quantization=True)
        if len(_FORMATTED) >= _FORMATTED_SIZE:
            _FORMATTED.clear()  # rare: a worker that printed 8,192 different numbers
        _FORMATTED[key] = text
    return text


def example(places: int = 2, code: str | None = None) -> str:
    """What a number looks like in the locale: `1,234.56`, `1.234,56`, `1 234` (no decimals),
    `1,234.567` (three): the digits 1 to 8 cut after `places` decimals, so every example reads
    alike (in placeholders and in the messages that refuse an input)."""
    return format_number(
        Decimal("1234.5678").quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN),
        places,
        code,
    )


def parse_number(text: str, code: str | None = None, *, places: int = 2) -> Decimal:
    """The Decimal written in `text` in the locale's format; AmountFormatError otherwise.

    `places` only shapes the example in the error message; the caller checks the decimals.
    """
    code = code or active_locale()
    failure = AmountFormatError(example(places, code))
    text = (text or "").strip()
    if not text or len(text) > MAX_INPUT_LENGTH:
        raise failure
    group, decimal_mark = symbols(code)
    sign = ""
    if text[0] in "-\u2212":
        sign, text = "-", text[1:].lstrip()
    # Normalise the grouping marks people type for this locale to the locale's own.
    if group in _SPACES:
        text = "".join(group if char in _SPACES else char for char in text)
    elif group in _APOSTROPHES:
        text = "".join(group if char in _APOSTROPHES else char for char in text)
    allowed = re.escape(group) + re.escape(decimal_mark)
    if not re.fullmatch(rf"[0-9{allowed}]+", text) or not any(c.isdigit() for c in text):
        raise failure
    try:
        number = parse_decimal(text, locale=babel_locale(code), strict=True)
    except (NumberFormatError, ValueError, ArithmeticError):
        raise failure from None
    if not number.is_finite():
        raise failure
    return -number if sign else number
