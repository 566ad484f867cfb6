"""How forms render: one form-row component for the whole site, Django's built-in widgets
through Jinja2.

`{{ form.field.as_field_group }}` renders templates/forms/field.html, which wraps the label,
input, help and errors of one field in a single `.field` element. So a two-column grid
(`.grid-2`) gets one cell per field instead of one per label, help text and input.

A page with a few selects (the currency list has ~180 options) spent more time rendering
widget templates than anything else; Django ships every built-in widget's template for Jinja2
too (django/forms/jinja2/), with the same markup, and renders them several times faster.
Labels and error lists too. Forms and any project widget template keep the Django template
engine, so a project template under templates/ still overrides them as before.

Two templates have a faster Jinja2 copy of Colony's own, with the same markup
(tests/test_form_rendering.py compares them): the select widget, whose Jinja2 template still
includes one template per option (for the ~50 currencies that was most of a form's time), and
the field group (forms/field.html → forms/field.jinja), rendered for every field of a page.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cached_property

from django.forms.renderers import Jinja2, TemplatesSetting
from django.template import engines
from django.utils.functional import Promise

from .fragments import KeptCache

# Templates replaced by a faster Jinja2 copy with the same output (templates/…/*.jinja).
FASTER_COPIES = {
    "django/forms/widgets/select.html": "forms/widgets/select.jinja",
    "forms/field.html": "forms/field.jinja",
}
# Django's own form templates that it also ships for Jinja2 (django/forms/jinja2/), with the
# same markup: labels and error lists, rendered once or twice per field.
JINJA_COPIES = ("django/forms/widgets/", "django/forms/label.html", "django/forms/errors/")


class JinjaWidgetsMixin:
    """Built-in widget templates from Django's Jinja2 copies; everything else from super()."""

    @cached_property
    def widget_engine(self):
        return Jinja2().engine

    def get_template(self, template_name):
        if template_name in FASTER_COPIES:
            return engines["jinja2"].get_template(FASTER_COPIES[template_name])
        if template_name.startswith(JINJA_COPIES):
            return self.widget_engine.get_template(template_name)
        return super().get_template(template_name)


# Values a widget's context may hold that are kept as (type, text): what a template prints of
# them is their text, and the type tells True from 1 and "1" from a safe "1".
_SCALARS = (int, bool, float, Decimal, datetime.date, datetime.datetime, datetime.time, Promise)


class _Unkeyable(Exception):
    """The context holds a value the widget cache cannot key exactly: render without it."""


def _freeze(value):
    """A hashable copy of a widget's context that equals another's only when a template would
    print the two alike: strings as they are, dicts in their order (attributes are printed in
    it), other scalars as their type and text (True is not 1, Decimal("1.0") is not 1)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is dict:
        # Most of a select's context is option dicts of strings and booleans: those are
        # frozen here, without a call per value (the calls cost more than the rendering saved).
        items = []
        for name, item in value.items():
            item_kind = type(item)
            if item_kind is str or item is None:
                items.append((name, item))
            elif item_kind is bool or item_kind is int:
                items.append((name, (item_kind, item)))
            else:
                items.append((name, _freeze(item)))
        return (dict, tuple(items))
    if kind is list or kind is tuple:
        return (kind, tuple([_freeze(item) for item in value]))
    if value is None:
        return None
    if isinstance(value, str):  # SafeString and other str subclasses print differently
        return (kind, str(value))
    if isinstance(value, _SCALARS):
        return (kind, str(value))
    raise _Unkeyable(kind)


class WidgetHtmlCache(KeptCache):
    """Rendered built-in widgets by their whole template context, at most `size` of them (the
    oldest go first), per process.

    A widget template prints only its context, so the same context is the same HTML: the key is
    that context, frozen whole (_freeze); a context holding anything else (a model instance, a
    lazy object) is not kept. A page renders the same long selects again and again (the
    currency list has ~50 options, the category and member lists one per row of their table);
    no household's data can come back for another, since their choices are part of the key,
    and a widget never holds a CSRF token.
    """

    def __init__(self, size: int = 1024):
        super().__init__(size)

    def render(self, template_name: str, context: dict, render) -> str:
        try:
            key = (template_name, _freeze(context))
        except _Unkeyable:
            return render()
        html = self.get(key)
        if html is None:
            html = render()
            self.put(key, html)
        return html


WIDGETS = WidgetHtmlCache()
# Built-in widget templates, whose output the cache may keep (see WidgetHtmlCache).
_KEPT_WIDGETS = "django/forms/widgets/"


class ColonyFormRenderer(JinjaWidgetsMixin, TemplatesSetting):
    """Project templates first (templates/forms/…), built-in widgets rendered by Jinja2."""

    field_template_name = "forms/field.html"
    form_template_name = "forms/div.html"

    def render(self, template_name, context, request=None):
        if request is None and template_name.startswith(_KEPT_WIDGETS):
            return WIDGETS.render(
                template_name,
                context,
                lambda: super(ColonyFormRenderer, self).render(template_name, context),
            )
        return super().render(template_name, context, request)
