"""Dates in the active locale: one medium form with the year (Dec 31, 2026 · 31.12.2026) and
one short form without it (Dec 31 · 31. Dez.), used on every page."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_skeleton
from django.utils import timezone

from .locales import active_locale, babel_locale


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    return None


def format_day(value, code: str | None = None) -> str:
    """With the year: `Dec 31, 2026` (en_US), `31.12.2026` (de_DE); "" for no date."""
    day = _as_date(value)
    if day is None:
        return ""
    return format_date(day, "medium", locale=babel_locale(code or active_locale()))


def format_day_short(value, code: str | None = None) -> str:
    """Without the year: `Dec 31` (en_US), `31. Dez.` (de_DE); "" for no date."""
    day = _as_date(value)
    if day is None:
        return ""
    return format_skeleton("MMMd", day, locale=babel_locale(code or active_locale()))


def format_month(value, code: str | None = None) -> str:
    """Month and year: `Dec 2026`, `Dez. 2026`."""
    day = _as_date(value)
    if day is None:
        return ""
    return format_skeleton("yMMM", day, locale=babel_locale(code or active_locale()))


def format_range(start, end, code: str | None = None) -> str:
    """Each end in the medium form, joined by an en dash."""
    return f"{format_day(start, code)} – {format_day(end, code)}"
