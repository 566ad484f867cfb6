"""The currency a new household is offered: that of the browser's region (CLDR)."""

import pytest

from formats.currencies import region_currency


@pytest.mark.parametrize(
    ("accept_language", "currency"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "EUR"),
        ("en-AU", "AUD"),
        ("de-CH", "CHF"),
        ("en-GB;q=0.7", "GBP"),
        ("ja", "JPY"),  # a bare language: its likely region (Japan)
        ("fr", "EUR"),
        ("xx-ZZ, pt-BR", "BRL"),  # an unknown tag is passed over
        ("*", None),
        ("", None),
        (None, None),
        ("es-419", None),  # Latin America: a region of many currencies, none chosen
    ],
)
def test_the_currency_of_the_browsers_region(accept_language, currency):
    assert region_currency(accept_language) == currency
