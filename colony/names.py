"""Name clean-up, one rule for every name a household gives (categories, payment methods,
templates, cycles, the household itself): runs of whitespace become one space, and a name is
never blank."""

from __future__ import annotations

from django import forms

from colony.errors import Unprocessable


class NameRequired(Unprocessable):
    code = "NAME_REQUIRED"
    message = "Give it a name."
    field = "name"


def clean_name(name: str | None, *, required: bool = True) -> str:
    """`name` with its whitespace collapsed ("  Rent   & bills " → "Rent & bills"); a blank
    name raises NameRequired, or is "" when it is optional (the caller picks a default)."""
    name = " ".join((name or "").split())
    if not name and required:
        raise NameRequired()
    return name


class NameField(forms.CharField):
    """A name as typed, cleaned up by `clean_name`; a blank one is this field's error."""

    def clean(self, value):
        value = super().clean(value)
        try:
            return clean_name(value, required=self.required)
        except NameRequired as error:
            raise forms.ValidationError(error.message, code="required") from error
