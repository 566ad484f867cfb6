"""Money in forms: the amount field parses what was typed; the money rule judges it.

Forms call the same `exchange.money` functions as the services, so a form can only refuse
earlier (next to its field), never differently.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from colony.errors import DomainError
from formats.currencies import CURRENCIES, CURRENCY_CHOICES, is_known_currency
from formats.numbers import AmountFormatError, example, format_number, parse_number

from .money import validate_amount

# The currency codes alone, for selects in a table row where the names do not fit.
CURRENCY_CODE_CHOICES = tuple((code, code) for code, _name in CURRENCY_CHOICES)


class CurrencyField(forms.ChoiceField):
    """A choice among the known currencies (codes with names, or `codes_only`).

    Django deep-copies a ChoiceField's choices into every form it builds; these ~50 are the
    same for every form and never changed in place, so each form's field shares them (a form
    that offers others assigns new choices, as with any field)."""

    def __init__(self, *, codes_only: bool = False, **kwargs):
        choices = CURRENCY_CODE_CHOICES if codes_only else tuple(CURRENCY_CHOICES)
        super().__init__(choices=choices, **kwargs)

    def __deepcopy__(self, memo):
        # forms.Field's copy (widget, error messages, validators), not ChoiceField's.
        return forms.Field.__deepcopy__(self, memo)


class LocalizedNumberInput(forms.TextInput):
    """A text input for a number whose placeholder shows the household's format (`1.234,56` in
    de_DE, `1,234.56` in en_US) with `places` decimals. The format is the request's (set by the
    formats middleware), so the placeholder is written when the input is rendered, not when
    the form class is defined; a placeholder given in `attrs` wins."""

    def __init__(self, attrs=None, *, places: int = 2):
        attrs = {"inputmode": "decimal", "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs)
        self.places = places

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", example(self.places))
        return context


class LocalizedDecimalField(forms.DecimalField):
    """A number typed in the household's format (`1.234,50` in de_DE, `1,234.50` in en_US): the
    one place where text typed into a form becomes a Decimal (formats.numbers, Babel). Exponents,
    NaN and ambiguous marks are refused with the expected form; a Decimal is shown back in the
    same format, so what a form pre-fills it also reads. Its input's placeholder shows the
    format with `example_places` decimals (`for_currency` sets the currency's)."""

    noun = "a number"

    def __init__(self, *, noun: str | None = None, example_places: int = 2, **kwargs):
        if noun:
            self.noun = noun
        kwargs.setdefault("widget", LocalizedNumberInput)
        super().__init__(**kwargs)
        self.example_places = example_places

    @property
    def example_places(self) -> int:
        return self._example_places

    @example_places.setter
    def example_places(self, places: int) -> None:
        # The error message and the placeholder show the same form.
        self._example_places = places
        if isinstance(self.widget, LocalizedNumberInput):
            self.widget.places = places

    def for_currency(self, code: str | None) -> LocalizedDecimalField:
        """Show the format with the decimals of `code` (nothing changes for an unknown one)."""
        currency = CURRENCIES.get((code or "").upper())
        if currency is not None:
            self.example_places = currency.minor_units
        return self

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_number(str(value), places=self.example_places)
        except AmountFormatError as error:
            raise forms.ValidationError(
                f"Enter {self.noun} like {error.example}.", code="invalid"
            ) from None

    def prepare_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            return format_number(value, max(0, -value.as_tuple().exponent))
        return value


class AmountField(LocalizedDecimalField):
    """An amount as typed: a Decimal, or a field error; its range is the money rule's, its
    decimals are checked against the currency by `check_amount` in the form's clean()."""

    noun = "an amount"

    def __init__(self, **kwargs):
        error_messages = {"required": "Enter an amount."}
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
