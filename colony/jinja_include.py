"""`{% load jinja %}` then `{% jinja "cycles/partials/_budgets.jinja" %}`: a Jinja2 template
(colony/jinja.py) rendered in place, with everything the Django template sees.

The cycle page's partials are Jinja2 templates (several times faster to render); each keeps a
Django wrapper of the same name ending in .html, so every view and `{% include %}` that shows
one (with `oob=True` and the like) goes on working unchanged.
"""

from __future__ import annotations

from django import template
from django.template import engines
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .csrf import page_token

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str) -> str:
    values = context.flatten()
    request = values.get("request")
    if request is not None:
        # As Django's Jinja2 backend gives it, with the page's one token (colony/csrf.py).
        values["csrf_input"] = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', page_token(request)
        )
    page = engines["jinja2"].get_template(template_name)
    return mark_safe(page.render(values))  # noqa: S308 — Jinja2 escaped every value it printed
