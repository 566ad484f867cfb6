"""Expense input: strings in, typed values out; the categories and payment methods offered are
the household's open ones (plus whatever the edited expense already uses)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from colony.errors import DomainError
from exchange.forms import AmountField, CurrencyField, LocalizedDecimalField, check_amount
from exchange.money import InvalidRate, validate_manual_rate
from formats.dates import format_day
from formats.numbers import format_number

from .models import Expense
from .selectors import SORT_ASCENDING, SORT_DESCENDING, ExpenseChoices


def version_field() -> forms.IntegerField:
    # The version of the expense the person was looking at (Expense.version), sent back with
    # the change so that a change made from a stale row is refused instead of undoing another.
    return forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )


class VersionForm(forms.Form):
    """The version a row's button (skip, restore, delete) was rendered with."""

    version = version_field()


class ExpenseForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(max_length=200, error_messages={"required": "Describe it."})
    category = forms.TypedChoiceField(coerce=int, error_messages={"required": "Pick a category."})
    payment_method = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Paid with"
    )
    amount = AmountField()
    currency = CurrencyField(codes_only=True)
    status = forms.ChoiceField(choices=Expense.Status.choices, initial=Expense.Status.PLANNED)
    note = forms.CharField(max_length=1000, required=False)
    # The rate the bank actually charged (1 unit of the expense's currency in the base
    # currency); empty: the stored rates convert it.
    rate = LocalizedDecimalField(
        noun="a rate",
        example_places=4,
        required=False,
        max_digits=20,
        decimal_places=10,
        label="Rate",
        error_messages={
            # Too many digits is out of the money rule's range: say that range.
            "max_digits": InvalidRate.message,
            "max_decimal_places": "A rate has at most 10 decimals.",
            "max_whole_digits": InvalidRate.message,
        },
    )
    version = version_field()

    def __init__(
        self,
        *args,
        cycle,
        choices: ExpenseChoices,
        expense: Expense | None = None,
        form_id: str,
        **kwargs,
    ):
        # The inputs sit in table cells, tied to their <form> by its id (`form` attribute).
        kwargs.setdefault("auto_id", f"{form_id}-%s")
        super().__init__(*args, **kwargs)
        self.form_id = form_id
        self.carried: list[str] = []  # labels of the values carried from the last expense
        self.cycle = cycle
        self.expense = expense
        categories = [
            c
            for c in choices.categories
            if not c.is_archived or c.pk == getattr(expense, "category_id", None)
        ]
        methods = [
            m
            for m in choices.payment_methods
            if m.is_active or m.pk == getattr(expense, "payment_method_id", None)
        ]
        self._categories = {c.pk: c for c in categories}
        self._methods = {m.pk: m for m in methods}
        self.fields["category"].choices = [("", "Category…")] + [(c.pk, c.name) for c in categories]
        self.fields["payment_method"].choices = [("", "—")] + [(m.pk, str(m)) for m in methods]
        self.fields["date"].widget.attrs.update(
            min=cycle.start_date.isoformat(), max=cycle.end_date.isoformat()
        )
        self.fields["description"].widget.attrs.update(placeholder="What for?", autocomplete="off")
        self.fields["note"].widget.attrs.update(placeholder="Note (optional)")
        # The amount's placeholder shows the household's format with the currency's decimals
        # (the field's own); the rate's says what it is, its title and errors show its format.
        currency = self["currency"].value() or getattr(expense, "currency", None)
        self.fields["amount"].for_currency(
            currency if isinstance(currency, str) else cycle.household.base_currency
        )
        self.fields["rate"].widget.attrs.update(
            placeholder=f"Bank rate, e.g. {format_number(Decimal('0.9250'), 4)}",
            title=f"1 unit in {cycle.household.base_currency}",
        )
        if expense is None:
            del self.fields["version"]  # a new expense has no version to go stale
            # Skipping is for an occurrence already in the cycle.
            self.fields["status"].choices = [
                choice for choice in Expense.Status.choices if choice[0] != Expense.Status.SKIPPED
            ]
        for field in self.fields.values():
            field.widget.attrs["form"] = form_id

    def mark_carried(self, carried: dict, defaults: dict) -> ExpenseForm:
        """Show which values were carried over from the last expense, with what each resets
        to."""
        self.carried = []
        for name in carried:
            default = defaults.get(name)
            reset_to = default.isoformat() if hasattr(default, "isoformat") else (default or "")
            self.fields[name].widget.attrs.update({"data-default": reset_to, "class": "carried"})
            self.carried.append(str(self.fields[name].label or name).lower())
        return self

    def status_follows_date(self, *, today) -> ExpenseForm:
        """Let the status select follow the date (paid up to `today`, planned after it, as
        services.status_for_date decides) until the person picks a status themselves."""
        self.fields["status"].widget.attrs.update(
            {"data-follows-date": True, "data-today": today.isoformat()}
        )
        return self

    def autofocus(self) -> ExpenseForm:
        """Put the cursor on the first field with an error, else on the description."""
        name = next((name for name in self.fields if name in self.errors), "description")
        self.fields[name].widget.attrs.update({"autofocus": True, "data-autofocus": True})
        return self

    def clean_category(self):
        return self._categories[self.cleaned_data["category"]]

    def clean_payment_method(self):
        pk = self.cleaned_data["payment_method"]
        return None if pk is None else self._methods[pk]

    def clean_rate(self):
        rate = self.cleaned_data["rate"]
        if rate is not None and rate <= 0:
            raise forms.ValidationError("A rate must be more than zero.")
        unchanged = (
            self.expense is not None and self.expense.has_manual_rate and rate == self.expense.rate
        )
        if rate is not None and not unchanged:
            try:
                validate_manual_rate(rate)
            except DomainError as error:
                raise forms.ValidationError(error.message, code=error.code) from error
        return rate

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not self.cycle.start_date <= day <= self.cycle.end_date:
            start, end = self.cycle.start_date, self.cycle.end_date
            raise forms.ValidationError(
                f"Pick a date from {format_day(start)} to {format_day(end)}."
            )
        return day

    def clean(self):
        cleaned = super().clean()
        code = cleaned.get("currency")
        check_amount(self, code)
        if cleaned.get("rate") is not None and code == self.cycle.household.base_currency:
            self.add_error("rate", f"{code} is the base currency: it needs no rate.")
        return cleaned

    def service_fields(self) -> dict:
        """The cleaned values as the expense services take them."""
        fields = dict(self.cleaned_data)
        fields["manual_rate"] = fields.pop("rate", None)
        if "version" in fields:
            fields["expected_version"] = fields.pop("version")
        return fields


class PaymentForm(VersionForm):
    """Marking an expense paid: the actual amount, pre-filled with the planned one."""

    amount = AmountField(required=False, label="Paid")

    def __init__(self, *args, expense: Expense, **kwargs):
        kwargs.setdefault("auto_id", f"pay-{expense.pk}-%s")
        super().__init__(*args, initial={"amount": expense.amount}, **kwargs)
        self.expense = expense
        self.fields["amount"].for_currency(expense.currency)

    def clean(self):
        # No amount: a plain toggle, paid at the planned amount.
        cleaned = super().clean()
        check_amount(self, self.expense.currency)
        return cleaned


class ExpenseFilterForm(forms.Form):
    """The table's filters and sort, from the query string; a value that is not offered is
    ignored rather than an error."""

    category = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    payment_method = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Paid with"
    )
    status = forms.ChoiceField(required=False)
    member = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Added by")
    sort = forms.ChoiceField(
        required=False,
        choices=[(SORT_ASCENDING, "Date, oldest first"), (SORT_DESCENDING, "Date, newest first")],
    )

    def __init__(self, *args, choices: ExpenseChoices, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "All categories")] + [
            (c.pk, c.name) for c in choices.categories
        ]
        self.fields["payment_method"].choices = [("", "Any payment method")] + [
            (m.pk, str(m)) for m in choices.payment_methods
        ]
        self.fields["status"].choices = [("", "Any status"), *Expense.Status.choices]
        self.fields["member"].choices = [("", "Anyone")] + [
            (m.user_id, m.user.display_name) for m in members
        ]

    def filters(self) -> dict:
        """The valid filters, by name, for `cycle_expense_page`."""
        self.is_valid()
        values = {
            name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors
        }
        values["sort"] = values.get("sort") or SORT_ASCENDING
        return values

    @property
    def is_filtered(self) -> bool:
        filters = self.filters()
        return any(filters.get(name) for name in ("category", "payment_method", "status", "member"))
