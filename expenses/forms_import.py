"""Importing a bank statement: the upload (a readable CSV with at least one expense row for the
cycle) and the column mapping the preview lets the user change."""

from __future__ import annotations

from django import forms

from exchange.currencies import CURRENCIES

from . import importing
from .importing import Mapping, Table


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Bank statement (CSV)",
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
        error_messages={"required": "Choose a CSV file to upload.", "empty": importing.EMPTY},
        help_text="Up to 10 MB, saved as UTF-8 (“CSV UTF-8” in spreadsheets).",
    )

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.text = ""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refuse a large file by its size, before reading any of it.
        if upload.size > importing.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(importing.TOO_LARGE, code="too_large")
        try:
            text = importing.decode_text(upload.read())
            table = importing.read_table(text)
        except importing.UnreadableFile as error:
            raise forms.ValidationError(str(error), code="unreadable") from error
        mapping = importing.detect_mapping(table, base_currency=self.cycle.household.base_currency)
        rows = importing.read_rows(
            table, mapping, start=self.cycle.start_date, end=self.cycle.end_date
        )
        problem = importing.nothing_to_import_message(rows)
        if problem:
            raise forms.ValidationError(problem, code="nothing_to_import")
        self.text = text
        return upload


NO_COLUMN = ("", "— none —")


def _column_label(table: Table, index: int) -> str:
    sample = next(iter(table.column(index)), "")
    if len(sample) > 24:
        sample = f"{sample[:23]}…"
    return f"{table.header[index]} (e.g. {sample})" if sample else table.header[index]


class ImportMappingForm(forms.Form):
    """Which column holds what; unbound, it shows what detection found."""

    date_column = forms.TypedChoiceField(coerce=int, label="Date column")
    date_format = forms.ChoiceField(choices=importing.DATE_FORMAT_CHOICES, label="Dates look like")
    description_column = forms.TypedChoiceField(coerce=int, label="Description column")
    amount_column = forms.TypedChoiceField(coerce=int, label="Amount column")
    decimal = forms.ChoiceField(choices=importing.DECIMAL_CHOICES, label="Amounts look like")
    direction_column = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Money in/out column",
        help_text="Such as “Af Bij” or “Debit/Credit”.",
    )
    sign = forms.ChoiceField(
        choices=importing.SIGN_CHOICES,
        label="Without that column",
        help_text="Money in (payments, refunds, income) is left out.",
    )
    currency_column = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Currency column"
    )
    currency = forms.ChoiceField(
        choices=[(code, code) for code in CURRENCIES],
        label="Currency",
        help_text="For rows without a currency column.",
    )
    category = forms.TypedChoiceField(
        coerce=int,
        label="Category for the imported expenses",
        error_messages={"required": "Pick a category."},
    )

    COLUMN_FIELDS = ("date_column", "description_column", "amount_column")

    def __init__(self, data=None, *, table: Table, cycle, categories, require_importable=False):
        self.table = table
        self.cycle = cycle
        self.detected = importing.detect_mapping(table, base_currency=cycle.household.base_currency)
        self.require_importable = require_importable
        self._categories = {category.pk: category for category in categories}
        default_category = next(
            (c.pk for c in categories if c.name.lower() == "other"),
            next(iter(self._categories), None),
        )
        initial = {**self._initial(self.detected), "category": default_category}
        super().__init__(data, initial=initial)
        columns = [(index, _column_label(table, index)) for index in range(table.width)]
        for name in self.COLUMN_FIELDS:
            self.fields[name].choices = [("", "Choose…"), *columns]
        for name in ("direction_column", "currency_column"):
            self.fields[name].choices = [NO_COLUMN, *columns]
        self.fields["category"].choices = [("", "Category…")] + [(c.pk, c.name) for c in categories]

    @staticmethod
    def _initial(mapping: Mapping) -> dict:
        return {
            "date_column": mapping.date_column,
            "date_format": mapping.date_format,
            "description_column": mapping.description_column,
            "amount_column": mapping.amount_column,
            "decimal": (
                importing.DECIMAL_COMMA if mapping.decimal_comma else importing.DECIMAL_POINT
            ),
            "direction_column": mapping.direction_column,
            "sign": importing.NEGATIVE_IS_OUT
            if mapping.negative_is_out
            else importing.POSITIVE_IS_OUT,
            "currency_column": mapping.currency_column,
            "currency": mapping.currency,
        }

    def clean_category(self):
        return self._categories[self.cleaned_data["category"]]

    def clean(self):
        cleaned = super().clean()
        chosen = {}
        for name in (*self.COLUMN_FIELDS, "direction_column", "currency_column"):
            index = cleaned.get(name)
            if index is None:
                continue
            if index in chosen:
                self.add_error(name, f"That column is already the {chosen[index]}.")
            else:
                chosen[index] = self.fields[name].label.lower().removesuffix(" column")
        if self.require_importable and not self.errors:
            problem = importing.nothing_to_import_message(self.rows())
            if problem:
                raise forms.ValidationError(problem, code="nothing_to_import")
        return cleaned

    def mapping(self) -> Mapping:
        """The mapping chosen (bound and valid) or detected (unbound)."""
        if not self.is_bound:
            return self.detected
        data = self.cleaned_data
        return Mapping(
            date_column=data["date_column"],
            date_format=data["date_format"],
            description_column=data["description_column"],
            amount_column=data["amount_column"],
            decimal_comma=data["decimal"] == importing.DECIMAL_COMMA,
            currency=data["currency"],
            currency_column=data["currency_column"],
            direction_column=data["direction_column"],
            negative_is_out=data["sign"] == importing.NEGATIVE_IS_OUT,
        )

    def rows(self) -> list[importing.ImportRow]:
        return importing.read_rows(
            self.table, self.mapping(), start=self.cycle.start_date, end=self.cycle.end_date
        )

    @property
    def ambiguous_dates(self) -> bool:
        """Detection had to guess DD/MM or MM/DD, and the user kept its guess."""
        chosen = self.cleaned_data.get("date_format") if self.is_bound else None
        return self.detected.ambiguous_dates and chosen in (None, self.detected.date_format)
