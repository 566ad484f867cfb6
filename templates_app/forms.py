"""The expense template form: parses and checks what the user typed; the service saves."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from accounts.models import Household, User
from colony.dates import is_supported_date, out_of_range_message
from colony.names import NameField
from exchange.forms import AmountField, check_amount
from expenses.setup.selectors import selectable_categories, selectable_payment_methods
from formats.currencies import CURRENCY_CHOICES, get_currency, is_known_currency

from .models import ExpenseTemplate


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TemplateForm(forms.Form):
    name = NameField(max_length=200)
    amount = AmountField()
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES)
    is_income = forms.BooleanField(
        required=False,
        label="This is income (a salary, a side job)",
        help_text="Income makes an income line in each cycle; it needs no category.",
    )
    category = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Choose a category"
    )
    payment_method = forms.ModelChoiceField(queryset=None, required=False, empty_label="None")
    paid_by = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="The payment method's owner",
        label="Paid by",
        help_text="Who pays each expense it makes (shared money between members).",
    )
    frequency = forms.ChoiceField(choices=ExpenseTemplate.Frequency.choices)
    day_of_month = forms.IntegerField(
        min_value=1,
        max_value=31,
        required=False,
        help_text="For monthly templates: 31 means the last day of shorter months. "
        "Empty: the start date's day.",
    )
    start_date = forms.DateField(widget=DateInput())
    end_date = forms.DateField(required=False, widget=DateInput(), help_text="Optional.")
    is_active = forms.BooleanField(
        required=False, initial=True, label="Active (new cycles get its expenses)"
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self, *args, household: Household, template: ExpenseTemplate | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        # Archived categories and inactive methods are not offered, except the ones the
        # template already uses. Another household's ids are "not a valid choice".
        self.fields["category"].queryset = selectable_categories(
            household, keep=template.category_id if template else None
        )
        self.fields["payment_method"].queryset = selectable_payment_methods(
            household, keep=template.payment_method_id if template else None
        )
        # The household's members; one who left stays on a template that names them.
        self.fields["paid_by"].queryset = User.objects.filter(
            Q(membership__household=household) | Q(pk=template.paid_by_id if template else None)
        ).order_by("first_name", "email")
        self.fields["currency"].initial = household.base_currency
        self.fields["amount"].for_currency(
            template.currency if template else household.base_currency
        )

    @classmethod
    def initial_for(cls, template: ExpenseTemplate) -> dict:
        return {
            "name": template.name,
            "amount": template.amount.quantize(get_currency(template.currency).quantum)
            if is_known_currency(template.currency)
            else template.amount,
            "currency": template.currency,
            "category": template.category_id,
            "payment_method": template.payment_method_id,
            "paid_by": template.paid_by_id,
            "frequency": template.frequency,
            "day_of_month": template.day_of_month,
            "start_date": template.start_date,
            "end_date": template.end_date,
            "is_active": template.is_active,
            "note": template.note,
            "is_income": template.is_income,
        }

    def _check_date(self, field: str) -> None:
        value = self.cleaned_data.get(field)
        if value is not None and not is_supported_date(value):
            self.add_error(field, out_of_range_message())

    def clean(self):
        cleaned = super().clean()
        self._check_date("start_date")
        self._check_date("end_date")
        check_amount(self, cleaned.get("currency"))
        if cleaned.get("is_income"):
            cleaned["category"] = cleaned["payment_method"] = None
        elif cleaned.get("category") is None and "category" not in self.errors:
            self.add_error("category", "Choose a category (only income has none).")
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        if cleaned.get("frequency") == ExpenseTemplate.Frequency.MONTHLY:
            if cleaned.get("day_of_month") is None and start:
                cleaned["day_of_month"] = start.day
        elif "day_of_month" in cleaned:
            cleaned["day_of_month"] = None
        return cleaned
