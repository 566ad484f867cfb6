"""Reads for cycles: totals in one aggregate query, the list with per-cycle totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import Household, Invite, Membership
from cycles.models import Cycle, cycle_end
from cycles.selectors import next_cycle_start
from exchange.money import total_field
from expenses.models import COUNTED, Expense, ExpenseTotal, PaymentMethod
from expenses.selectors import TotalSums, sum_totals
from formats.currencies import quantum_for
from formats.dates import format_range
from templates_app.models import ExpenseTemplate


def default_cycle_name(household: Household, start_date: date, end_date: date) -> str:
    """A name from the dates in the household's date format (formats.dates.format_range, e.g.
    "Jan 1, 2026 - Feb 12, 2026" with an en dash): the cycle page shows its name beside its
    dates, one format on the page."""
    return format_range(start_date, end_date, household.format_locale)


def next_cycle(cycle: Cycle) -> Cycle | None:
    """The household's first cycle after this one."""
    return (
        Cycle.objects.filter(household_id=cycle.household_id, start_date__gt=cycle.start_date)
        .order_by("start_date")
        .first()
    )


# Sums of amounts and of amount times rate: sized by exchange.money so no allowed sum overflows.
_MONEY = total_field()
_ZERO = Value(Decimal(0), output_field=_MONEY)


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
    # Paid expenses: what they were planned at and what they actually cost (base currency).
    paid_planned: Decimal = Decimal(0)
    skipped_count: int = 0
    income_received: Decimal = Decimal(0)

    @property
    def income_expected(self) -> Decimal:
        """Income not received yet."""
        return self.income - self.income_received

    @property
    def paid_difference(self) -> Decimal:
        """Actual minus planned of the paid expenses: above zero, bills came in over plan."""
        return self.paid - self.paid_planned

    @property
    def paid_difference_size(self) -> Decimal:
        return abs(self.paid_difference)

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


def cycle_totals(cycle: Cycle, *, sums: TotalSums | None = None) -> CycleTotals:
    """Planned, paid, remaining and balance of a cycle, and the paid expenses' plan against
    what they cost, from its trigger totals (one aggregate over a few rows, however many
    expenses) or from `sums` of them already read; skipped expenses count nowhere."""
    if sums is None:
        sums = sum_totals(ExpenseTotal.objects.filter(cycle_id=cycle.pk))
    currency = cycle.household.base_currency
    return CycleTotals(
        currency=currency,
        income=cycle.income,
        planned=sums.planned,
        paid=sums.paid,
        remaining=sums.remaining,
        balance=cycle.income - sums.planned,
        awaiting_rate=sums.awaiting_rate,
        expense_count=sums.expense_count,
        # Rounded once, half-even, to the base currency's minor units (like any stored amount).
        paid_planned=sums.paid_planned.quantize(quantum_for(currency), ROUND_HALF_EVEN),
        skipped_count=sums.skipped_count,
        income_received=cycle.income_received,
    )


def _totals_sum(field: str, condition: Q) -> Coalesce:
    """A per-cycle sum of the trigger totals (a few rows per cycle, whatever its size)."""
    rows = (
        ExpenseTotal.objects.filter(condition, cycle_id=OuterRef("pk"))
        .order_by()
        .values("cycle_id")
        .annotate(total=Sum(field))
        .values("total")
    )
    output = IntegerField() if field.endswith("_count") else _MONEY
    zero = Value(0) if field.endswith("_count") else _ZERO
    return Coalesce(Subquery(rows, output_field=output), zero, output_field=output)


def with_totals(cycles: QuerySet[Cycle]) -> QuerySet[Cycle]:
    """Annotate each cycle with planned, paid, balance and the count awaiting a rate (skipped
    expenses left out), read from the trigger totals: the cost is per cycle shown, not per
    expense of the household's history."""
    return cycles.annotate(
        planned_total=_totals_sum("base_total", COUNTED),
        paid_total=_totals_sum("base_total", Q(status=Expense.Status.PAID)),
        awaiting_rate_count=_totals_sum("awaiting_count", COUNTED),
    ).annotate(balance=F("income") - F("planned_total"))


def cycles_with_totals(household: Household) -> QuerySet[Cycle]:
    """The household's cycles, newest first, each with its totals (page it: only the cycles
    of the page are summed)."""
    return with_totals(Cycle.objects.filter(household=household)).order_by("-start_date", "-pk")


def cycles_for_api(
    household: Household, *, status: str | None = None, contains: date | None = None
) -> QuerySet[Cycle]:
    """cycles_with_totals, of one status, or the cycle(s) whose days include `contains`."""
    cycles = cycles_with_totals(household)
    if status:
        cycles = cycles.filter(status=status)
    if contains is not None:
        cycles = cycles.filter(start_date__lte=contains, end_date__gte=contains)
    return cycles


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
    """A new cycle starts the day after the latest one ends (or today) and lasts 42 days, both
    ends counted."""
    start = next_cycle_start(household, today=today)
    end = cycle_end(start)
    return NewCycleDefaults(
        name=default_cycle_name(household, start, end), start_date=start, end_date=end
    )


@dataclass(frozen=True)
class OnboardingStep:
    key: str
    label: str
    done: bool
    url_name: str


def onboarding_checklist(household: Household) -> list[OnboardingStep] | None:
    """The first-run steps and which are done, in one query; None once every step is done
    (the dashboard then shows no checklist)."""
    mine = OuterRef("pk")
    row = (
        Household.objects.filter(pk=household.pk)
        .annotate(
            has_methods=Exists(PaymentMethod.objects.filter(household=mine)),
            has_templates=Exists(ExpenseTemplate.objects.filter(household=mine)),
            has_cycle=Exists(Cycle.objects.filter(household=mine)),
            members=Subquery(
                Membership.objects.filter(household=mine)
                .values("household")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            has_invites=Exists(Invite.objects.filter(household=mine)),
        )
        .values("has_methods", "has_templates", "has_cycle", "members", "has_invites")
        .get()
    )
    steps = [
        OnboardingStep(
            "currency",
            f"Base currency: {household.base_currency} (chosen when the household was created)",
            True,
            "accounts:household",
        ),
        OnboardingStep(
            "payment_methods",
            "Add the cards and accounts you pay with",
            row["has_methods"],
            "expenses:payment_method_list",
        ),
        OnboardingStep(
            "templates",
            "Add recurring expenses as templates (rent, bills)",
            row["has_templates"],
            "templates_app:template_list",
        ),
        OnboardingStep("cycle", "Start your first cycle", row["has_cycle"], "cycles:new"),
        OnboardingStep(
            "invite",
            "Invite the people you budget with",
            (row["members"] or 0) > 1 or row["has_invites"],
            "accounts:household",
        ),
    ]
    return None if all(step.done for step in steps) else steps


def current_draft_cycle(household: Household, *, today: date) -> Cycle | None:
    """The household's draft cycle whose dates include today, if any (cycles never overlap, so
    there is at most one)."""
    return Cycle.objects.filter(
        household=household,
        status=Cycle.Status.DRAFT,
        start_date__lte=today,
        end_date__gte=today,
    ).first()
