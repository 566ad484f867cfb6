"""The faster select template (templates/forms/widgets/select.jinja) writes exactly what
Django's own select template writes, for every shape of choices a form can give it; the
widget cache gives back only what the same context renders."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import Jinja2
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from colony import form_rendering
from colony.form_rendering import ColonyFormRenderer, WidgetHtmlCache, _freeze
from formats.currencies import CURRENCY_CHOICES


@pytest.fixture(autouse=True)
def fresh_widget_cache():
    # Each test renders its widgets for real first: a kept widget would hide the template.
    form_rendering.WIDGETS.clear()
    yield
    form_rendering.WIDGETS.clear()


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


def _render(widget, value, *, attrs=None):
    return widget.render(
        "field", value, attrs=attrs or {"id": "id_field"}, renderer=ColonyFormRenderer()
    )


def test_a_widget_rendered_again_comes_from_the_cache_unchanged():
    widget = forms.Select(choices=CURRENCY_CHOICES)
    first = _render(widget, "EUR")
    assert len(form_rendering.WIDGETS) == 1
    assert _render(widget, "EUR") == first
    assert len(form_rendering.WIDGETS) == 1
    assert _render(widget, "EUR") == widget.render(
        "field", "EUR", attrs={"id": "id_field"}, renderer=Jinja2()
    )


@pytest.mark.parametrize(
    ("widget", "one", "other"),
    [
        # Another selected option, other choices (another household's categories), other
        # attributes: each is its own HTML.
        (forms.Select(choices=[("1", "Food"), ("2", "Rent")]), "1", "2"),
        (forms.TextInput(), "Rent", "rent"),
        (forms.TextInput(), "<b>", mark_safe("<b>")),
        (forms.NumberInput(), 1, True),
        (forms.TextInput(), Decimal("1.0"), Decimal("1")),
        (forms.DateInput(), datetime.date(2026, 1, 2), "2026-01-02 "),
    ],
)
def test_contexts_a_template_prints_differently_never_share_html(widget, one, other):
    assert _freeze({"v": one}) != _freeze({"v": other})
    assert _render(widget, one) == widget.render(
        "field", one, attrs={"id": "id_field"}, renderer=Jinja2()
    )
    assert _render(widget, other) == widget.render(
        "field", other, attrs={"id": "id_field"}, renderer=Jinja2()
    )


def test_choices_of_two_households_are_two_entries():
    ours = _render(forms.Select(choices=[("1", "Groceries")]), "1")
    theirs = _render(forms.Select(choices=[("1", "Secret hobby")]), "1")
    assert "Groceries" in ours and "Secret hobby" not in ours
    assert "Secret hobby" in theirs and "Groceries" not in theirs
    assert len(form_rendering.WIDGETS) == 2


def test_attribute_order_is_part_of_the_key():
    # Attributes are printed in their order: the same set in another order is other HTML.
    assert _freeze({"a": "1", "b": "2"}) != _freeze({"b": "2", "a": "1"})


def test_a_lazy_label_is_kept_as_the_text_it_prints():
    assert _freeze(gettext_lazy("Planned")) == _freeze(gettext_lazy("Planned"))
    assert _freeze(gettext_lazy("Planned")) != _freeze(gettext_lazy("Paid"))


def test_a_context_holding_an_object_is_rendered_and_not_kept():
    class Opaque:
        def __str__(self):
            return "opaque"

    cache = WidgetHtmlCache()
    calls = []

    def render():
        calls.append(1)
        return "<input>"

    assert cache.render("t", {"widget": {"value": Opaque()}}, render) == "<input>"
    assert cache.render("t", {"widget": {"value": Opaque()}}, render) == "<input>"
    assert len(calls) == 2 and len(cache) == 0


def test_the_cache_keeps_at_most_its_size():
    cache = WidgetHtmlCache(size=2)
    for name in ("a", "b", "c"):
        cache.render("t", {"name": name}, lambda name=name: name)
    assert len(cache) == 2
    assert cache.render("t", {"name": "c"}, lambda: "rendered again") == "c"
    assert cache.render("t", {"name": "a"}, lambda: "rendered again") == "rendered again"
