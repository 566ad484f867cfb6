"""Reads for cycles: totals in one aggregate query, the list with per-cycle totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Household
from expenses.models import Expense

from .models import DEFAULT_CYCLE_DAYS, Cycle
from .services import default_cycle_name

_MONEY = DecimalField(max_digits=14, decimal_places=3)
_ZERO = Value(Decimal(0), output_field=_MONEY)
_PAID = Q(status=Expense.Status.PAID)


@dataclass(frozen=True)
class CycleTotals:
    """A cycle's money in the household's base currency; expenses awaiting a rate are counted
    apart, never in the sums."""

    currency: str
    income: Decimal
    planned: Decimal  # every expense of the cycle, paid or not
    paid: Decimal
    remaining: Decimal  # planned but not paid yet
    balance: Decimal  # income minus every expense
    awaiting_rate: int
    expense_count: int

    @property
    def spent_percent(self) -> int:
        """Paid as a share of income, for the progress bar (100 when there is no income)."""
        if self.income <= 0:
            return 100 if self.paid > 0 else 0
        share = self.paid * 100 / self.income
        return int(share.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))

    @property
    def overspent(self) -> bool:
        return self.paid > self.income


def cycle_totals(cycle: Cycle) -> CycleTotals:
    """Planned, paid, remaining and balance of a cycle, from one aggregate query."""
    sums = Expense.objects.filter(cycle_id=cycle.pk).aggregate(
        planned=Coalesce(Sum("base_amount"), _ZERO),
        paid=Coalesce(Sum("base_amount", filter=_PAID), _ZERO),
        remaining=Coalesce(Sum("base_amount", filter=~_PAID), _ZERO),
        awaiting_rate=Count("pk", filter=Q(base_amount__isnull=True)),
        expense_count=Count("pk"),
    )
    return CycleTotals(
        currency=cycle.household.base_currency,
        income=cycle.income,
        planned=sums["planned"],
        paid=sums["paid"],
        remaining=sums["remaining"],
        balance=cycle.income - sums["planned"],
        awaiting_rate=sums["awaiting_rate"],
        expense_count=sums["expense_count"],
    )


def with_totals(cycles: QuerySet[Cycle]) -> QuerySet[Cycle]:
    """Annotate each cycle with planned, paid, balance and the count awaiting a rate."""
    return cycles.annotate(
        planned_total=Coalesce(Sum("expenses__base_amount"), _ZERO),
        paid_total=Coalesce(
            Sum("expenses__base_amount", filter=Q(expenses__status=Expense.Status.PAID)), _ZERO
        ),
        awaiting_rate_count=Count("expenses", filter=Q(expenses__base_amount__isnull=True)),
    ).annotate(balance=F("income") - F("planned_total"))


def cycles_with_totals(household: Household) -> QuerySet[Cycle]:
    """The household's cycles, newest first, with their totals from one aggregated query."""
    return with_totals(Cycle.objects.filter(household=household)).order_by("-start_date")


def active_cycle(household: Household) -> Cycle | None:
    return (
        Cycle.objects.filter(household=household, status=Cycle.Status.ACTIVE)
        .select_related("household")
        .first()
    )


@dataclass(frozen=True)
class NewCycleDefaults:
    name: str
    start_date: date
    end_date: date


def new_cycle_defaults(household: Household, *, today: date) -> NewCycleDefaults:
    """A new cycle starts the day after the latest one ends (or today) and lasts 42 days."""
    latest_end = (
        Cycle.objects.filter(household=household)
        .order_by("-end_date")
        .values_list("end_date", flat=True)
        .first()
    )
    start = latest_end + timedelta(days=1) if latest_end else today
    end = start + timedelta(days=DEFAULT_CYCLE_DAYS)
    return NewCycleDefaults(name=default_cycle_name(start, end), start_date=start, end_date=end)
