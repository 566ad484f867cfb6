"""How forms render: through the project's templates (Jinja2, like every page).

`{{ form.field.as_field_group() }}` renders templates/forms/field.html, which wraps the label,
input, help and errors of one field in a single `.field` element, so a two-column grid
(`.grid-2`) gets one cell per field instead of one per label, help text and input. Django's
built-in widgets come from its own Jinja2 copies (django/forms/jinja2/, found because
`django.forms` is an installed app and the Jinja2 backend looks in each app's jinja2/ folder).
"""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"
