"""Formatting for report pages: money in a currency, a change in percent.

`money` uses the exchange app's filter of the same name when it exists, so amounts look the same
on every page; until then it formats them here (grouped digits, the currency's minor units).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django import template

from reports.selectors import money_quantum

try:
    from exchange.templatetags.money import money as exchange_money
except ImportError:  # the exchange app's filter is not there yet
    exchange_money = None

register = template.Library()

MINUS = "\u2212"
NO_CHANGE = "\u2014"


def _as_decimal(value) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def plain_amount(value, currency: str) -> str:
    """`value` with grouped digits and the currency's minor units: 1234.5 USD → "1,234.50"."""
    amount = _as_decimal(value)
    if amount is None:
        return ""
    return format(amount.quantize(money_quantum(currency), ROUND_HALF_EVEN), ",f")


@register.filter
def money(value, currency: str) -> str:
    """An amount in `currency`, e.g. "1,234.50 USD"."""
    if exchange_money is not None:
        return exchange_money(value, currency)
    text = plain_amount(value, currency)
    return f"{text} {currency}" if text else ""


@register.filter
def amount(value, currency: str) -> str:
    """An amount without its currency, for tables that name the currency in their heading."""
    return plain_amount(value, currency)


@register.filter
def percent_change(value) -> str:
    """+12.5 %, -3.0 % (with a minus sign) or — when there is nothing to compare with."""
    change = _as_decimal(value) if value is not None else None
    if change is None:
        return NO_CHANGE
    if change > 0:
        return f"+{change} %"
    if change < 0:
        return f"{MINUS}{-change} %"
    return f"{change} %"
