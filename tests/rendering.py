"""Jinja2 templates that tell the test client what they rendered, as Django templates do.

Django's test runner instruments only its own template engine, so `response.context` and
`response.templates` stay empty for Jinja2 pages. The test settings use this backend, which is
Django's Jinja2 backend plus the `template_rendered` signal the test client listens to.
"""

from django.template.backends.jinja2 import Jinja2, Template
from django.test.signals import template_rendered


class RecordedTemplate(Template):
    @property
    def name(self) -> str:
        return self.template.name

    def render(self, context=None, request=None):
        context = {} if context is None else context
        html = super().render(context, request)  # fills `context` in place
        template_rendered.send(sender=self, template=self, context=context)
        return html


class RecordingJinja2(Jinja2):
    def get_template(self, template_name):
        return RecordedTemplate(super().get_template(template_name).template, self)

    def from_string(self, template_code):
        return RecordedTemplate(super().from_string(template_code).template, self)
