"""Reads for category budgets: a cycle's budget lines (budget, planned, paid, rollover,
available) from two flat grouped queries, and the usual amount of each category."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from cycles.models import CategoryBudget, Cycle
from exchange.money import total_field
from expenses.models import COUNTED, Category, Expense, ExpenseTotal
from expenses.selectors import TotalSums, sum_totals_by

from . import CycleTotals, cycle_totals

_MONEY = total_field()
_ZERO = Value(Decimal(0), output_field=_MONEY)
# How many earlier cycles decide a category's usual amount.
USUAL_OVER_CYCLES = 6


@dataclass(frozen=True)
class BudgetLine:
    """One category in one cycle, in the household's base currency."""

    category_id: int
    name: str
    is_archived: bool
    rolls_over: bool
    budget: Decimal | None  # None: the category has no budget in this cycle
    rollover: Decimal  # carried in from the completed cycles before (0 unless it rolls over)
    planned: Decimal  # every expense that counts, paid or not
    paid: Decimal

    @property
    def committed(self) -> Decimal:
        """What counts against the budget: every expense of the cycle that is not skipped, paid
        (spent) or still planned."""
        return self.planned

    @property
    def has_budget(self) -> bool:
        return self.budget is not None

    @property
    def allowed(self) -> Decimal:
        """What the category may spend in the cycle: its budget plus what rolled over."""
        return (self.budget or Decimal(0)) + self.rollover

    @property
    def over_by(self) -> Decimal:
        """How far spending went past what was allowed (0 when it did not)."""
        return max(-self.available, Decimal(0))

    @property
    def available(self) -> Decimal:
        """Budget + rollover - paid and planned: below zero, the category is over budget."""
        return (self.budget or Decimal(0)) + self.rollover - self.committed

    @property
    def is_over(self) -> bool:
        """Planned and paid together exceed budget + rollover; a category without a budget is
        never "over" (its spending is reported as unbudgeted instead)."""
        return self.has_budget and self.available < 0

    @property
    def is_unbudgeted_spending(self) -> bool:
        return self.budget is None and self.committed > 0

    def _share(self, amount: Decimal) -> int | None:
        if not self.has_budget:
            return None  # nothing to be a share of: no bar, no 100 %
        allowed = self.allowed
        if allowed <= 0:
            return 100 if amount > 0 else 0
        return int((amount * 100 / allowed).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))

    @property
    def paid_percent(self) -> int | None:
        """Paid as a share of budget + rollover, the "spent of budget" bar (None: no budget)."""
        return self._share(self.paid)

    @property
    def planned_percent(self) -> int | None:
        """Paid and still planned together as a share of budget + rollover, shown beside the
        paid share (None: no budget)."""
        return self._share(self.planned)


@dataclass(frozen=True)
class CycleBudget:
    """A cycle's budget view: its lines and the header numbers."""

    currency: str
    income: Decimal
    lines: list[BudgetLine]
    totals: CycleTotals | None = None  # the cycle's totals, from the same kept sums

    @property
    def shown(self) -> list[BudgetLine]:
        """Lines worth a row: a budget, spending or a rollover."""
        return [line for line in self.lines if line.has_budget or line.committed or line.rollover]

    @property
    def budgeted(self) -> Decimal:
        return sum((line.budget for line in self.lines if line.has_budget), Decimal(0))

    @property
    def unassigned(self) -> Decimal:
        """Income not yet given to a category (below zero: budgets exceed the income)."""
        return self.income - self.budgeted

    @property
    def overassigned(self) -> Decimal:
        """How far the budgets exceed the income (0 when they do not)."""
        return max(-self.unassigned, Decimal(0))

    @property
    def has_rollover(self) -> bool:
        return any(line.rolls_over for line in self.lines)

    @property
    def unbudgeted_spending(self) -> Decimal:
        return sum((line.committed for line in self.lines if not line.has_budget), Decimal(0))

    @property
    def over_budget(self) -> list[BudgetLine]:
        return [line for line in self.lines if line.has_budget and line.is_over]

    @property
    def has_budgets(self) -> bool:
        return any(line.has_budget for line in self.lines)

    @property
    def form_lines(self) -> list[BudgetLine]:
        """Lines the budget form offers: every active category, and archived ones that already
        have a budget here (they keep it, and it can be cleared)."""
        return [line for line in self.lines if not line.is_archived or line.has_budget]


def rollover_cycles(cycle: Cycle) -> QuerySet[Cycle]:
    """The completed cycles whose leftovers carry into `cycle`: the unbroken run of completed
    cycles right before it (none when the one right before is not completed)."""
    return _rollover_run(household_id=cycle.household_id, start_date=cycle.start_date)


def _rollover_run(*, household_id, start_date) -> QuerySet[Cycle]:
    earlier = Cycle.objects.filter(household_id=household_id, start_date__lt=start_date)
    last_open_start = Subquery(
        earlier.exclude(status=Cycle.Status.COMPLETED)
        .order_by("-start_date")
        .values("start_date")[:1]
    )
    return earlier.filter(status=Cycle.Status.COMPLETED).filter(
        start_date__gt=Coalesce(last_open_start, Value(date.min))
    )


def cycle_budget(cycle: Cycle, *, income: Decimal | None = None) -> CycleBudget:
    """Every category of the household with its budget, planned and paid in `cycle` and what
    rolls over into it, and the cycle's totals (`.totals`), from two flat GROUP BY queries:
    the categories with their budgets here and in the rollover run, and the trigger totals
    (a few rows per cycle and category, whatever the cycle's size) of the cycle and that run,
    summed per category and in Python."""
    here = Q(cycle_id=cycle.pk)
    run = rollover_cycles(cycle).values("pk")
    # A category's budgets of every cycle are a few rows per cycle; the sums pick this cycle's
    # and the run's.
    categories = (
        Category.objects.filter(household_id=cycle.household_id)
        .values("pk", "name", "is_archived", "rolls_over")
        .annotate(
            budget=Sum("budgets__amount", filter=Q(budgets__cycle_id=cycle.pk)),
            budget_before=Sum("budgets__amount", filter=Q(budgets__cycle_id__in=run)),
        )
        .order_by("is_archived", "name")
    )
    spending = sum_totals_by(
        ExpenseTotal.objects.filter(here | Q(cycle_id__in=run)),
        "category_id",
        in_cycle=ExpressionWrapper(here, output_field=BooleanField()),
    )
    nothing = TotalSums()
    lines = []
    for row in categories:
        spent = spending.get((row["pk"], True), nothing)
        rollover = Decimal(0)
        if row["rolls_over"]:
            # What the run before was given and did not spend (below zero: overspent).
            spent_before = spending.get((row["pk"], False), nothing).planned
            rollover = (row["budget_before"] or Decimal(0)) - spent_before
        lines.append(
            BudgetLine(
                category_id=row["pk"],
                name=row["name"],
                is_archived=row["is_archived"],
                rolls_over=row["rolls_over"],
                budget=row["budget"],
                rollover=rollover,
                planned=spent.planned,
                paid=spent.paid,
            )
        )
    in_cycle = sum((sums for (_, here_), sums in spending.items() if here_), nothing)
    return CycleBudget(
        currency=cycle.household.base_currency,
        income=cycle.income if income is None else income,
        lines=lines,
        totals=cycle_totals(cycle, sums=in_cycle),
    )


def usual_budgets(cycle: Cycle) -> dict[int, Decimal]:
    """Each active category's usual budget: the amount it was given most often in the last six
    cycles before `cycle` (the latest of equally frequent amounts)."""
    recent = (
        Cycle.objects.filter(household_id=cycle.household_id, start_date__lt=cycle.start_date)
        .order_by("-start_date")
        .values("pk")[:USUAL_OVER_CYCLES]
    )
    rows = (
        CategoryBudget.objects.filter(cycle_id__in=recent, category__is_archived=False)
        .order_by("-cycle__start_date")
        .values_list("category_id", "amount")
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    for category_id, amount in rows:  # newest first: most_common keeps the first seen on ties
        counts[category_id][amount] += 1
    return {category_id: amounts.most_common(1)[0][0] for category_id, amounts in counts.items()}


# -- budget vs actual, for reports --------------------------------------------------------------


@dataclass(frozen=True)
class BudgetActual:
    """A category's budget and what was paid and is still planned against it (base currency)."""

    label: str
    budget: Decimal | None  # None: no budget (in any of the cycles summed)
    paid: Decimal  # spent: paid expenses
    planned: Decimal  # expenses that count but are not paid yet

    @property
    def has_budget(self) -> bool:
        return self.budget is not None

    @property
    def actual(self) -> Decimal:
        """What was spent: paid money only."""
        return self.paid

    @property
    def committed(self) -> Decimal:
        return self.paid + self.planned

    @property
    def difference(self) -> Decimal | None:
        """Budget minus paid and planned (below zero: the plan overspends it); None without a
        budget, which has nothing left or overspent."""
        return None if self.budget is None else self.budget - self.committed

    @property
    def is_over(self) -> bool:
        return self.budget is not None and self.committed > self.budget


@dataclass(frozen=True)
class CycleBudgetSummary:
    cycle: Cycle
    budgeted: Decimal
    paid: Decimal  # spent
    committed: Decimal  # paid and still planned
    income: Decimal  # expected
    income_received: Decimal

    @property
    def planned(self) -> Decimal:
        """Counted but not paid yet."""
        return self.committed - self.paid

    @property
    def difference(self) -> Decimal:
        """Budgeted minus paid and planned."""
        return self.budgeted - self.committed

    @property
    def income_outstanding(self) -> Decimal:
        return self.income - self.income_received


@dataclass(frozen=True)
class BudgetReport:
    currency: str
    cycles: list[CycleBudgetSummary]  # oldest first
    categories: list[BudgetActual]

    @property
    def budgeted(self) -> Decimal:
        return sum((row.budgeted for row in self.cycles), Decimal(0))

    @property
    def paid(self) -> Decimal:
        return sum((row.paid for row in self.cycles), Decimal(0))

    @property
    def planned(self) -> Decimal:
        return sum((row.planned for row in self.cycles), Decimal(0))

    @property
    def income(self) -> Decimal:
        return sum((row.income for row in self.cycles), Decimal(0))

    @property
    def income_received(self) -> Decimal:
        return sum((row.income_received for row in self.cycles), Decimal(0))


def budget_vs_actual(cycle_ids: list[int]) -> list[BudgetActual]:
    """Per category, the budgets of these cycles summed against what they spent (every
    category with a budget or spending), in two grouped queries."""
    budgets = (
        CategoryBudget.objects.filter(cycle_id__in=cycle_ids)
        .values_list("category__name")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    spent = sum_totals_by(
        ExpenseTotal.objects.filter(cycle_id__in=cycle_ids).filter(COUNTED), "category__name"
    )
    by_budget = dict(budgets)
    nothing = TotalSums()
    rows = [
        BudgetActual(
            label=name,
            budget=by_budget.get(name),
            paid=spent.get((name,), nothing).paid,
            planned=spent.get((name,), nothing).remaining,
        )
        for name in set(by_budget) | {name for (name,) in spent}
    ]
    return sorted(rows, key=_biggest_first)


def _biggest_first(row: BudgetActual) -> tuple:
    return (-max(row.budget or Decimal(0), row.committed), row.label)


def cycle_budget_vs_actual(cycle: Cycle) -> list[BudgetActual]:
    """One cycle's categories with a budget or spending: budget (None when none) against paid
    and still planned."""
    return [
        BudgetActual(
            label=line.name, budget=line.budget, paid=line.paid, planned=line.planned - line.paid
        )
        for line in cycle_budget(cycle).shown
    ]


def budget_report(household, *, limit: int | None) -> BudgetReport:
    """Budget vs actual per category and per cycle, and income expected vs received per cycle,
    for the household's last `limit` cycles (all with None) — three queries."""
    cycles = (
        Cycle.objects.filter(household=household)
        .annotate(
            budgeted=_sum_cycle_subquery(CategoryBudget.objects.all(), "amount"),
            committed=_sum_cycle_subquery(ExpenseTotal.objects.filter(COUNTED), "base_total"),
            paid=_sum_cycle_subquery(
                ExpenseTotal.objects.filter(status=Expense.Status.PAID), "base_total"
            ),
        )
        .order_by("-start_date", "-id")
    )
    rows = list(cycles if limit is None else cycles[:limit])
    rows.reverse()
    return BudgetReport(
        currency=household.base_currency,
        cycles=[
            CycleBudgetSummary(
                cycle=row,
                budgeted=row.budgeted,
                paid=row.paid,
                committed=row.committed,
                income=row.income,
                income_received=row.income_received,
            )
            for row in rows
        ],
        categories=budget_vs_actual([row.pk for row in rows]),
    )


def _sum_cycle_subquery(queryset: QuerySet, expression: str) -> Coalesce:
    summed = (
        queryset.filter(cycle_id=OuterRef("pk"))
        .order_by()
        .values("cycle_id")
        .annotate(total=Sum(expression))
        .values("total")
    )
    return Coalesce(Subquery(summed, output_field=_MONEY), _ZERO)
