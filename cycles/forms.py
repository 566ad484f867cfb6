from decimal import Decimal

from django import forms

from exchange.currencies import get_currency

MAX_INCOME = Decimal("999999999.99")


class CycleForm(forms.Form):
    name = forms.CharField(
        max_length=100, required=False, help_text="Leave empty to name the cycle after its dates."
    )
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="At most 45 days after the start."
    )
    income = forms.DecimalField(
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="In the household's base currency.",
    )

    def __init__(self, *args, base_currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_currency = get_currency(base_currency)
        self.fields["income"].help_text = f"In {self.base_currency.code}."

    def clean_income(self):
        income = self.cleaned_data["income"]
        if income < 0:
            raise forms.ValidationError("Income cannot be negative.")
        if income > MAX_INCOME:
            raise forms.ValidationError("That is more than Colony can hold.")
        if income != income.quantize(self.base_currency.quantum):
            raise forms.ValidationError(
                f"{self.base_currency.code} has {self.base_currency.minor_units} decimals at most."
            )
        return income


class NewCycleForm(CycleForm):
    generate_from_templates = forms.BooleanField(
        required=False,
        initial=True,
        label="Add the expenses of our active templates",
    )
