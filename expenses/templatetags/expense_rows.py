"""`{% load expense_rows %}` then `{% expense_row expense %}`: one row of the cycle's expense
table, rendered by Jinja2 (templates/expenses/partials/_expense_row.jinja).

The cycle page shows 50 rows; in Django's template language each cost more than the rest of
the page. The row reads only what this tag passes: the expense, whether the cycle is open, a
refused paid amount to show again, the base currency and the CSRF token.

A row's HTML is also kept (per worker process, see RowCache) under a key made of everything it
shows: every column of the expense, the names of its category, payment method and users, the
cycle's openness, the base currency, the number format and language, and the household. Any
change to any of them is a new key, so a kept row is never stale and never another household's.
The CSRF token is never kept: the row is kept with an empty slot where the token goes, and each
request puts its own token in.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template import engines
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from formats.locales import active_locale

from ..models import Expense
from .expense_urls import expense_links

register = template.Library()

ROW_TEMPLATE = "expenses/partials/_expense_row.jinja"
# Where the row's form holds its token: attribute name and quotes included, which no escaped
# value (a description holding these words) can spell, since escaping turns `"` into `&#34;`.
_TOKEN_SLOT = 'name="csrfmiddlewaretoken" value="'
_EMPTY_SLOT = _TOKEN_SLOT + '"'
# Every stored column of an expense: a change to any of them changes the key.
_COLUMNS = tuple(field.attname for field in Expense._meta.concrete_fields)


class RowCache:
    """Rendered rows by key, at most `size` of them (the oldest go first). Per process: a
    cache shared between workers would cost a network round trip per page, more than it saves.
    """

    def __init__(self, size: int = 4096):
        self.size = size
        self._rows: dict[tuple, tuple[str, str]] = {}

    def get(self, key):
        return self._rows.get(key)

    def put(self, key, parts: tuple[str, str]) -> None:
        if len(self._rows) >= self.size:
            self._rows.pop(next(iter(self._rows)), None)
        self._rows[key] = parts

    def clear(self) -> None:
        self._rows.clear()

    def __len__(self) -> int:
        return len(self._rows)


ROWS = RowCache()


def _person(user) -> tuple:
    return (None,) if user is None else (user.pk, user.first_name, user.email)


def row_key(expense: Expense, *, is_open: bool, base_currency: str, household_id) -> tuple:
    """Everything the row template shows, as a hashable tuple (see the module docstring)."""
    values = expense.__dict__
    category = expense.category if expense.category_id is not None else None
    method = expense.payment_method if expense.payment_method_id is not None else None
    return (
        household_id,
        is_open,
        base_currency,
        active_locale(),
        translation.get_language(),
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        tuple(values[column] for column in _COLUMNS),  # KeyError: a deferred column
        None if category is None else category.name,
        None if method is None else str(method),
        _person(expense.created_by if expense.created_by_id is not None else None),
        _person(expense.updated_by if expense.updated_by_id is not None else None),
    )


def _render(expense: Expense, *, is_open: bool, base_currency: str, pay_form, csrf_token) -> str:
    row = engines["jinja2"].get_template(ROW_TEMPLATE)
    return row.render(
        {
            "expense": expense,
            "links": expense_links(expense.pk),
            "is_open": is_open,
            "pay_form": pay_form,
            "base_currency": base_currency,
            "csrf_token": csrf_token,
        }
    )


@register.simple_tag(takes_context=True)
def expense_row(context, expense) -> str:
    cycle = context.get("cycle")
    pay_form = context.get("pay_form")
    refused = pay_form if pay_form is not None and pay_form.expense.pk == expense.pk else None
    # A viewer (can_write false) sees the row without its pay, edit and delete controls.
    is_open = bool(context.get("is_open", False) and context.get("can_write", False))
    base_currency = cycle.household.base_currency if cycle is not None else ""
    token = str(context.get("csrf_token", ""))
    if refused is not None:
        # A refused amount with its error is shown once: never kept.
        html = _render(
            expense, is_open=is_open, base_currency=base_currency, pay_form=refused, csrf_token=token
        )
        return mark_safe(html)  # noqa: S308 — Jinja2 escaped every value it printed
    try:
        key = row_key(
            expense,
            is_open=is_open,
            base_currency=base_currency,
            household_id=cycle.household_id if cycle is not None else None,
        )
    except KeyError:  # loaded without some column: what it shows is not all in the key
        html = _render(
            expense, is_open=is_open, base_currency=base_currency, pay_form=None, csrf_token=token
        )
        return mark_safe(html)  # noqa: S308 — Jinja2 escaped every value it printed
    parts = ROWS.get(key)
    if parts is None:
        html = _render(
            expense, is_open=is_open, base_currency=base_currency, pay_form=None, csrf_token=""
        )
        before, slot, after = html.partition(_EMPTY_SLOT)
        parts = (before, after) if slot else (html, None)
        ROWS.put(key, parts)
    before, after = parts
    if after is None:  # a row without a form (completed cycle, viewer): no token to put in
        return mark_safe(before)  # noqa: S308 — Jinja2 escaped every value it printed
    return mark_safe(f'{before}{_TOKEN_SLOT}{escape(token)}"{after}')  # noqa: S308 — as above
