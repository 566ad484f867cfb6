"""`{% load formats %}`: `{{ d|day }}` → Dec 31, 2026; `{{ d|day_short }}` → Dec 31;
`{{ d|month }}` → Dec 2026 — in the household's locale."""

from django import template

from formats.dates import format_day, format_day_short, format_month

register = template.Library()

register.filter("day", format_day)
register.filter("day_short", format_day_short)
register.filter("month", format_month)
