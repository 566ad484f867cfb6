"""Colony's select widget template (templates/django/forms/widgets/select.html) writes the
options inline; its markup is Django's own Jinja2 select template's, byte for byte."""

from django import forms
from django.forms.renderers import Jinja2

from colony.form_renderer import FormRenderer


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "Apple"), ("b", "B & <b>")], initial="b")
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("a", "Apple"), ("p", "Pear")]), ("v", "Veg")],
        widget=forms.Select(attrs={"data-x": "1", "disabled": True, "hidden": False}),
    )
    several = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two")], initial=["1", "2"])
    empty = forms.TypedChoiceField(choices=[], required=False)


def test_each_select_renders_as_djangos_own_jinja2_template():
    ours, djangos = Choices(renderer=FormRenderer()), Choices(renderer=Jinja2())
    for name in Choices.base_fields:
        assert str(ours[name]) == str(djangos[name]), name
