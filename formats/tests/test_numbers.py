"""Amounts typed and shown in a locale: table tests per locale, and format → parse round trips."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formats.locales import SUPPORTED_LOCALES, using
from formats.numbers import AmountFormatError, example, format_number, parse_number

ACCEPTED = [
    # (locale, typed, value)
    ("en_US", "12.50", "12.50"),
    ("en_US", "1,234.50", "1234.50"),
    ("en_US", "1234.50", "1234.50"),
    ("en_US", "1,000,000", "1000000"),
    ("en_US", " 7 ", "7"),
    ("en_US", ".5", "0.5"),
    ("en_GB", "1,234.50", "1234.50"),
    ("en_IN", "12,34,567.50", "1234567.50"),
    ("de_DE", "12,50", "12.50"),
    ("de_DE", "1.234,50", "1234.50"),
    ("de_DE", "1234,50", "1234.50"),
    ("de_DE", "1.000.000", "1000000"),
    ("de_CH", "1’234.50", "1234.50"),
    ("de_CH", "1'234.50", "1234.50"),  # the apostrophe on a keyboard
    ("fr_FR", "1 234,50", "1234.50"),  # a plain space where French writes a narrow one
    ("fr_FR", "1\u202f234,50", "1234.50"),
    ("fr_FR", "12,5", "12.5"),
    ("sv_SE", "1 234,50", "1234.50"),
    ("pl_PL", "1\u00a0234,50", "1234.50"),
    ("nl_NL", "1.234,50", "1234.50"),
    ("pt_BR", "1.234,50", "1234.50"),
    ("ja_JP", "1,234", "1234"),
    ("en_US", "-12.50", "-12.50"),  # the money rule refuses it with its own message
]

REFUSED = [
    # (locale, typed, expected form in the message)
    ("en_US", "12,50", "1,234.56"),  # 1,250 or 12.50? ambiguous
    ("en_US", "1.234,50", "1,234.56"),
    ("en_US", "1,23", "1,234.56"),
    ("en_US", "1e3", "1,234.56"),
    ("en_US", "1E3", "1,234.56"),
    ("en_US", "NaN", "1,234.56"),
    ("en_US", "nan", "1,234.56"),
    ("en_US", "Infinity", "1,234.56"),
    ("en_US", "inf", "1,234.56"),
    ("en_US", "$12", "1,234.56"),
    ("en_US", "12 USD", "1,234.56"),
    ("en_US", "1 2", "1,234.56"),
    ("en_US", "", "1,234.56"),
    ("en_US", "   ", "1,234.56"),
    ("en_US", ",", "1,234.56"),
    ("en_US", "1" * 41, "1,234.56"),
    ("en_US", "0x1F", "1,234.56"),
    ("en_US", "١٢", "1,234.56"),  # other digit systems are not this locale's
    ("de_DE", "12.50", "1.234,56"),  # 1250 or 12,50? ambiguous
    ("de_DE", "1,234.50", "1.234,56"),
    ("de_DE", "1e3", "1.234,56"),
    ("fr_FR", "1.234,50", "1\u202f234,56"),
    ("de_CH", "12,50", "1’234.56"),
]


@pytest.mark.parametrize(("locale", "typed", "value"), ACCEPTED)
def test_amount_in_the_locales_format_is_read_exactly(locale, typed, value):
    parsed = parse_number(typed, locale)
    assert parsed == Decimal(value)
    assert str(parsed) == value  # the decimals typed are kept, not rounded


@pytest.mark.parametrize(("locale", "typed", "expected"), REFUSED)
def test_other_input_is_refused_with_the_expected_form(locale, typed, expected):
    with pytest.raises(AmountFormatError) as error:
        parse_number(typed, locale)
    assert str(error.value) == f"Enter a number like {expected}."


def test_active_locale_is_used_when_none_is_given():
    with using("de_DE"):
        assert parse_number("1.234,50") == Decimal("1234.50")
        assert format_number(Decimal("1234.5"), 2) == "1.234,50"
    assert format_number(Decimal("1234.5"), 2) == "1,234.50"


@pytest.mark.parametrize(("places", "shown"), [(0, "1,234"), (2, "1,234.56"), (3, "1,234.567")])
def test_example_follows_the_currency_decimals(places, shown):
    assert example(places, "en_US") == shown


@given(
    locale=st.sampled_from(SUPPORTED_LOCALES),
    places=st.sampled_from([0, 2, 3]),
    units=st.integers(min_value=-(10**15), max_value=10**15),
)
def test_any_formatted_amount_parses_back_to_exactly_the_same_decimal(locale, places, units):
    amount = Decimal(units).scaleb(-places)
    text = format_number(amount, places, locale)
    parsed = parse_number(text, locale, places=places)
    assert parsed == amount
    assert parsed.as_tuple().exponent == amount.as_tuple().exponent or places == 0


@given(
    locale=st.sampled_from(SUPPORTED_LOCALES),
    text=st.text(max_size=20),
)
def test_parsing_anything_gives_a_finite_decimal_or_the_format_error(locale, text):
    try:
        parsed = parse_number(text, locale)
    except AmountFormatError:
        return
    assert isinstance(parsed, Decimal) and parsed.is_finite()
    assert "e" not in text.lower()


def test_formatted_numbers_kept_by_value_sign_places_and_locale():
    from decimal import Decimal

    from formats.numbers import format_number

    for _ in range(2):  # the second time from what the first kept
        assert format_number(Decimal("1234.50"), 2, "en_US") == "1,234.50"
        assert format_number(Decimal("1234.5"), 2, "en_US") == "1,234.50"
        assert format_number(Decimal("1234.50"), 2, "de_DE") == "1.234,50"
        assert format_number(Decimal("1234.50"), 3, "en_US") == "1,234.500"
        assert format_number(Decimal("-1234.50"), 2, "en_US") == "-1,234.50"
    assert format_number(Decimal("0.00"), 2, "en_US") == "0.00"
    assert format_number(Decimal("-0.00"), 2, "en_US") == format_number(
        Decimal("-0.00"), 2, "en_US"
    )
