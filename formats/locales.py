"""The number and date formats Colony offers, and the one in effect for this request.

A household picks one locale (e.g. de_DE: 1.234,56 and 31.12.2026); the middleware activates
it for each request, so every amount and date on a page is written and read the same way.
Formatting and parsing rules come from Babel (CLDR data), not from hand-written tables.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from functools import cache

from babel import Locale, negotiate_locale
from babel.dates import format_date
from babel.numbers import format_decimal

DEFAULT_LOCALE = "en_US"

# Locales whose grouping and decimal marks, and dates, we test; each is a complete CLDR locale.
SUPPORTED_LOCALES = (
    "en_US",
    "en_GB",
    "en_IN",
    "de_DE",
    "de_CH",
    "fr_FR",
    "fr_CH",
    "es_ES",
    "it_IT",
    "nl_NL",
    "pt_BR",
    "pl_PL",
    "sv_SE",
    "ja_JP",
)

_active: ContextVar[str] = ContextVar("colony_format_locale", default=DEFAULT_LOCALE)


@cache
def babel_locale(code: str) -> Locale:
    return Locale.parse(code if code in SUPPORTED_LOCALES else DEFAULT_LOCALE)


def locale_label(code: str) -> str:
    """ "English (United States) — 1,234.56 · Dec 31, 2026": the name and what it looks like."""
    sample_day = date(2026, 12, 31)
    locale = babel_locale(code)
    return (
        f"{locale.english_name} — {format_decimal(Decimal('1234.56'), locale=locale)}"
        f" · {format_date(sample_day, 'medium', locale=locale)}"
    )


def locale_choices() -> list[tuple[str, str]]:
    return [(code, locale_label(code)) for code in SUPPORTED_LOCALES]


def preferred_tags(accept_language: str | None) -> list[str]:
    """The language tags of an Accept-Language header in the browser's order, as Babel writes
    them ("de_DE"); "*" and over-long tags left out."""
    preferred = []
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip()
        if tag and tag != "*" and len(tag) <= 35:
            preferred.append(tag.replace("-", "_"))
    return preferred


def negotiate(accept_language: str | None) -> str:
    """The supported locale closest to a browser's Accept-Language header (en_US if none)."""
    preferred = preferred_tags(accept_language)
    found = negotiate_locale(preferred, SUPPORTED_LOCALES, sep="_")
    if found:
        return found
    # A bare language ("de") or an unsupported region ("de_AT") takes the first locale of
    # that language we offer.
    for tag in preferred:
        language = tag.split("_")[0].lower()
        for code in SUPPORTED_LOCALES:
            if code.split("_")[0] == language:
                return code
    return DEFAULT_LOCALE


def active_locale() -> str:
    return _active.get()


def activate(code: str | None):
    """Make `code` the locale for formatting from now on (in this context); returns a token for
    `deactivate`."""
    return _active.set(code if code in SUPPORTED_LOCALES else DEFAULT_LOCALE)


def deactivate(token) -> None:
    _active.reset(token)


@contextmanager
def using(code: str | None):
    token = activate(code)
    try:
        yield
    finally:
        deactivate(token)
