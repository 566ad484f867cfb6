"""Reads for a cycle's lifecycle: the review shown before completing it, and its history."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from cycles.models import Cycle, CycleEvent, IncomeLine
from expenses.models import Expense

from . import next_cycle
from .budgets import BudgetLine, cycle_budget

_PLANNED = Q(status=Expense.Status.PLANNED)


@dataclass(frozen=True)
class CompletionReview:
    """What is still open in a cycle about to be completed."""

    currency: str
    unpaid_count: int  # planned, not paid
    unpaid_total: Decimal  # their base amounts (those awaiting a rate are not in it)
    awaiting_rate: int
    income_not_received_count: int
    income_not_received: Decimal
    over_budget: list[BudgetLine]
    next_cycle: Cycle | None

    @property
    def can_move(self) -> bool:
        return self.next_cycle is not None and not self.next_cycle.is_completed

    @property
    def all_settled(self) -> bool:
        return not (
            self.unpaid_count
            or self.awaiting_rate
            or self.income_not_received_count
            or self.over_budget
        )


def completion_review(cycle: Cycle) -> CompletionReview:
    """Planned expenses unpaid, expenses awaiting a rate, income not received and categories
    over budget, each from one aggregate query."""
    sums = Expense.objects.filter(cycle_id=cycle.pk).aggregate(
        unpaid_count=Count("pk", filter=_PLANNED),
        unpaid_total=Coalesce(Sum("base_amount", filter=_PLANNED), Decimal(0)),
        awaiting_rate=Count(
            "pk", filter=Q(base_amount__isnull=True) & ~Q(status=Expense.Status.SKIPPED)
        ),
    )
    income = IncomeLine.objects.filter(cycle_id=cycle.pk, is_received=False).aggregate(
        count=Count("pk"), total=Coalesce(Sum("base_amount"), Decimal(0))
    )
    return CompletionReview(
        currency=cycle.household.base_currency,
        unpaid_count=sums["unpaid_count"],
        unpaid_total=sums["unpaid_total"],
        awaiting_rate=sums["awaiting_rate"],
        income_not_received_count=income["count"],
        income_not_received=income["total"],
        over_budget=cycle_budget(cycle).over_budget,
        next_cycle=next_cycle(cycle),
    )


def cycle_events(cycle: Cycle, *, limit: int = 10) -> list[CycleEvent]:
    return list(CycleEvent.objects.filter(cycle_id=cycle.pk).select_related("by")[:limit])


def last_completed_cycle_id(household_id: int) -> int | None:
    return (
        Cycle.objects.filter(household_id=household_id, status=Cycle.Status.COMPLETED)
        .order_by("-start_date")
        .values_list("pk", flat=True)
        .first()
    )
