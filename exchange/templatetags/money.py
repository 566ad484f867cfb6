"""`{% load money %}` then `{{ expense.amount|money:expense.currency }}` → "1,235 JPY".

Formatting is Decimal-only and knows each currency's minor units (formats.currencies).
"""

from django import template

from formats.currencies import format_money, format_rate

register = template.Library()


@register.filter(name="money")
def money(amount, currency_code=""):
    """An amount with thousands separators and the currency's minor units, then its code."""
    return format_money(amount, currency_code)


@register.filter(name="rate")
def rate(value):
    """An exchange rate, trailing zeros dropped."""
    return format_rate(value)
