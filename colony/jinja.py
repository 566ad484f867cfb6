"""The Jinja2 environment for the few hot partials.

Most pages are Django templates. A partial rendered many times per request (an expense row,
50 per cycle page) renders several times faster in Jinja2, Django's other built-in template
backend. So that a partial ported to Jinja2 prints an amount, a date or a rate exactly like the
Django templates do, the environment offers every filter of the Django engine's libraries
(`money`, `rate`, `intcomma`, the project's own…) under the same name, unless Jinja2 has its own.

Two globals stand in for Django tags: `url(name, *args)` and `querystring(request, **changes)`;
`kept(name, key)` includes a template whose HTML is kept between requests (colony/fragments.py).
A Django template includes a Jinja2 one with `{% load jinja %}{% jinja "name.jinja" %}`
(colony/jinja_include.py), which hands it the whole template context.

Django's Jinja2 backend autoescapes (`autoescape=True` is its default), and a Django
SafeString, such as a form's error list, is kept as is. Jinja2 templates are named `*.jinja`
and rendered only through `engines["jinja2"]`: the Django engine never reads one.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.template import defaulttags, engines
from django.urls import reverse
from jinja2 import Environment, pass_context
from markupsafe import Markup

from . import fragments
from .csrf import page_token


def django_filters() -> dict:
    """Every filter the Django template engine knows: built-ins and the loadable libraries."""
    engine = engines["django"].engine
    found = {}
    for library in [*engine.template_builtins, *engine.template_libraries.values()]:
        found.update(library.filters)
    return found


def url(name: str, *args) -> str:
    """`{{ url("cycles:detail", cycle.pk) }}`: what `{% url "cycles:detail" cycle.pk %}` gives."""
    return reverse(name, args=args)


def querystring(request, **changes) -> str:
    """`{{ querystring(request, page=2, after=None) }}`: Django's `{% querystring %}` (the
    request's query with these parameters set, or removed when None)."""
    return defaulttags.querystring(SimpleNamespace(request=request), **changes)


@pass_context
def kept(context, template_name: str, key) -> Markup:
    """`{{ kept("name.jinja", key) }}`: that template rendered with this context, or the HTML
    it gave before under `key` (colony/fragments.py; a None key always renders)."""
    request = context.get("request")
    html = fragments.kept(
        key,
        lambda: context.environment.get_template(template_name).render(context.get_all()),
        csrf_token=lambda: page_token(request),
    )
    return Markup(html)  # noqa: S704 — the template's own output, escaped by it


def environment(**options) -> Environment:
    env = Environment(**options)  # noqa: S701 — Django's backend passes autoescape=True
    for name, function in django_filters().items():
        env.filters.setdefault(name, function)
    env.globals.update(url=url, querystring=querystring, kept=kept)
    return env
