"""Money in forms: the amount field parses what was typed; the money rule judges it.

Forms call the same `exchange.money` functions as the services, so a form can only refuse
earlier (next to its field), never differently.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from colony.errors import DomainError

from .currencies import is_known_currency
from .money import validate_amount


class AmountField(forms.DecimalField):
    """An amount as typed ("12.50"): a Decimal, or a field error; its range is the money rule's,
    its decimals are checked against the currency by `check_amount` in the form's clean()."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        error_messages = {"invalid": "Enter an amount like 12.50.", "required": "Enter an amount."}
        error_messages.update(kwargs.pop("error_messages", {}))
        super().__init__(error_messages=error_messages, **kwargs)

    def validate(self, value):
        super().validate(value)  # NaN and ±Infinity are already "invalid" here.
        if value is not None:
            _refuse(validate_amount, value, None)


def _refuse(rule, *args) -> None:
    try:
        rule(*args)
    except DomainError as error:
        raise forms.ValidationError(error.message, code=error.code) from error


def check_amount(form: forms.Form, currency: str | None, field: str = "amount") -> None:
    """The money rule for the form's cleaned amount in `currency`: a refusal becomes that
    field's error. Nothing to check while the amount (or a known currency) is missing."""
    amount: Decimal | None = form.cleaned_data.get(field)
    if amount is None or not is_known_currency(currency):
        return
    try:
        validate_amount(amount, currency)
    except DomainError as error:
        form.add_error(field, error.message)
