"""Forms of shared money: a settle-up transfer, the household's default split."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from exchange.forms import LocalizedDecimalField

from .models import SplitKind
from .services import MAX_WEIGHT


class SettleForm(forms.Form):
    """One transfer of the settle-up plan, as its Settle up button sends it: who, how much,
    and the payer's balance the page showed (a moved balance is a 409)."""

    from_user = forms.IntegerField(min_value=1)
    to_user = forms.IntegerField(min_value=1)
    # Shown by the page in the household's format (the `amount` filter), read back the same way.
    amount = LocalizedDecimalField(noun="an amount", max_digits=15, decimal_places=3)
    balance = LocalizedDecimalField(noun="a balance", max_digits=24, decimal_places=3)
    cycle = forms.IntegerField(min_value=1, required=False)
    note = forms.CharField(max_length=200, required=False)
    # Where the person returns: the Balances page (swapped in place), the cycle, the dashboard.
    back = forms.ChoiceField(
        choices=[("balances", "balances"), ("cycle", "cycle"), ("dashboard", "dashboard")],
        required=False,
    )


class DefaultSplitForm(forms.Form):
    """The split an expense gets when none is chosen; `shares` as "member id: weight" pairs
    built from one whole-number input per member (2 and 1; the API takes any weights)."""

    kind = forms.ChoiceField(choices=SplitKind.choices)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for membership in self.members:
            self.fields[f"weight_{membership.user_id}"] = forms.IntegerField(
                label=f"{membership.user.display_name}'s share",
                min_value=0,
                max_value=int(MAX_WEIGHT),
                required=False,
            )

    def weights(self) -> dict[int, Decimal]:
        return {
            membership.user_id: Decimal(self.cleaned_data[f"weight_{membership.user_id}"])
            for membership in self.members
            if self.cleaned_data.get(f"weight_{membership.user_id}")
        }
