"""Formatting for report pages: money in a currency, a change in percent.

Amounts go through formats.currencies, so they look the same on every page.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from exchange.templatetags.money import money as exchange_money
from formats.currencies import format_amount

register = template.Library()
register.filter("money", exchange_money)

MINUS = "\u2212"
NO_CHANGE = "\u2014"


@register.filter
def amount(value, currency: str) -> str:
    """An amount without its currency, for tables that name the currency in their heading."""
    return format_amount(value, currency) or ""


@register.filter
def percent_change(value) -> str:
    """+12.5 %, -3.0 % (with a minus sign) or — when there is nothing to compare with."""
    if value is None or isinstance(value, bool):
        return NO_CHANGE
    try:
        change = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return NO_CHANGE
    if change > 0:
        return f"+{change} %"
    if change < 0:
        return f"{MINUS}{-change} %"
    return f"{change} %"
