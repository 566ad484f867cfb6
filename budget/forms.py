from decimal import Decimal, InvalidOperation

from django import forms

from colony.dates import is_supported_date, out_of_range_message
from colony.errors import DomainError
from exchange.forms import CurrencyField, LocalizedDecimalField, LocalizedNumberInput
from exchange.money import validate_budget, validate_income, validate_income_amount
from expenses.models import Expense
from formats.currencies import format_amount, get_currency

from .selectors.search import ExpenseSearch


class CycleForm(forms.Form):
    name = forms.CharField(
        max_length=100, required=False, help_text="Leave empty to name the cycle after its dates."
    )
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="At most 45 days, the first and last day included.",
    )

    def __init__(self, *args, base_currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_currency = get_currency(base_currency)


class NewCycleForm(CycleForm):
    income = LocalizedDecimalField(
        noun="an income",
        required=False,
        label="Expected income",
        help_text="In the household's base currency.",
    )
    generate_from_templates = forms.BooleanField(
        required=False,
        initial=True,
        label="Add the expenses and income of our active templates",
    )

    def __init__(self, *args, base_currency: str, **kwargs):
        super().__init__(*args, base_currency=base_currency, **kwargs)
        self.fields["income"].for_currency(self.base_currency.code)
        self.fields["income"].help_text = (
            f"In {self.base_currency.code}; optional. It becomes the first income line, and "
            "more lines (a second salary, a refund) are added on the cycle page."
        )

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
        income = self.cleaned_data["income"]
        if income is None:
            return Decimal(0)
        try:
            return validate_income(income, self.base_currency.code)
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from error


class BudgetForm(forms.Form):
    """One amount per category (empty: no budget) and whether it rolls over; the fields are
    built from the cycle's budget lines, so Tab moves from one category to the next."""

    def __init__(self, *args, lines, base_currency: str, usual=None, **kwargs):
        kwargs.setdefault("auto_id", "budget-%s")
        super().__init__(*args, **kwargs)
        self.base_currency = get_currency(base_currency)
        self.rows = []
        usual = usual or {}
        for index, line in enumerate(lines):
            amount = LocalizedDecimalField(
                noun="a budget",
                required=False,
                label=line.name,
                max_digits=16,
                widget=LocalizedNumberInput(attrs={"size": 10}),
            ).for_currency(self.base_currency.code)
            if index == 0:
                amount.widget.attrs.update({"autofocus": True, "data-autofocus": True})
            if line.category_id in usual:
                usual_amount = format_amount(usual[line.category_id], self.base_currency.code)
                amount.widget.attrs["placeholder"] = f"usual {usual_amount}"
            rolls_over = forms.BooleanField(required=False, label=f"Roll over {line.name}")
            self.fields[f"amount_{line.category_id}"] = amount
            self.fields[f"rolls_over_{line.category_id}"] = rolls_over
            # What the form showed, posted back: a save over budgets someone changed since is
            # refused (409) instead of silently undoing their change.
            self.fields[f"seen_{line.category_id}"] = forms.CharField(
                required=False, widget=forms.HiddenInput
            )
            self.fields[f"seen_rolls_over_{line.category_id}"] = forms.CharField(
                required=False, widget=forms.HiddenInput
            )
            # The amount is shown in the household's format (the field writes it); what the
            # form saw goes back as a plain Decimal, whatever the format.
            budget = self._quantized(line.budget) if line.has_budget else None
            if not self.is_bound:
                self.initial[f"amount_{line.category_id}"] = budget
                self.initial[f"rolls_over_{line.category_id}"] = line.rolls_over
            self.initial[f"seen_{line.category_id}"] = "" if budget is None else str(budget)
            self.initial[f"seen_rolls_over_{line.category_id}"] = "1" if line.rolls_over else "0"
            self.rows.append((line, line.category_id))

    def _quantized(self, amount: Decimal) -> Decimal:
        return amount.quantize(self.base_currency.quantum)

    @property
    def bound_rows(self):
        """(line, amount field, roll-over field) per category, in order."""
        return [(line, self[f"amount_{pk}"], self[f"rolls_over_{pk}"]) for line, pk in self.rows]

    def clean(self):
        cleaned = super().clean()
        for _line, pk in self.rows:
            name = f"amount_{pk}"
            amount = cleaned.get(name)
            if amount is None:
                continue
            try:
                validate_budget(amount, self.base_currency.code)
            except DomainError as error:
                self.add_error(name, error.message)
        return cleaned

    def amounts(self) -> dict[int, Decimal | None]:
        return {pk: self.cleaned_data.get(f"amount_{pk}") for _line, pk in self.rows}

    def rolls_over(self) -> dict[int, bool]:
        return {pk: bool(self.cleaned_data.get(f"rolls_over_{pk}")) for _line, pk in self.rows}

    def expected(self) -> dict[int, Decimal | None]:
        """The amount each category showed when the form was opened (None: no budget); a
        category whose value did not come back (a form from before) is not checked."""
        seen = {}
        for _line, pk in self.rows:
            name = f"seen_{pk}"
            if self.add_prefix(name) not in self.data:
                continue
            text = (self.cleaned_data.get(name) or "").strip()
            try:
                value = Decimal(text) if text else None
            except InvalidOperation:
                continue  # not a value this form wrote: nothing to compare
            if value is None or value.is_finite():
                seen[pk] = value
        return seen

    def expected_rolls_over(self) -> dict[int, bool]:
        """Whether each category rolled over when the form was opened."""
        return {
            pk: self.cleaned_data[f"seen_rolls_over_{pk}"] == "1"
            for _line, pk in self.rows
            if self.cleaned_data.get(f"seen_rolls_over_{pk}") in {"0", "1"}
        }


class IncomeLineForm(forms.Form):
    """An income line as typed: the service checks the rules again (amount, date, member)."""

    description = forms.CharField(max_length=200, error_messages={"required": "Describe it."})
    amount = LocalizedDecimalField(
        noun="an amount", max_digits=16, error_messages={"required": "Enter an amount."}
    )
    currency = CurrencyField(codes_only=True)
    expected_date = forms.DateField(
        label="Expected on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    member = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Whose")
    is_received = forms.BooleanField(required=False, label="Received")

    def __init__(self, *args, members, form_id: str = "income-add-form", **kwargs):
        kwargs.setdefault("auto_id", f"{form_id}-%s")
        super().__init__(*args, **kwargs)
        self.form_id = form_id
        self.users = {membership.user.pk: membership.user for membership in members}
        currency = self["currency"].value()
        self.fields["amount"].for_currency(currency if isinstance(currency, str) else None)
        self.fields["member"].choices = [("", "—")] + [
            (pk, user.display_name) for pk, user in self.users.items()
        ]

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("amount")
        if amount is not None:
            try:
                validate_income_amount(amount, cleaned.get("currency"))
            except DomainError as error:
                self.add_error("amount", error.message)
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "description": data["description"],
            "amount": data["amount"],
            "currency": data["currency"],
            "expected_date": data["expected_date"],
            "member": self.users.get(data["member"]),
        }


class CompletionForm(forms.Form):
    # Not required: a post without a choice keeps them (what completing did before the review).
    unpaid = forms.ChoiceField(
        required=False,
        label="Planned expenses not paid yet",
        widget=forms.RadioSelect,
        initial="keep",
        choices=[
            ("keep", "Keep them in this cycle, unpaid"),
            ("skip", "Skip them (they stay listed but count nowhere)"),
            ("move", "Move them to the next cycle"),
        ],
    )

    def __init__(self, *args, can_move: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_move:
            self.fields["unpaid"].choices = [
                choice for choice in self.fields["unpaid"].choices if choice[0] != "move"
            ]

    def clean_unpaid(self):
        return self.cleaned_data["unpaid"] or "keep"


class ExpenseSearchForm(forms.Form):
    """The search across cycles, from the query string (so a search is a bookmarkable URL)."""

    q = forms.CharField(required=False, max_length=200, label="Text")
    amount_min = LocalizedDecimalField(
        noun="an amount",
        required=False,
        max_digits=16,
        decimal_places=3,
        min_value=0,
        label="Amount from",
    )
    amount_max = LocalizedDecimalField(
        noun="an amount",
        required=False,
        max_digits=16,
        decimal_places=3,
        min_value=0,
        label="Amount to",
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    category = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    payment_method = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Paid with"
    )
    member = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Added by")
    status = forms.ChoiceField(required=False)

    def __init__(self, *args, categories, payment_methods, members, base_currency: str, **kw):
        kw.setdefault("auto_id", "search-%s")
        super().__init__(*args, **kw)
        self.fields["category"].choices = [("", "All categories")] + [
            (c.pk, c.name) for c in categories
        ]
        self.fields["payment_method"].choices = [("", "Any payment method")] + [
            (m.pk, str(m)) for m in payment_methods
        ]
        self.fields["member"].choices = [("", "Anyone")] + [
            (m.user_id, m.user.display_name) for m in members
        ]
        self.fields["status"].choices = [("", "Any status"), *Expense.Status.choices]
        self.fields["amount_min"].label = f"Amount from ({base_currency})"
        self.fields["amount_max"].label = f"Amount to ({base_currency})"
        for name in ("amount_min", "amount_max"):
            self.fields[name].for_currency(base_currency)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("amount_min"), cleaned.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "The upper amount is below the lower one.")
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    @property
    def refuses_a_criterion(self) -> bool:
        """A criterion could not be read: it is shown as its field's error, and searching
        without it would list what the person did not ask for."""
        return self.is_bound and bool(self.errors)

    def search(self):
        """The valid criteria (an invalid one is left out and shown as a field error)."""
        self.is_valid()
        values = {
            name: self.cleaned_data.get(name)
            for name in self.fields
            if name not in self.errors and name in self.cleaned_data
        }
        return ExpenseSearch(
            text=values.pop("q", "") or "",
            **{name: value for name, value in values.items() if value not in ("", None)},
        )
