"""`{% load import_rows %}` then `{% import_rows proposals %}`: the import preview's rows,
rendered by Jinja2 (templates/expenses/imports/partials/_preview_row.jinja).

A preview shows up to a hundred rows, each with its own choice of what happens and of its
category; in Django's template language those rows cost more than everything else the preview
does. Each row reads only what this tag passes: its proposal, the household's categories and
the URL that turns a row into a rule.
"""

from __future__ import annotations

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()

ROW_TEMPLATE = "expenses/imports/partials/_preview_row.jinja"


@register.simple_tag(takes_context=True)
def import_rows(context, proposals) -> str:
    row = engines["jinja2"].get_template(ROW_TEMPLATE)
    shared = {"categories": context.get("categories", ()), "rule_url": context.get("rule_url")}
    html = [row.render({**shared, "proposal": proposal}) for proposal in proposals]
    return mark_safe("\n".join(html))  # noqa: S308 — Jinja2 escaped every value it printed
