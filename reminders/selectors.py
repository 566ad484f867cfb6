"""Reads for reminders: what is due soon in a household, and who wants to hear about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import QuerySet

from accounts.models import Household, Membership
from budget.selectors.budgets import BudgetLine, cycle_budget
from cycles.models import Cycle
from expenses.models import Expense

from .models import ReminderPreference


@dataclass
class Digest:
    """What one reminder email says."""

    household: Household
    today: date
    until: date
    expenses_due: list[Expense] = field(default_factory=list)
    cycles_ending: list[Cycle] = field(default_factory=list)
    # (cycle, its categories over budget) for each open cycle whose dates include today.
    over_budget: list[tuple[Cycle, list[BudgetLine]]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.expenses_due and not self.cycles_ending and not self.over_budget

    @property
    def over_budget_count(self) -> int:
        return sum(len(lines) for _, lines in self.over_budget)


def preference_for(user) -> ReminderPreference:
    """The user's saved preference, or the default (off, three days) when none is saved."""
    return ReminderPreference.objects.filter(user=user).first() or ReminderPreference(user=user)


def opted_in_memberships() -> QuerySet[Membership]:
    """Every active person who turned reminders on, with their household and preference."""
    return (
        Membership.objects.filter(user__is_active=True, user__reminder_preference__enabled=True)
        .select_related("user", "household", "user__reminder_preference")
        .order_by("household_id", "user_id")
    )


def household_digest(household: Household, *, today: date, days_ahead: int) -> Digest:
    """Planned expenses dated from today to `days_ahead` days on, in cycles not completed, the
    household's cycles that end in that window, and the categories over budget in the cycles
    running today."""
    until = today + timedelta(days=days_ahead)
    expenses = list(
        Expense.objects.filter(
            cycle__household=household,
            status=Expense.Status.PLANNED,
            date__gte=today,
            date__lte=until,
        )
        .exclude(cycle__status=Cycle.Status.COMPLETED)
        .select_related("cycle", "category")
        .order_by("date", "id")[:100]
    )
    cycles = list(
        Cycle.objects.filter(household=household, end_date__gte=today, end_date__lte=until)
        .exclude(status=Cycle.Status.COMPLETED)
        .order_by("end_date")
    )
    return Digest(
        household=household,
        today=today,
        until=until,
        expenses_due=expenses,
        cycles_ending=cycles,
        over_budget=_over_budget(household, today=today),
    )


def _over_budget(household: Household, *, today: date) -> list[tuple[Cycle, list[BudgetLine]]]:
    """The categories over budget in the cycles running today (not completed: a completed
    cycle's overspending is history, and rolls over on its own where the household asked)."""
    running = (
        Cycle.objects.filter(household=household, start_date__lte=today, end_date__gte=today)
        .exclude(status=Cycle.Status.COMPLETED)
        .select_related("household")
        .order_by("start_date")
    )
    found = []
    for cycle in running:
        over = cycle_budget(cycle).over_budget
        if over:
            found.append((cycle, over))
    return found
