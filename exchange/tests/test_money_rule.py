"""The money input rule, on its own: the one place an amount is judged."""

from decimal import Decimal

import pytest

from exchange.exceptions import UnknownCurrency
from exchange.money import InvalidAmount, InvalidIncome, validate_amount, validate_income


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("0.01", "USD"), ("999999999999", "USD"), ("1500", "JPY"), ("0.375", "BHD"), ("12", "USD")],
)
def test_an_amount_in_range_with_the_currency_decimals_is_accepted(amount, currency):
    assert validate_amount(Decimal(amount), currency) == Decimal(amount)


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("0", "USD", "The amount must be more than zero."),
        ("-0.01", "USD", "The amount must be more than zero."),
        ("999999999999.001", "BHD", "The largest amount is 999,999,999,999."),
        ("1E+400", "USD", "The largest amount is 999,999,999,999."),
        ("10.005", "USD", "USD amounts have at most 2 decimals."),
        ("10.5", "JPY", "JPY amounts have no decimals."),
        ("0.0001", "BHD", "BHD amounts have at most 3 decimals."),
        ("NaN", "USD", "Enter an amount like 12.50."),
        ("Infinity", "USD", "Enter an amount like 12.50."),
    ],
)
def test_an_amount_outside_the_rule_is_refused_with_one_wording(amount, currency, message):
    with pytest.raises(InvalidAmount) as error:
        validate_amount(Decimal(amount), currency)
    assert (error.value.message, error.value.status, error.value.field) == (message, 422, "amount")


def test_a_float_is_never_an_amount():
    with pytest.raises(InvalidAmount):
        validate_amount(12.5, "USD")


def test_an_unknown_currency_is_refused():
    with pytest.raises(UnknownCurrency):
        validate_amount(Decimal("1"), "XXX")


def test_without_a_currency_only_the_range_is_checked():
    assert validate_amount(Decimal("10.005"), None) == Decimal("10.005")


@pytest.mark.parametrize(
    ("income", "message"),
    [
        ("-1", "Income cannot be negative."),
        ("1000000000000", "That is more than Colony can hold."),
        ("1.5", "JPY amounts have no decimals."),
    ],
)
def test_income_outside_the_rule_is_refused(income, message):
    with pytest.raises(InvalidIncome, match=message):
        validate_income(Decimal(income), "JPY")


def test_zero_income_is_accepted():
    assert validate_income(Decimal(0), "USD") == 0
