from decimal import Decimal

import pytest
from django.template import engines

from formats.currencies import CURRENCIES, format_money


def render(template: str, **context) -> str:
    return engines["jinja2"].from_string(template).render(context)


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("1234.5"), "JPY", "1,234 JPY"),  # half-even: 1234.5 → 1234
        (Decimal("1235.5"), "JPY", "1,236 JPY"),
        (Decimal("12.5"), "USD", "12.50 USD"),
        (Decimal("1234567.891"), "USD", "1,234,567.89 USD"),
        (Decimal("0.376"), "BHD", "0.376 BHD"),
        (Decimal("1234.5"), "bhd", "1,234.500 BHD"),
        (Decimal("-1234.5"), "EUR", "-1,234.50 EUR"),
        (Decimal("-0.001"), "USD", "0.00 USD"),
        (7, "USD", "7.00 USD"),
        ("12.5", "USD", "12.50 USD"),
        (" 3 ", "JPY", "3 JPY"),
        (Decimal("5"), "", "5.00"),
        (Decimal("5"), "XYZ", "5.00 XYZ"),
        (None, "USD", "—"),
        ("", "USD", "—"),
        ("abc", "USD", "—"),
        (Decimal("NaN"), "USD", "—"),
        (True, "USD", "—"),
    ],
)
def test_money_filter_formats_with_the_currency_minor_units(amount, currency, shown):
    assert render("{{ amount|money(currency) }}", amount=amount, currency=currency) == shown


def test_money_filter_with_a_literal_currency():
    assert render('{{ amount|money("JPY") }}', amount=Decimal("1234.6")) == "1,235 JPY"


def test_money_filter_escapes_what_it_is_given():
    assert "<b>" not in render("{{ amount|money(code) }}", amount=Decimal(1), code="<b>")


def test_every_currency_formats_with_its_own_number_of_decimals():
    for code, currency in CURRENCIES.items():
        text = format_money(Decimal("1"), code)
        decimals = text.split(" ")[0].partition(".")[2]
        assert len(decimals) == currency.minor_units, code


def test_rate_filter_drops_trailing_zeros():
    assert render("{{ r|rate }}", r=Decimal("154.1200000000")) == "154.12"
    assert render("{{ r|rate }}", r=Decimal("1500.0000000000")) == "1,500"
    assert render("{{ r|rate }}", r=None) == "—"
