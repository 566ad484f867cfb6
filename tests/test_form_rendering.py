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
