"""`{% load expense_rows %}` then `{% expense_rows expenses %}` (the table's rows, one of them
perhaps being edited) or `{% expense_row expense %}` (one row): rendered by Jinja2
(templates/expenses/partials/_expense_row.jinja).

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

from colony.fragments import KeptCache
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


class RowCache(KeptCache):
    """Rendered rows by key (colony.fragments.KeptCache), 4,096 of them by default."""

    def __init__(self, size: int = 4096):
        super().__init__(size)


ROWS = RowCache()


def _person(user) -> tuple:
    return (None,) if user is None else (user.pk, user.first_name, user.email)


class _Rows:
    """Rows rendered for one template context: what every row's key shares (household,
    openness, currency, formats, URLs) is read once, not once per row."""

    def __init__(self, context):
        cycle = context.get("cycle")
        self.pay_form = context.get("pay_form")
        # A viewer (can_write false) sees rows without their pay, edit and delete controls.
        self.is_open = bool(context.get("is_open", False) and context.get("can_write", False))
        self.base_currency = cycle.household.base_currency if cycle is not None else ""
        self.token = escape(str(context.get("csrf_token", "")))
        self.shared = (
            cycle.household_id if cycle is not None else None,
            self.is_open,
            self.base_currency,
            active_locale(),
            translation.get_language(),
            get_urlconf() or settings.ROOT_URLCONF,
            get_script_prefix(),
        )

    def key(self, expense: Expense) -> tuple:
        """Everything the row template shows, as a hashable tuple (see the module docstring);
        KeyError when the expense was loaded without some column."""
        values = expense.__dict__
        return (
            self.shared,
            tuple([values[column] for column in _COLUMNS]),
            expense.category.name if expense.category_id is not None else None,
            str(expense.payment_method) if expense.payment_method_id is not None else None,
            _person(expense.created_by if expense.created_by_id is not None else None),
            _person(expense.updated_by if expense.updated_by_id is not None else None),
        )

    def render(self, expense: Expense, *, pay_form=None, csrf_token: str = "") -> str:
        return (
            engines["jinja2"]
            .get_template(ROW_TEMPLATE)
            .render(
                {
                    "expense": expense,
                    "links": expense_links(expense.pk),
                    "is_open": self.is_open,
                    "pay_form": pay_form,
                    "base_currency": self.base_currency,
                    "csrf_token": csrf_token,
                }
            )
        )

    def row(self, expense: Expense) -> str:
        pay_form = self.pay_form
        if pay_form is not None and pay_form.expense.pk == expense.pk:
            # A refused amount with its error is shown once: never kept.
            return self.render(expense, pay_form=pay_form, csrf_token=self.token)
        try:
            key = self.key(expense)
        except KeyError:  # what the row shows is not all in the key: render it every time
            key = None
        parts = ROWS.get(key) if key is not None else None
        if parts is None:  # rendered with an empty token slot, filled in below
            html = self.render(expense)
            before, slot, after = html.partition(_EMPTY_SLOT)
            parts = (before, after) if slot else (html, None)
            if key is not None:
                ROWS.put(key, parts)
        before, after = parts
        if after is None:  # a row without a form (completed cycle, viewer): no token to put in
            return before
        return f'{before}{_TOKEN_SLOT}{self.token}"{after}'


EDIT_ROW_TEMPLATE = "expenses/partials/_expense_edit_row.html"


@register.simple_tag(takes_context=True)
def expense_rows(context, expenses) -> str:
    """Every row of `expenses`, the one being edited (`editing_pk`) as its edit form: one tag
    call instead of a template loop, which cost more than the kept rows themselves."""
    editing_pk = context.get("editing_pk")
    rows = _Rows(context)
    html = []
    for expense in expenses:
        if editing_pk is not None and expense.pk == editing_pk:
            edit_row = context.template.engine.get_template(EDIT_ROW_TEMPLATE)
            with context.push(expense=expense):
                html.append(edit_row.render(context))
        else:
            html.append(rows.row(expense))
    # Jinja2 escaped every value it printed; the edit row is a Django template's output.
    return mark_safe("\n".join(html))  # noqa: S308


@register.simple_tag(takes_context=True)
def expense_row(context, expense) -> str:
    return mark_safe(_Rows(context).row(expense))  # noqa: S308 — Jinja2 escaped every value
