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

from functools import cached_property

from django.forms.renderers import Jinja2, TemplatesSetting
from django.template import engines

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


class ColonyFormRenderer(JinjaWidgetsMixin, TemplatesSetting):
    """Project templates first (templates/forms/…), built-in widgets rendered by Jinja2."""

    field_template_name = "forms/field.html"
    form_template_name = "forms/div.html"
