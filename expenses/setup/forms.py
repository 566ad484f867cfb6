"""Forms for the household set-up pages: payment methods and categories."""

from __future__ import annotations

from django import forms

from accounts.models import Household
from colony.names import NameField

from ..models import SHARED_LABEL, Category, PaymentMethod
from .selectors import household_member_users


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class PaymentMethodForm(forms.Form):
    name = NameField(max_length=PaymentMethod._meta.get_field("name").max_length)
    kind = forms.ChoiceField(choices=PaymentMethod.Kind.choices, initial=PaymentMethod.Kind.CARD)
    # No owner: shared by the household (a joint account, the cash in the kitchen drawer).
    owner = MemberChoiceField(
        queryset=None,
        required=False,
        empty_label=SHARED_LABEL,
        label="Belongs to",
        help_text="The member whose card or account it is, or the household's own.",
    )
    last4 = forms.RegexField(
        regex=r"^\d{4}$",
        required=False,
        label="Last 4 digits",
        error_messages={"invalid": "Enter exactly four digits."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = household_member_users(household)

    @classmethod
    def initial_for(cls, payment_method: PaymentMethod) -> dict:
        return {
            "name": payment_method.name,
            "kind": payment_method.kind,
            "owner": payment_method.owner_id,
            "last4": payment_method.last4,
        }


class CategoryForm(forms.Form):
    name = NameField(max_length=Category._meta.get_field("name").max_length)
