import datetime

import pytest

from formats.dates import format_day, format_day_short, format_month
from formats.locales import locale_label, negotiate


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de_DE"),
        ("de-AT,de;q=0.9", "de_DE"),
        ("fr", "fr_FR"),
        ("fr-CH", "fr_CH"),
        ("en-GB,en;q=0.9", "en_GB"),
        ("zz, *", "en_US"),
        ("", "en_US"),
        (None, "en_US"),
        ("x" * 500, "en_US"),
    ],
)
def test_browser_language_picks_the_closest_supported_format(header, locale):
    assert negotiate(header) == locale


@pytest.mark.parametrize(
    ("locale", "day", "short", "month"),
    [
        ("en_US", "Dec 5, 2026", "Dec 5", "Dec 2026"),
        ("en_GB", "5 Dec 2026", "5 Dec", "Dec 2026"),
        ("de_DE", "05.12.2026", "5. Dez.", "Dez. 2026"),
        ("fr_FR", "5 déc. 2026", "5 déc.", "déc. 2026"),
    ],
)
def test_one_date_format_per_locale(locale, day, short, month):
    value = datetime.date(2026, 12, 5)
    assert format_day(value, locale) == day
    assert format_day_short(value, locale) == short
    assert format_month(value, locale) == month


def test_locale_label_shows_what_the_format_looks_like():
    assert locale_label("de_DE") == "German (Germany) — 1.234,56 · 31.12.2026"
