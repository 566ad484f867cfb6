"""The money input rule: which amounts a household may enter, in which currency.

Every service that stores an amount (expenses, templates, imports, cycle income) calls these
functions, and so do the forms, so a refusal reads the same wherever it comes from. Parsing text
into a Decimal is the form field's job (`exchange.forms.AmountField`); this module only judges a
Decimal.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from colony.errors import Unprocessable
from formats.currencies import get_currency, is_known_currency

from .exceptions import UnknownCurrency

# An expense or template amount: 0 < amount ≤ MAX_AMOUNT, in whichever currency.
MAX_AMOUNT = Decimal("999999.99")
# The smallest amount a column holds (three decimals: BHD, KWD, JOD, OMR, TND).
MIN_AMOUNT = Decimal("0.001")
# A cycle's income in the base currency: 0 ≤ income ≤ MAX_INCOME.
MAX_INCOME = Decimal("999999999.99")


def amount_field(**kwargs) -> models.DecimalField:
    """The column for money in a currency's own units: three decimals hold BHD/KWD exactly;
    `validate_amount` holds each currency to its own minor units."""
    return models.DecimalField(max_digits=12, decimal_places=3, **kwargs)


class InvalidAmount(Unprocessable):
    code = "INVALID_AMOUNT"
    message = "Enter an amount like 12.50."
    field = "amount"


class InvalidIncome(Unprocessable):
    code = "INVALID_INCOME"
    message = "Enter an income like 2500.00."
    field = "income"


def _check_currency(currency: str | None) -> None:
    if not is_known_currency(currency):
        raise UnknownCurrency(currency)


def _is_finite_decimal(value) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def decimals_problem(amount: Decimal, currency: str) -> str | None:
    """Why `amount` has more decimals than `currency` has (None when it fits)."""
    unit = get_currency(currency)
    if amount == amount.quantize(unit.quantum):
        return None
    if unit.minor_units:
        return f"{unit.code} amounts have at most {unit.minor_units} decimals."
    return f"{unit.code} amounts have no decimals."


def validate_amount(amount: Decimal, currency: str | None) -> Decimal:
    """An amount is more than zero, at most 999,999.99 and has no more decimals than its
    currency (none for JPY, three for BHD); raises InvalidAmount, or UnknownCurrency for a code
    Colony does not know. `currency=None` checks the range alone (for a form whose currency
    field is already refused)."""
    if not _is_finite_decimal(amount):
        raise InvalidAmount()
    if amount <= 0:
        raise InvalidAmount("The amount must be more than zero.")
    if amount > MAX_AMOUNT:
        raise InvalidAmount("The largest amount is 999,999.99.")
    if currency is None:
        return amount
    _check_currency(currency)
    problem = decimals_problem(amount, currency)
    if problem:
        raise InvalidAmount(problem)
    return amount


def _validate_zero_or_more(
    value: Decimal, currency: str, error: type[Unprocessable], negative: str
) -> Decimal:
    """The one rule behind a cycle's income and a category budget: zero or more, at most
    MAX_INCOME, the currency's decimals; `error` carries the field and code."""
    if not _is_finite_decimal(value):
        raise error()
    if value < 0:
        raise error(negative)
    if value > MAX_INCOME:
        raise error("That is more than Colony can hold.")
    _check_currency(currency)
    problem = decimals_problem(value, currency)
    if problem:
        raise error(problem)
    return value


def validate_income(income: Decimal, currency: str) -> Decimal:
    """A cycle's income is zero or more, at most 999,999,999.99 and has no more decimals than
    the household's base currency; raises InvalidIncome or UnknownCurrency."""
    return _validate_zero_or_more(income, currency, InvalidIncome, "Income cannot be negative.")


class InvalidBudget(Unprocessable):
    code = "INVALID_BUDGET"
    message = "Enter a budget like 250.00."
    field = "amount"


class InvalidIncomeAmount(InvalidIncome):
    """An income line's amount (the field is `amount`, not a cycle's `income`)."""

    field = "amount"


def validate_budget(amount: Decimal, currency: str) -> Decimal:
    """A category budget is zero or more, at most 999,999,999.99 and has no more decimals than
    the household's base currency; raises InvalidBudget or UnknownCurrency."""
    return _validate_zero_or_more(amount, currency, InvalidBudget, "A budget cannot be negative.")


def validate_income_amount(amount: Decimal, currency: str | None) -> Decimal:
    """An income line is more than zero, at most 999,999,999.99 and has no more decimals than
    its currency; raises InvalidIncomeAmount or UnknownCurrency. `currency=None` checks the
    range alone."""
    if not _is_finite_decimal(amount):
        raise InvalidIncomeAmount()
    if amount <= 0:
        raise InvalidIncomeAmount("The amount must be more than zero.")
    if amount > MAX_INCOME:
        raise InvalidIncomeAmount("That is more than Colony can hold.")
    if currency is None:
        return amount
    _check_currency(currency)
    problem = decimals_problem(amount, currency)
    if problem:
        raise InvalidIncomeAmount(problem)
    return amount
