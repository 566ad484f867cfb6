from django import forms

from colony.dates import is_supported_date, out_of_range_message
from colony.errors import DomainError
from exchange.forms import LocalizedDecimalField
from exchange.money import validate_income


class CycleForm(forms.Form):
    name = forms.CharField(
        max_length=100, required=False, help_text="Leave empty to name the cycle after its dates."
    )
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="At most 45 days after the start."
    )
    income = LocalizedDecimalField(noun="an income", help_text="In the household's base currency.")

    def __init__(self, *args, base_currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_currency = base_currency
        self.fields["income"].help_text = f"In {base_currency}."

    def clean_start_date(self):
        return self._in_range(self.cleaned_data["start_date"])

    def clean_end_date(self):
        return self._in_range(self.cleaned_data["end_date"])

    @staticmethod
    def _in_range(day):
        if not is_supported_date(day):
            raise forms.ValidationError(out_of_range_message())
        return day

    def clean_income(self):
        try:
            return validate_income(self.cleaned_data["income"], self.base_currency)
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from error


class NewCycleForm(CycleForm):
    generate_from_templates = forms.BooleanField(
        required=False,
        initial=True,
        label="Add the expenses of our active templates",
    )
