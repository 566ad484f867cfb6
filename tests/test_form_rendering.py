"""The faster select template (templates/forms/widgets/select.jinja) writes exactly what
Django's own select template writes, for every shape of choices a form can give it."""

import pytest
from django import forms
from django.forms.renderers import Jinja2

from colony.form_rendering import ColonyFormRenderer
from formats.currencies import CURRENCY_CHOICES

GROUPED = [
    ("", "Pick one…"),
    ("Cards", [("1", "Visa ··4242"), ("2", "Mastercard <old>")]),
    ("Cash", [("3", "Wallet & purse")]),
    ("4", "Quotes \" and ' apostrophes"),
]

WIDGETS = [
    (forms.Select(choices=CURRENCY_CHOICES), "EUR"),
    (forms.Select(choices=CURRENCY_CHOICES), None),
    (forms.Select(choices=GROUPED, attrs={"required": True, "form": "f", "disabled": False}), "2"),
    (forms.Select(choices=GROUPED, attrs={"aria-describedby": "x y", "data-x": "<&>"}), "4"),
    (forms.SelectMultiple(choices=GROUPED), ["1", "3"]),
    (forms.Select(choices=[]), None),
    (forms.NullBooleanSelect(), True),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_the_faster_select_writes_what_djangos_select_writes(widget, value):
    ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=ColonyFormRenderer())
    django = widget.render("field", value, attrs={"id": "id_field"}, renderer=Jinja2())
    assert ours == django
    assert "<option" in ours or not widget.choices


class EveryKindOfField(forms.Form):
    name = forms.CharField(help_text="As on the card <b>", max_length=20)
    agree = forms.BooleanField(label="I agree", required=False, help_text="Once & for all")
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    unlabelled = forms.CharField(label="", required=False)
    amount = forms.DecimalField()


def _words(html: str) -> list[str]:
    return html.split()


@pytest.mark.parametrize("data", [None, {"name": "x" * 30, "kind": "z", "amount": "many"}])
@pytest.mark.parametrize("name", list(EveryKindOfField.base_fields))
def test_the_jinja_field_group_writes_what_the_django_one_writes(name, data):
    from django.template.loader import get_template

    form = EveryKindOfField(data)
    field = form[name]
    ours = field.as_field_group()
    django = get_template("forms/field.html").render(field.get_context()).strip()
    # The same elements, attributes and text; only the whitespace between tags may differ.
    assert _words(ours) == _words(django)
    assert 'class="field' in ours
