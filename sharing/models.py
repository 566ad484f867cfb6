"""Shared money between members: who an expense was for (its split and the shares computed
from it), the household's default split, and settlements (transfers between members)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from exchange.money import amount_field, total_field


class SplitKind(models.TextChoices):
    EQUAL = "equal", "Equally"
    SHARES = "shares", "By shares"
    INCOME = "income", "By income"
    # The payer's alone: counted in the household's spending, never in a balance.
    PERSONAL = "personal", "Personal"


class HouseholdSplit(models.Model):
    """The split an expense gets when none is chosen (an owner sets it); without one, equal
    between all current members."""

    household = models.OneToOneField(
        "accounts.Household", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=SplitKind.choices, default=SplitKind.EQUAL)
    # {"<user_id>": "<weight>"} for shares.
    weights = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.household_id}: {self.kind}"


class ExpenseSplit(models.Model):
    """Who an expense was for, as it was decided: the members (equal) or weights (shares,
    income) resolved when the shares were computed, so later changes of members or incomes
    never rewrite history."""

    HOUSEHOLD_FIELD = "expense__cycle__household"

    expense = models.OneToOneField(
        "expenses.Expense", on_delete=models.CASCADE, primary_key=True, related_name="split"
    )
    kind = models.CharField(max_length=10, choices=SplitKind.choices, default=SplitKind.EQUAL)
    # What was chosen: the subset of members for equal ([] = all current members).
    chosen_members = models.JSONField(default=list, blank=True)
    # The weights the shares were computed from, {"<user_id>": "<weight>"}: 1 each for equal,
    # the weights chosen for shares, each member's income received in the cycle for income.
    weights = models.JSONField(default=dict, blank=True)
    # An income split with nobody's income known fell back to equal (the page says so).
    fell_back_to_equal = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"expense {self.expense_id}: {self.kind}"


class ExpenseShare(models.Model):
    """One member's part of a shared expense in the household's base currency: what they paid
    (the payer's row carries the base amount) and their share (largest remainder, so the shares
    add up exactly to the base amount). The expense's status is read with it: a skipped
    expense counts nothing, a planned one only in the planned balance."""

    household = models.ForeignKey("accounts.Household", on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    expense = models.ForeignKey("expenses.Expense", on_delete=models.CASCADE, related_name="shares")
    # SET_NULL: a deleted account's rows stay (as "a former member"), so balances still add up.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    paid = total_field(default=0)
    share = total_field(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["household", "user"], name="sharing_share_household_user"),
            models.Index(fields=["cycle", "user"], name="sharing_share_cycle_user"),
        ]

    def __str__(self) -> str:
        return f"expense {self.expense_id}, user {self.user_id}: {self.paid} / {self.share}"


class Settlement(models.Model):
    """Money one member gave another to settle what they owed: it changes balances, never
    spending or budgets."""

    household = models.ForeignKey(
        "accounts.Household", on_delete=models.CASCADE, related_name="settlements"
    )
    # The cycle whose balances it settled (its date within it), if any.
    cycle = models.ForeignKey(
        "cycles.Cycle", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    amount = amount_field()
    currency = models.CharField(max_length=3)
    date = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    # The payer's balance this settlement was recorded against (stale -> 409 when another
    # settlement or expense moved it first).
    settled_balance = total_field(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["household", "date"], name="sharing_settlement_hh_date")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="sharing_settlement_positive"),
            models.CheckConstraint(
                condition=~Q(from_user=F("to_user")), name="sharing_settlement_not_to_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_user_id} → {self.to_user_id}: {self.amount} {self.currency}"
