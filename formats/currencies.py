"""ISO 4217 currencies Colony offers, with their minor units (digits after the decimal point).

A small table of our own rather than a dependency: the minor units are what money rounding
depends on, so they are pinned here and checked by a test against the ISO 4217 list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_territory_currencies

from .locales import preferred_tags
from .numbers import format_number


@dataclass(frozen=True)
class Currency:
    code: str
    name: str
    minor_units: int

    @property
    def quantum(self) -> Decimal:
        """The smallest amount of the currency: 0.01 for USD, 1 for JPY, 0.001 for BHD."""
        return Decimal(1).scaleb(-self.minor_units)


_TABLE = [
    ("AED", "UAE Dirham", 2),
    ("ARS", "Argentine Peso", 2),
    ("AUD", "Australian Dollar", 2),
    ("BGN", "Bulgarian Lev", 2),
    ("BHD", "Bahraini Dinar", 3),
    ("BRL", "Brazilian Real", 2),
    ("CAD", "Canadian Dollar", 2),
    ("CHF", "Swiss Franc", 2),
    ("CLP", "Chilean Peso", 0),
    ("CNY", "Yuan Renminbi", 2),
    ("COP", "Colombian Peso", 2),
    ("CZK", "Czech Koruna", 2),
    ("DKK", "Danish Krone", 2),
    ("EGP", "Egyptian Pound", 2),
    ("EUR", "Euro", 2),
    ("GBP", "Pound Sterling", 2),
    ("HKD", "Hong Kong Dollar", 2),
    ("HUF", "Forint", 2),
    ("IDR", "Rupiah", 2),
    ("ILS", "New Israeli Sheqel", 2),
    ("INR", "Indian Rupee", 2),
    ("ISK", "Iceland Krona", 0),
    ("JOD", "Jordanian Dinar", 3),
    ("JPY", "Yen", 0),
    ("KES", "Kenyan Shilling", 2),
    ("KRW", "Won", 0),
    ("KWD", "Kuwaiti Dinar", 3),
    ("MAD", "Moroccan Dirham", 2),
    ("MXN", "Mexican Peso", 2),
    ("MYR", "Malaysian Ringgit", 2),
    ("NGN", "Naira", 2),
    ("NOK", "Norwegian Krone", 2),
    ("NZD", "New Zealand Dollar", 2),
    ("OMR", "Rial Omani", 3),
    ("PEN", "Sol", 2),
    ("PHP", "Philippine Peso", 2),
    ("PKR", "Pakistan Rupee", 2),
    ("PLN", "Zloty", 2),
    ("QAR", "Qatari Rial", 2),
    ("RON", "Romanian Leu", 2),
    ("RSD", "Serbian Dinar", 2),
    ("SAR", "Saudi Riyal", 2),
    ("SEK", "Swedish Krona", 2),
    ("SGD", "Singapore Dollar", 2),
    ("THB", "Baht", 2),
    ("TND", "Tunisian Dinar", 3),
    ("TRY", "Turkish Lira", 2),
    ("TWD", "New Taiwan Dollar", 2),
    ("UAH", "Hryvnia", 2),
    ("USD", "US Dollar", 2),
    ("VND", "Dong", 0),
    ("ZAR", "Rand", 2),
]

CURRENCIES: dict[str, Currency] = {code: Currency(code, name, mu) for code, name, mu in _TABLE}

CURRENCY_CHOICES = [(c.code, f"{c.code} — {c.name}") for c in CURRENCIES.values()]


def get_currency(code: str) -> Currency:
    """The currency for an ISO code; KeyError for a code Colony does not know."""
    return CURRENCIES[code.upper()]


def is_known_currency(code: str) -> bool:
    return (code or "").upper() in CURRENCIES


NO_AMOUNT = "—"
_DISPLAY = Context(prec=60, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation])


def _display_decimal(value) -> Decimal | None:
    """A finite Decimal from what a template may hold (Decimal, int, numeric string), or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # Only for display of a stray float: its shortest repr, never its binary expansion.
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def _clean_code(currency_code) -> str:
    return currency_code.strip().upper() if isinstance(currency_code, str) else ""


def quantum_for(currency_code: str | None) -> Decimal:
    """The smallest amount of a currency: 0.01 USD, 1 JPY, 0.001 BHD; 0.01 for a code Colony
    does not know."""
    currency = CURRENCIES.get(_clean_code(currency_code))
    return currency.quantum if currency else Decimal("0.01")


def format_amount(amount, currency_code: str | None = None) -> str | None:
    """`1,235` for JPY, `12.50` for USD, `0.376` for BHD: the active locale's grouping and
    decimal marks (`1.234,50` in de_DE) and exactly the currency's minor units, without the
    code; None for None or anything not a number. CSV files write plain Decimals instead."""
    number = _display_decimal(amount)
    if number is None:
        return None
    try:
        number = number.quantize(quantum_for(currency_code), context=_DISPLAY)
    except InvalidOperation:
        return None
    if number.is_zero():
        number = number.copy_abs()  # never "-0.00"
    return format_number(number, -number.as_tuple().exponent)


def format_money(amount, currency_code: str | None = None) -> str:
    """`1,235 JPY`, `12.50 USD`, `0.376 BHD` (see format_amount); "—" for None or anything not
    a number."""
    text = format_amount(amount, currency_code)
    if text is None:
        return NO_AMOUNT
    code = _clean_code(currency_code)
    return f"{text} {code}" if code else text


def format_rate(rate) -> str:
    """An exchange rate without trailing zeros: `154.12`, `0.0064884506`, `1,398.55`."""
    number = _display_decimal(rate)
    if number is None:
        return NO_AMOUNT
    number = number.normalize(_DISPLAY)
    return format_number(number, max(0, -number.as_tuple().exponent))


def region_currency(accept_language: str | None, *, today: date | None = None) -> str | None:
    """The currency of the browser's region (de-DE → EUR, en-AU → AUD, a bare "fr" → France's
    EUR through CLDR's likely region), from the first Accept-Language tag whose region has a
    currency Colony offers; None when none has (the caller keeps its default)."""
    likely = get_global("likely_subtags")
    for tag in preferred_tags(accept_language):
        try:
            locale = Locale.parse(tag)
            territory = locale.territory or Locale.parse(likely[locale.language]).territory
        except (KeyError, ValueError, UnknownLocaleError):
            continue
        if not territory:
            continue
        for code in get_territory_currencies(territory, today or date.today()):
            if code in CURRENCIES:
                return code
    return None
