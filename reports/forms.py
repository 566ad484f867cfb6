"""Report parameters from the query string."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS


def _date_field(name: str) -> forms.DateField:
    return forms.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": f"Enter the {name} date.",
            "invalid": f"Enter the {name} date as YYYY-MM-DD.",
        },
    )


class ExportRangeForm(forms.Form):
    """The dates (both inclusive) of the expenses to export."""

    start = _date_field("start")
    end = _date_field("end")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError("The end date must be on or after the start date.")
        return cleaned

    def error_message(self) -> str:
        """Every error as one line for the error page, the field's own errors first."""
        fields = [name for name in self.errors if name != NON_FIELD_ERRORS]
        messages = [str(error) for name in fields for error in self.errors[name]]
        messages.extend(str(error) for error in self.non_field_errors())
        return " ".join(messages)
