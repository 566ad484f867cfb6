"""How every Django form field renders: one form-row component for the whole site.

`{{ form.field.as_field_group }}` renders templates/forms/field.html, which wraps the label,
input, help and errors of one field in a single `.field` element. So a two-column grid
(`.grid-2`) gets one cell per field instead of one per label, help text and input.
"""

from django.forms.renderers import TemplatesSetting


class ColonyFormRenderer(TemplatesSetting):
    """Project templates first (templates/forms/…), then Django's own widget templates."""

    field_template_name = "forms/field.html"
    form_template_name = "forms/div.html"
