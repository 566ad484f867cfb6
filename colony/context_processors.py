"""Context every Jinja2 template gets besides what Django's Jinja2 backend gives."""

from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html


def csrf(request) -> dict:
    """`{{ csrf_input }}` in every form and `{{ csrf_token }}` for HTMX's header: one masked
    token per template render, as Django's `{% csrf_token %}` gives, instead of masking anew at
    every use (Django's Jinja2 backend makes both lazy values that do)."""
    token = SimpleLazyObject(lambda: get_token(request))
    return {
        "csrf_token": token,
        "csrf_input": SimpleLazyObject(
            lambda: format_html(
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', str(token)
            )
        ),
    }
