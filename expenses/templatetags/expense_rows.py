"""`{% load expense_rows %}` then `{% expense_row expense %}`: one row of the cycle's expense
table, rendered by Jinja2 (templates/expenses/partials/_expense_row.jinja).

The cycle page shows 50 rows; in Django's template language each cost more than the rest of
the page. The row reads only what this tag passes: the expense, whether the cycle is open, a
refused paid amount to show again, the base currency and the CSRF token (the request's own,
never cached: nothing here is cached).
"""

from __future__ import annotations

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

from .expense_urls import expense_links

register = template.Library()

ROW_TEMPLATE = "expenses/partials/_expense_row.jinja"


@register.simple_tag(takes_context=True)
def expense_row(context, expense) -> str:
    cycle = context.get("cycle")
    pay_form = context.get("pay_form")
    refused = pay_form if pay_form is not None and pay_form.expense.pk == expense.pk else None
    row = engines["jinja2"].get_template(ROW_TEMPLATE)
    return mark_safe(  # noqa: S308 — Jinja2 escaped every value it printed
        row.render(
            {
                "expense": expense,
                "links": expense_links(expense.pk),
                # A viewer (can_write false) sees the row without its pay, edit and delete controls.
                "is_open": context.get("is_open", False) and context.get("can_write", False),
                "pay_form": refused,
                "base_currency": cycle.household.base_currency if cycle is not None else "",
                "csrf_token": str(context.get("csrf_token", "")),
            }
        )
    )
