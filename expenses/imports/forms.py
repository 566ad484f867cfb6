"""Importing a bank statement: the upload, the preview's choices (how to read the file, and
what to do with each row), and the household's rules. Forms turn strings into typed values and
report field errors; reading the file is the pipeline's, deciding is the services'."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from exchange.forms import AmountField, check_amount
from formats.currencies import CURRENCIES

from . import limits, rules
from .csv_reader import NEGATIVE_IS_OUT, SIGN_CHOICES, Mapping, Table
from .decoding import ENCODING_CHOICES, encoding_choice, encoding_label
from .models import ImportRule
from .pipeline import Choices, Statement, read_upload
from .values import DATE_FORMAT_CHOICES, DATE_FORMATS, DECIMAL_CHOICES, DECIMAL_COMMA, DECIMAL_POINT

NEW, SKIP, PAY, THERE = "new", "skip", "pay", "there"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Bank statement",
        widget=forms.FileInput(
            attrs={"accept": ".csv,.txt,.ofx,.qfx,.qif,.xml,text/csv,text/plain,application/xml"}
        ),
        error_messages={"required": "Choose a file to upload.", "empty": limits.EMPTY},
        help_text="CSV, OFX/QFX, QIF or CAMT.053 (XML), up to 10 MB.",
    )
    payment_method = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="From which account or card",
        help_text="Colony remembers how this account's files are read.",
    )

    def __init__(self, *args, payment_methods, **kwargs):
        super().__init__(*args, **kwargs)
        self._payment_methods = {method.pk: method for method in payment_methods}
        self.fields["payment_method"].choices = [("", "— not saying —")] + [
            (method.pk, str(method)) for method in payment_methods
        ]
        self.decoded = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refuse a large file by its size, before reading any of it.
        if upload.size > limits.MAX_UPLOAD_BYTES:
            raise ValidationError(limits.TOO_LARGE, code="too_large")
        try:
            self.decoded = read_upload(upload.read(limits.MAX_UPLOAD_BYTES + 1))
        except limits.UnreadableFile as error:
            raise ValidationError(str(error), code="unreadable") from error
        return upload

    def clean_payment_method(self):
        pk = self.cleaned_data["payment_method"]
        return self._payment_methods.get(pk) if pk is not None else None


NO_COLUMN = ("", "— none —")


def _column_label(table: Table, index: int) -> str:
    sample = next(iter(table.column(index, limit=20)), "")
    if len(sample) > 24:
        sample = f"{sample[:23]}…"
    name = table.header[index][:40]
    return f"{name} (e.g. {sample})" if sample else name


class ImportPreviewForm(forms.Form):
    """How to read the statement (column mapping for CSV, date order, currency) and the
    defaults for rows no rule or suggestion decides. Unbound, it shows what was detected."""

    date_column = forms.TypedChoiceField(coerce=int, label="Date column")
    date_format = forms.ChoiceField(
        choices=[("", "Choose…"), *DATE_FORMAT_CHOICES], required=False, label="Dates look like"
    )
    description_column = forms.TypedChoiceField(coerce=int, label="Description column")
    amount_column = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Amount column"
    )
    debit_column = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Money out column"
    )
    credit_column = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Money in column"
    )
    fee_column = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Fee column",
        help_text="Added to the amount.",
    )
    decimal = forms.ChoiceField(choices=DECIMAL_CHOICES, label="Amounts look like")
    direction_column = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Money in/out column",
        help_text="Such as “Af Bij” or “Debit/Credit”.",
    )
    sign = forms.ChoiceField(
        choices=SIGN_CHOICES,
        label="Without that column",
        help_text="Money in (payments, refunds, income) is left out.",
    )
    currency_column = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Currency column"
    )
    status_column = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Status column",
        help_text="Pending, reversed or declined rows are left out unless you choose them.",
    )
    counterparty_column = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Other account column"
    )
    currency = forms.ChoiceField(
        choices=[(code, code) for code in CURRENCIES],
        label="Currency",
        help_text="For rows that do not say.",
    )
    category = forms.TypedChoiceField(
        coerce=int,
        label="Category when no rule or history decides",
        error_messages={"required": "Pick a category."},
    )
    encoding = forms.ChoiceField(
        choices=ENCODING_CHOICES,
        required=False,
        label="Encoding",
        help_text="Choose another when letters such as é or ü look wrong.",
    )

    COLUMN_FIELDS = tuple(name for name in Mapping.COLUMNS)
    REQUIRED_COLUMNS = ("date_column", "description_column")

    def __init__(
        self,
        data=None,
        *,
        statement: Statement,
        detected: Choices,
        categories,
        default_category=None,
        confirming: bool = False,
    ):
        self.statement = statement
        self.detected = detected
        self.confirming = confirming
        self._categories = {category.pk: category for category in categories}
        initial = self._initial(detected, default_category)
        initial["encoding"] = encoding_choice(statement.encoding)
        super().__init__(data, initial=initial)
        self.fields["category"].choices = [("", "Category…")] + [(c.pk, c.name) for c in categories]
        if statement.table is not None:
            columns = [(i, _column_label(statement.table, i)) for i in range(statement.table.width)]
            for name in self.COLUMN_FIELDS:
                first = ("", "Choose…") if name in self.REQUIRED_COLUMNS else NO_COLUMN
                self.fields[name].choices = [first, *columns]
        else:
            for name in (*self.COLUMN_FIELDS, "decimal", "sign"):
                del self.fields[name]
            if not statement.needs_date_format:
                del self.fields["date_format"]

    @staticmethod
    def _initial(detected: Choices, default_category) -> dict:
        initial = {
            "currency": detected.currency,
            "category": default_category,
            # An ambiguous order is not pre-chosen: the household picks it.
            "date_format": "" if detected.ambiguous_dates else detected.date_format,
        }
        mapping = detected.mapping
        if mapping is not None:
            initial.update({name: getattr(mapping, name) for name in Mapping.COLUMNS})
            initial["decimal"] = DECIMAL_COMMA if mapping.decimal_comma else DECIMAL_POINT
            initial["sign"] = NEGATIVE_IS_OUT if mapping.negative_is_out else "positive"
        return initial

    def clean_category(self):
        return self._categories.get(self.cleaned_data["category"])

    def clean_encoding(self):
        # The statement is read in the chosen encoding when the file reads in it (see
        # selectors.preview), else in the detected one: then this choice is refused.
        encoding = self.cleaned_data["encoding"] or encoding_choice(self.statement.encoding)
        if encoding != encoding_choice(self.statement.encoding):
            raise ValidationError(
                f"This file cannot be read as {encoding_label(encoding)}: choose another encoding.",
                code="encoding",
            )
        return encoding

    def clean(self):
        cleaned = super().clean()
        if self.statement.table is not None:
            chosen = {}
            for name in self.COLUMN_FIELDS:
                index = cleaned.get(name)
                if index is None:
                    continue
                if index in chosen:
                    self.add_error(name, f"That column is already the {chosen[index]}.")
                else:
                    chosen[index] = self.fields[name].label.lower().removesuffix(" column")
            split = cleaned.get("debit_column") is not None or cleaned.get("credit_column")
            if (
                "amount_column" not in self.errors
                and cleaned.get("amount_column") is None
                and not split
            ):
                self.add_error("amount_column", "Choose the amount column.")
        if (
            self.confirming
            and "date_format" in self.fields
            and not cleaned.get("date_format")
            and "date_format" not in self.errors
        ):
            self.add_error(
                "date_format",
                "Every date fits both day-first and month-first: choose how this file "
                "writes dates.",
            )
        if "category" in cleaned and cleaned["category"] is None:
            self.add_error("category", "Pick a category.")
        return cleaned

    def undetected_fields(self) -> list:
        """The choices the household has to look at: what detection did not find (a column,
        the date order, the currency of a file that does not say it) and any choice in error.
        The rest fold away (a phone shows the rows, not sixteen choices)."""
        return [field for field in self if self._needs_a_look(field.name)]

    def detected_fields(self) -> list:
        return [field for field in self if not self._needs_a_look(field.name)]

    def _needs_a_look(self, name: str) -> bool:
        if name in self.errors:
            return True
        detected, mapping = self.detected, self.detected.mapping
        if name == "date_format":
            return detected.ambiguous_dates or not detected.date_format
        if mapping is None:
            return False
        if name in self.REQUIRED_COLUMNS:
            return getattr(mapping, name) is None
        if name == "amount_column":
            return mapping.amount_column is None and mapping.debit_column is None
        if name == "currency":
            # Rows without a currency take this one: a guess unless the file states it (a
            # column, a header such as "Bedrag (EUR)") or it was remembered.
            stated = mapping.currency_column is not None or mapping.currency_stated
            return not stated and not detected.remembered
        return False

    @property
    def choices_open(self) -> bool:
        """The household opened the folded choices (kept through the preview's re-renders)."""
        return self.is_bound and self.data.get("show_choices") == "1"

    @property
    def needs_date_choice(self) -> bool:
        """The dates are ambiguous and the household has not chosen their order yet."""
        if "date_format" not in self.fields:
            return False
        chosen = self.cleaned_data.get("date_format") if self.is_bound else None
        return self.detected.ambiguous_dates and not chosen

    def choices(self) -> Choices:
        """The choices made (bound and valid) or detected (unbound)."""
        if not self.is_bound:
            return self.detected
        data = self.cleaned_data
        date_format = data.get("date_format") or self.detected.date_format
        mapping = None
        if self.statement.table is not None:
            mapping = Mapping(
                **{name: data.get(name) for name in Mapping.COLUMNS},
                date_format=date_format,
                decimal_comma=data["decimal"] == DECIMAL_COMMA,
                currency=data["currency"],
                negative_is_out=data["sign"] == NEGATIVE_IS_OUT,
            )
        return Choices(
            mapping=mapping,
            date_format=date_format,
            currency=data["currency"],
            ambiguous_dates=self.needs_date_choice,
        )

    def remembered_settings(self) -> dict:
        """What to remember for the payment method's next file: the mapping, and the encoding
        its file was read in (services.keep_upload reads the next one in it when it must guess)."""
        choices = self.choices()
        if choices.mapping is not None:
            settings = choices.mapping.by_name(self.statement.table.header)
        else:
            settings = {"date_format": choices.date_format, "currency": choices.currency}
        return {**settings, "encoding": self.statement.encoding}

    @property
    def date_format_label(self) -> str:
        key = self.choices().date_format if not self.errors else self.detected.date_format
        return DATE_FORMATS.get(key, ("", ""))[1]


def row_choices(data, proposals, *, categories: dict, planned: dict) -> tuple[dict, list[str]]:
    """line → (action, planned pk or None, category) as POSTed for the rows the preview showed
    (rows not shown keep their proposal), and the errors of values that are not offered: a
    planned expense of another cycle than the row's, an expense the row was not found to be."""
    chosen, errors = {}, []
    for proposal in proposals:
        line = proposal.row.line
        action_value = data.get(f"row-{line}-do")
        category_value = data.get(f"row-{line}-category")
        if action_value is None and category_value is None:
            continue
        action, pays = proposal.action, proposal.pays.pk if proposal.pays else None
        if action_value is not None:
            if action_value in (NEW, SKIP):
                action, pays = action_value, None
            elif action_value.startswith("pay-") and action_value[4:].isdigit():
                pk = int(action_value[4:])
                if pk not in planned or planned[pk].cycle_id != proposal.row.cycle_id:
                    errors.append(f"Line {line}: that planned expense is not in the row’s cycle.")
                    continue
                action, pays = PAY, pk
            elif action_value.startswith("there-") and action_value[6:].isdigit():
                already = proposal.already
                if already is None or already.pk != int(action_value[6:]):
                    errors.append(f"Line {line}: that expense is not one this row may be.")
                    continue
                action, pays = THERE, None
            else:
                errors.append(f"Line {line}: choose what happens to the row.")
                continue
        category = categories.get(proposal.category_id)
        if category_value:
            category = categories.get(int(category_value)) if category_value.isdigit() else None
            if category is None:
                errors.append(f"Line {line}: choose one of the household's categories.")
                continue
        chosen[line] = (action, pays, category)
    return chosen, errors


class ImportRuleForm(forms.ModelForm):
    class Meta:
        model = ImportRule
        fields = (
            "match",
            "pattern",
            "min_amount",
            "max_amount",
            "currency",
            "category",
            "payment_method",
            "description",
            "ignore",
            "position",
        )
        labels = {
            "match": "When the description",
            "pattern": "Text",
            "min_amount": "Amount from",
            "max_amount": "Amount up to",
            "currency": "Only in currency",
            "category": "Put it in category",
            "payment_method": "Set payment method",
            "description": "Rename it to",
            "ignore": "Leave the row out",
            "position": "Order",
        }
        help_texts = {
            "position": "Lower runs first; the first matching rule decides.",
            "description": "A clean name instead of the bank's text.",
        }

    # Typed in the household's number format and judged by the money rule, like every amount.
    min_amount = AmountField(required=False, label="Amount from")
    max_amount = AmountField(required=False, label="Amount up to")
    currency = forms.ChoiceField(
        choices=[("", "— any —"), *[(code, code) for code in CURRENCIES]],
        required=False,
        label="Only in currency",
    )

    def __init__(self, *args, categories, payment_methods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["payment_method"].queryset = payment_methods
        self.fields["pattern"].max_length = rules.MAX_PATTERN

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"].strip()
        if self.cleaned_data.get("match") == rules.REGEX:
            try:
                rules.check_pattern(pattern)
            except rules.UnsafePattern as error:
                raise ValidationError(str(error), code="unsafe") from error
        return pattern

    def clean(self):
        cleaned = super().clean()
        # The currency's decimals, by the same function the service calls.
        for name in ("min_amount", "max_amount"):
            check_amount(self, cleaned.get("currency"), name)
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}
