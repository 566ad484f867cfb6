"""The money input rule: which amounts a household may enter, in which currency.

Every service that stores an amount (expenses, templates, imports, cycle income) calls these
functions, and so do the forms, so a refusal reads the same wherever it comes from. Parsing text
into a Decimal is the form field's job (`exchange.forms.AmountField`); this module only judges a
Decimal.

One bound for all money: MAX_AMOUNT, in every currency, for an expense, a template, an income
line, a cycle's income and a budget; and the same bound (MAX_BASE_AMOUNT) for an amount once
converted into the household's base currency. The column sizes below follow from it, so nothing
the rule allows can overflow a column, a trigger total or a sum.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from colony.errors import Unprocessable
from formats.currencies import get_currency, is_known_currency

from .exceptions import UnknownCurrency

# Any amount: an expense or template (0 < amount ≤ MAX_AMOUNT), an income line, a cycle's
# income, a budget (0 ≤ … ≤ MAX_AMOUNT), in whichever currency. Twelve whole digits, so that
# ordinary amounts fit in every ISO 4217 currency: a flat in VND or IRR, a car in KRW or IDR
# (a bound of a million refused VND 1,500,000, about 55 EUR).
MAX_AMOUNT = Decimal("999999999999")
# The smallest amount a column holds (three decimals: BHD, KWD, JOD, OMR, TND).
MIN_AMOUNT = Decimal("0.001")
# An amount converted into the household's base currency is held to the same bound, so no
# allowed amount times any rate can overflow its column (or a total of such columns).
MAX_BASE_AMOUNT = MAX_AMOUNT
# A rate typed by hand (base-currency units for one unit of the expense's currency): the
# widest gap between two real currencies is well inside 10^-9 … 10^9 (IRR per KWD is ~10^6).
MIN_MANUAL_RATE = Decimal("0.000000001")
MAX_MANUAL_RATE = Decimal("1000000000")
# A typed rate more than this many times off the stored rate for the pair is a typo (a bank's
# margin is a few percent), not what the bank charged.
MANUAL_RATE_MAX_FACTOR = 10

# Column sizes. An amount: MAX_AMOUNT with three decimals. A rate snapshot: any rate made from
# two stored rates (each within 10^-10 … 10^10, so their ratio within 10^-20 … 10^20).
AMOUNT_DIGITS = 15
RATE_SNAPSHOT_DIGITS = 30
# Sums of amounts (trigger totals, page and report sums): room for a billion rows at MAX_AMOUNT.
TOTAL_DIGITS = AMOUNT_DIGITS + 9
# Sums of amount times rate kept unrounded (13 decimals: 3 of the amount, 10 of the rate): an
# amount up to 10^12 times a snapshot rate up to 10^20, a billion times over.
PRECISE_TOTAL_DIGITS = 60


def amount_field(**kwargs) -> models.DecimalField:
    """The column for money in a currency's own units: three decimals hold BHD/KWD exactly;
    `validate_amount` holds each currency to its own minor units."""
    return models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=3, **kwargs)


def rate_snapshot_field(**kwargs) -> models.DecimalField:
    """The column for the rate an amount was converted at (see RATE_SNAPSHOT_DIGITS)."""
    return models.DecimalField(max_digits=RATE_SNAPSHOT_DIGITS, decimal_places=10, **kwargs)


def total_field(**kwargs) -> models.DecimalField:
    """A column, or an aggregate's output, summing amounts (see TOTAL_DIGITS)."""
    return models.DecimalField(max_digits=TOTAL_DIGITS, decimal_places=3, **kwargs)


def precise_total_field(**kwargs) -> models.DecimalField:
    """A column, or an aggregate's output, summing amount times rate unrounded."""
    return models.DecimalField(max_digits=PRECISE_TOTAL_DIGITS, decimal_places=13, **kwargs)


class InvalidAmount(Unprocessable):
    code = "INVALID_AMOUNT"
    message = "Enter an amount like 12.50."
    field = "amount"


class AmountTooLargeInBase(Unprocessable):
    code = "AMOUNT_TOO_LARGE_IN_BASE"
    message = f"In the household's base currency this is more than {MAX_BASE_AMOUNT:,}."
    field = "amount"


class InvalidRate(Unprocessable):
    code = "INVALID_RATE"
    message = f"A rate is between {MIN_MANUAL_RATE:f} and {MAX_MANUAL_RATE:,}."
    field = "rate"


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
    """An amount is more than zero, at most MAX_AMOUNT and has no more decimals than its
    currency (none for JPY, three for BHD); raises InvalidAmount, or UnknownCurrency for a code
    Colony does not know. `currency=None` checks the range alone (for a form whose currency
    field is already refused)."""
    if not _is_finite_decimal(amount):
        raise InvalidAmount()
    if amount <= 0:
        raise InvalidAmount("The amount must be more than zero.")
    if amount > MAX_AMOUNT:
        raise InvalidAmount(f"The largest amount is {MAX_AMOUNT:,}.")
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
    MAX_AMOUNT, the currency's decimals; `error` carries the field and code."""
    if not _is_finite_decimal(value):
        raise error()
    if value < 0:
        raise error(negative)
    if value > MAX_AMOUNT:
        raise error("That is more than Colony can hold.")
    _check_currency(currency)
    problem = decimals_problem(value, currency)
    if problem:
        raise error(problem)
    return value


def validate_income(income: Decimal, currency: str) -> Decimal:
    """A cycle's income is zero or more, at most MAX_AMOUNT and has no more decimals than the
    household's base currency; raises InvalidIncome or UnknownCurrency."""
    return _validate_zero_or_more(income, currency, InvalidIncome, "Income cannot be negative.")


class InvalidBudget(Unprocessable):
    code = "INVALID_BUDGET"
    message = "Enter a budget like 250.00."
    field = "amount"


class InvalidIncomeAmount(InvalidIncome):
    """An income line's amount (the field is `amount`, not a cycle's `income`)."""

    field = "amount"


def validate_budget(amount: Decimal, currency: str) -> Decimal:
    """A category budget is zero or more, at most MAX_AMOUNT and has no more decimals than the
    household's base currency; raises InvalidBudget or UnknownCurrency."""
    return _validate_zero_or_more(amount, currency, InvalidBudget, "A budget cannot be negative.")


def validate_income_amount(amount: Decimal, currency: str | None) -> Decimal:
    """An income line is more than zero, at most MAX_AMOUNT and has no more decimals than its
    currency; raises InvalidIncomeAmount or UnknownCurrency. `currency=None` checks the range
    alone."""
    if not _is_finite_decimal(amount):
        raise InvalidIncomeAmount()
    if amount <= 0:
        raise InvalidIncomeAmount("The amount must be more than zero.")
    if amount > MAX_AMOUNT:
        raise InvalidIncomeAmount("That is more than Colony can hold.")
    if currency is None:
        return amount
    _check_currency(currency)
    problem = decimals_problem(amount, currency)
    if problem:
        raise InvalidIncomeAmount(problem)
    return amount


def validate_base_amount(base_amount: Decimal | None, base_currency: str) -> Decimal | None:
    """An amount converted into the base currency fits MAX_BASE_AMOUNT (None: awaiting a rate);
    raises AmountTooLargeInBase, naming the base currency."""
    if base_amount is not None and abs(base_amount) > MAX_BASE_AMOUNT:
        raise AmountTooLargeInBase(
            f"In {base_currency} this is more than {MAX_BASE_AMOUNT:,}: Colony cannot hold it."
        )
    return base_amount


def validate_manual_rate(rate: Decimal, *, stored: Decimal | None = None) -> Decimal:
    """A rate typed by hand is within MIN_MANUAL_RATE … MAX_MANUAL_RATE and, when a rate is
    stored for the pair (`stored`), within MANUAL_RATE_MAX_FACTOR times of it; raises
    InvalidRate."""
    if not _is_finite_decimal(rate) or not MIN_MANUAL_RATE <= rate <= MAX_MANUAL_RATE:
        raise InvalidRate()
    if stored is not None and stored > 0:
        factor = MANUAL_RATE_MAX_FACTOR
        if not stored / factor <= rate <= stored * factor:
            raise InvalidRate(
                f"The stored rate is {stored.normalize():f}; a bank's rate is never "
                f"{factor} times off it. Check the rate you typed."
            )
    return rate
