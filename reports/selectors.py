"""Reads for the reports: one cycle, the cycles of a range, the CSV export and the forecast.

Every amount is in the household's base currency and comes from the expenses' stored rate
snapshots (`base_amount`). An expense still awaiting a rate has no base amount: SQL's SUM skips
it, so it is left out of every total, and it is counted so that pages can say so. A skipped expense
(an occurrence the household will not pay this time) is left out of everything.

Sums are computed by PostgreSQL (`values().annotate(Sum(...))`, conditional aggregates); Python
only arranges the aggregated rows and divides the few numbers that make an average or a change.
Each selector runs a fixed number of queries, whatever the number of cycles or expenses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import Household
from colony.errors import DomainError
from cycles.models import Cycle, cycle_end
from cycles.selectors import next_cycle_start
from exchange.money import total_field
from exchange.services import RateBook, convert
from expenses.models import (
    COUNTED,
    SHARED_LABEL,
    Category,
    Expense,
    ExpenseTotal,
    PaymentMethod,
)
from expenses.selectors import TotalSums, sum_totals, sum_totals_by
from formats.currencies import quantum_for
from sharing.models import ExpenseShare
from templates_app.models import ExpenseTemplate
from templates_app.occurrences import occurrence_dates

ZERO = Decimal("0")
PERCENT_QUANTUM = Decimal("0.1")
FORECAST_HISTORY_CYCLES = 3
UNASSIGNED = "Unassigned"
NO_PAYMENT_METHOD = "No payment method"

# Sums of amounts: sized by exchange.money so no allowed sum overflows.
_MONEY = total_field()


def _sum(expression, condition: Q | None = None, **filters) -> Coalesce:
    """SUM that is 0 rather than NULL when nothing (or only awaiting expenses) matched."""
    if filters:
        condition = Q(**filters) if condition is None else condition & Q(**filters)
    return Coalesce(
        Sum(expression, filter=condition, output_field=_MONEY), Value(ZERO), output_field=_MONEY
    )


def percent_change(current: Decimal, previous: Decimal | None) -> Decimal | None:
    """Change from `previous` to `current` in %, half-even to 0.1; None when there is no
    previous amount to compare with (missing or zero)."""
    if previous is None or previous == 0:
        return None
    return ((current - previous) * 100 / previous).quantize(PERCENT_QUANTUM, ROUND_HALF_EVEN)


def average(total: Decimal, count: int, currency: str) -> Decimal:
    """`total` shared over `count` (cycles), rounded half-even to the currency's minor units."""
    if count == 0:
        return ZERO.quantize(quantum_for(currency))
    return (total / count).quantize(quantum_for(currency), ROUND_HALF_EVEN)


# -- one cycle ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slice:
    """One row of a breakdown: a category, a payment method or a member."""

    label: str
    total: Decimal
    count: int
    awaiting: int = 0
    key: int | None = None


@dataclass(frozen=True)
class CycleReport:
    cycle: Cycle
    base_currency: str
    income: Decimal
    total: Decimal
    planned: Decimal
    paid: Decimal
    expense_count: int
    awaiting_count: int
    # What the paid expenses were planned at, in the base currency at their own rates.
    paid_planned: Decimal
    by_category: list[Slice]
    by_payment_method: list[Slice]
    by_member: list[Slice]
    largest: list[Expense]

    @property
    def left(self) -> Decimal:
        """Income minus every expense with a base amount (planned and paid)."""
        return self.income - self.total

    @property
    def is_over_budget(self) -> bool:
        return self.left < 0

    @property
    def paid_difference(self) -> Decimal:
        """Actual minus planned of the paid expenses: above zero, bills came in over plan."""
        return self.paid - self.paid_planned

    @property
    def paid_difference_size(self) -> Decimal:
        return abs(self.paid_difference)


def _member_label(first_name: str | None, last_name: str | None, email: str | None) -> str:
    # The same rule as User.display_name, applied to aggregated rows.
    full_name = f"{first_name or ''} {last_name or ''}".strip()
    return full_name or email or UNASSIGNED


def _breakdown(kept: QuerySet, *fields: str) -> QuerySet:
    return (
        kept.values(*fields)
        .annotate(
            total=_sum("base_total"),
            count=Sum("expense_count"),
            awaiting=Sum("awaiting_count"),
        )
        # Biggest first, then by label (the fields after the key), for a stable order.
        .order_by("-total", *fields[1:])
    )


def cycle_report(*, cycle: Cycle, base_currency: str) -> CycleReport:
    """Totals of one cycle by category, payment method and member, planned vs paid, income vs
    spent, what the paid expenses were planned at, and its five largest expenses, in five
    queries: four on the cycle's trigger totals, one on its expenses (skipped ones left out)."""
    kept = ExpenseTotal.objects.filter(cycle_id=cycle.pk).filter(COUNTED)
    sums = sum_totals(kept)
    totals = {
        "total": sums.planned,
        "planned": sums.remaining,
        "paid": sums.paid,
        # Rounded once, half-even, to the base currency's minor units.
        "paid_planned": sums.paid_planned.quantize(quantum_for(base_currency), ROUND_HALF_EVEN),
        "expense_count": sums.expense_count,
        "awaiting_count": sums.awaiting_rate,
    }
    expenses = Expense.objects.filter(cycle=cycle).filter(COUNTED)
    by_category = [
        Slice(row["category__name"], row["total"], row["count"], row["awaiting"], row["category"])
        for row in _breakdown(kept, "category", "category__name")
    ]
    by_payment_method = [
        Slice(
            row["payment_method__name"] or NO_PAYMENT_METHOD,
            row["total"],
            row["count"],
            row["awaiting"],
            row["payment_method"],
        )
        for row in _breakdown(kept, "payment_method", "payment_method__name")
    ]
    by_member = [
        Slice(
            _member_label(
                row["payment_method__owner__first_name"],
                row["payment_method__owner__last_name"],
                row["payment_method__owner__email"],
            )
            if row["payment_method__owner"]
            else SHARED_LABEL
            if row["has_payment_method"]
            else UNASSIGNED,
            row["total"],
            row["count"],
            row["awaiting"],
            row["payment_method__owner"],
        )
        # A method without an owner is the household's (a joint account): its own row, apart
        # from the expenses paid with no method at all.
        for row in _breakdown(
            kept.annotate(
                has_payment_method=ExpressionWrapper(
                    Q(payment_method__isnull=False), output_field=BooleanField()
                )
            ),
            "payment_method__owner",
            "has_payment_method",
            "payment_method__owner__first_name",
            "payment_method__owner__last_name",
            "payment_method__owner__email",
        )
    ]
    largest = list(
        expenses.filter(base_amount__isnull=False)
        .select_related("category", "payment_method")
        .order_by("-base_amount", "date", "id")[:5]
    )
    return CycleReport(
        cycle=cycle,
        base_currency=base_currency,
        income=cycle.income,
        by_category=by_category,
        by_payment_method=by_payment_method,
        by_member=by_member,
        largest=largest,
        **totals,
    )


# -- across cycles -----------------------------------------------------------------------------

RANGE_CHOICES: dict[str, int | None] = {"3": 3, "6": 6, "12": 12, "all": None}
DEFAULT_RANGE = "6"


@dataclass(frozen=True)
class CycleSummary:
    cycle: Cycle
    income: Decimal
    paid: Decimal  # spent
    planned: Decimal  # counted but not paid yet
    awaiting: int
    # % of paid + planned against the previous cycle's (None: nothing to compare with).
    change: Decimal | None
    # The change compares a cycle with nothing paid yet (only a plan) with one that has
    # payments, or the reverse: a plan against real spending, which the page must say.
    change_against_plan: bool = False

    @property
    def spent(self) -> Decimal:
        """Money that was paid; planned expenses are not spent."""
        return self.paid

    @property
    def total(self) -> Decimal:
        return self.paid + self.planned

    @property
    def is_plan_only(self) -> bool:
        """Every expense that counts is still planned: nothing was paid yet (a future cycle)."""
        return self.paid == 0 and self.planned > 0

    @property
    def left(self) -> Decimal:
        """Income minus paid and planned."""
        return self.income - self.total


@dataclass(frozen=True)
class CategoryRow:
    """One category's spending in each cycle of the range (aligned with the cycles) and in all."""

    label: str
    amounts: list[Decimal]
    total: Decimal


@dataclass(frozen=True)
class CyclesOverview:
    base_currency: str
    range_key: str
    cycles: list[CycleSummary]  # oldest first
    categories: list[CategoryRow]
    total_spent: Decimal  # paid
    total_planned: Decimal  # counted but not paid yet
    total_income: Decimal
    average_spent: Decimal  # paid, over the cycles that have payments
    average_income: Decimal
    awaiting_count: int
    has_more: bool = field(default=False)  # older cycles exist outside the range
    plan_only_count: int = 0  # cycles of the range with nothing paid yet (left out of the average)

    @property
    def latest(self) -> CycleSummary | None:
        return self.cycles[-1] if self.cycles else None


def cycles_overview(*, household: Household, range_key: str = DEFAULT_RANGE) -> CyclesOverview:
    """Spending vs income per cycle, a category-by-cycle matrix, the average per cycle and each
    cycle's change against the one before, for the household's last N cycles (N from
    `RANGE_CHOICES`) — six queries whatever N is, on the trigger totals of those cycles only."""
    if range_key not in RANGE_CHOICES:
        range_key = DEFAULT_RANGE
    limit = RANGE_CHOICES[range_key]
    base_currency = household.base_currency
    # Cycles first (one page of the household's cycles, by index), then their sums from the
    # trigger totals: a few rows per cycle of the range, whatever the household's history.
    cycles_query = Cycle.objects.filter(household=household).order_by("-start_date", "-id")
    # One cycle more than shown, so that the oldest shown cycle has a previous one to compare to.
    rows = list(cycles_query if limit is None else cycles_query[: limit + 1])
    has_more = limit is not None and len(rows) > limit
    rows.reverse()  # oldest first
    offset = 1 if has_more else 0  # the extra cycle is only there to be compared with
    shown = rows[offset:]
    kept = ExpenseTotal.objects.filter(cycle_id__in=[row.pk for row in rows]).filter(COUNTED)
    per_cycle = sum_totals_by(kept, "cycle_id")
    sums = [per_cycle.get((row.pk,), TotalSums()) for row in rows]
    # Each cycle on its own first, so that each can be compared with the one before it.
    alone = [
        CycleSummary(
            cycle=row,
            income=row.income,
            paid=cycle_sums.paid,
            planned=cycle_sums.remaining,
            awaiting=cycle_sums.awaiting_rate,
            change=None,
        )
        for row, cycle_sums in zip(rows, sums, strict=True)
    ]
    before = [None, *alone][: len(alone)]  # each cycle's previous one
    summaries = [
        replace(
            summary,
            change=percent_change(summary.total, previous.total if previous else None),
            change_against_plan=previous is not None
            and summary.is_plan_only != previous.is_plan_only,
        )
        for summary, previous in list(zip(alone, before, strict=True))[offset:]
    ]
    cycle_ids = [row.pk for row in shown]
    range_totals = kept.filter(cycle_id__in=cycle_ids)
    per_cell = range_totals.values("cycle_id", "category_id").annotate(total=Sum("base_total"))
    cells = {(row["cycle_id"], row["category_id"]): row["total"] for row in per_cell.order_by()}
    per_category = (
        range_totals.values("category_id", "category__name")
        .annotate(total=_sum("base_total"))
        .order_by("-total", "category__name")
    )
    categories = [
        CategoryRow(
            label=row["category__name"],
            amounts=[cells.get((pk, row["category_id"]), ZERO) for pk in cycle_ids],
            total=row["total"],
        )
        for row in per_category
    ]
    # The range's sums are the shown cycles' sums, already read above.
    total_spent = sum((summary.paid for summary in summaries), ZERO)
    total_planned = sum((summary.planned for summary in summaries), ZERO)
    awaiting_count = sum(summary.awaiting for summary in summaries)
    income = Cycle.objects.filter(pk__in=cycle_ids).aggregate(income=_sum("income"))["income"]
    # A cycle with nothing paid yet would pull the average spending down with a zero.
    plan_only_count = sum(1 for summary in summaries if summary.is_plan_only)
    return CyclesOverview(
        base_currency=base_currency,
        range_key=range_key,
        cycles=summaries,
        categories=categories,
        total_spent=total_spent,
        total_planned=total_planned,
        total_income=income,
        average_spent=average(total_spent, len(shown) - plan_only_count, base_currency),
        average_income=average(income, len(shown), base_currency),
        awaiting_count=awaiting_count,
        has_more=has_more,
        plan_only_count=plan_only_count,
    )


# -- CSV export --------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "date",
    "description",
    "amount",
    "currency",
    "base_amount",
    "rate",
    "category__name",
    "payment_method__name",
    "status",
    "paid_on",
    "note",
    "cycle__name",
    "paid_by__first_name",
    "paid_by__last_name",
    "paid_by__email",
    "split__kind",
)


def expenses_for_export(
    *,
    household: Household,
    cycle: Cycle | None = None,
    start: date | None = None,
    end: date | None = None,
    sharers: Sequence[tuple[int, str]] = (),
) -> QuerySet:
    """The household's expenses as tuples of EXPORT_FIELDS, oldest first: one cycle's, or those
    dated within [start, end], then each of `sharers`' share (sharing.selectors.sharers), read
    in the same query. Meant to be streamed with `.iterator()`."""
    expenses = Expense.objects.filter(cycle__household=household)
    if cycle is not None:
        expenses = expenses.filter(cycle=cycle)
    if start is not None:
        expenses = expenses.filter(date__gte=start)
    if end is not None:
        expenses = expenses.filter(date__lte=end)
    shares = {
        f"share_{user_id}": Subquery(
            ExpenseShare.objects.filter(expense=OuterRef("pk"), user_id=user_id).values("share")[:1]
        )
        for user_id, _ in sharers
    }
    return expenses.annotate(**shares).order_by("date", "id").values_list(*EXPORT_FIELDS, *shares)


# -- forecast ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateForecast:
    template: ExpenseTemplate
    count: int
    total: Decimal  # in the template's currency
    base_total: Decimal | None  # None: no rate to convert with, left out of the totals


@dataclass(frozen=True)
class CategoryForecast:
    label: str
    template_count: int
    from_templates: Decimal
    usual_other: Decimal

    @property
    def expected(self) -> Decimal:
        return self.from_templates + self.usual_other


@dataclass(frozen=True)
class Forecast:
    base_currency: str
    start: date
    end: date
    templates: list[TemplateForecast]  # active templates that occur in the range
    categories: list[CategoryForecast]
    from_templates: Decimal
    usual_other: Decimal
    history_cycles: int  # how many past cycles the usual other spending is averaged over
    # What the active income templates will bring in those days (base currency).
    income_templates: tuple[TemplateForecast, ...] = ()
    expected_income: Decimal = ZERO

    @property
    def awaiting(self) -> list[TemplateForecast]:
        lines = [*self.templates, *self.income_templates]
        return [line for line in lines if line.base_total is None]

    @property
    def left(self) -> Decimal:
        """Expected income minus expected spending."""
        return self.expected_income - self.expected

    @property
    def expected(self) -> Decimal:
        return self.from_templates + self.usual_other


def _template_base_total(
    template: ExpenseTemplate, total: Decimal, base_currency: str, on_date: date, book
) -> Decimal | None:
    if template.currency.upper() == base_currency.upper():
        return total
    try:
        return convert(total, template.currency, base_currency, on_date, book=book)
    except DomainError:  # no stored rate (or an unknown currency): shown as awaiting a rate
        return None


def _sum_by_category(lines: Iterable[TemplateForecast]) -> dict[str, tuple[int, Decimal]]:
    # Occurrences are computed in Python (they are rules, not rows), so are their totals.
    by_category: dict[str, tuple[int, Decimal]] = defaultdict(lambda: (0, ZERO))
    for line in lines:
        if line.base_total is None:
            continue
        count, total = by_category[line.template.category.name]
        by_category[line.template.category.name] = (count + line.count, total + line.base_total)
    return by_category


def forecast_next_cycle(*, household: Household, today: date) -> Forecast:
    """What the next default-length cycle will probably cost: what the active templates will
    generate in it plus the average spending without a template of the last three cycles; and the
    income its income templates will bring."""
    base_currency = household.base_currency
    start = next_cycle_start(household, today=today)
    end = cycle_end(start)

    book = RateBook(on_or_before=start)
    templates = ExpenseTemplate.objects.filter(household=household, is_active=True).select_related(
        "category"
    )
    lines, income_lines = [], []
    for template in templates:
        count = len(occurrence_dates(template, start, end))
        if count == 0:
            continue
        total = template.amount * count
        (income_lines if template.is_income else lines).append(
            TemplateForecast(
                template=template,
                count=count,
                total=total,
                base_total=_template_base_total(template, total, base_currency, start, book),
            )
        )
    from_templates_by_category = _sum_by_category(lines)
    from_templates = sum(
        (total for _count, total in from_templates_by_category.values()), start=ZERO
    )

    history_ids = list(
        Cycle.objects.filter(household=household)
        .order_by("-start_date", "-id")
        .values_list("pk", flat=True)[:FORECAST_HISTORY_CYCLES]
    )
    history_count = len(history_ids)
    # Spending without a template, from the trigger totals of those cycles.
    other = ExpenseTotal.objects.filter(cycle_id__in=history_ids, from_template=False).filter(
        COUNTED
    )
    other_by_category = {
        row["category__name"]: average(row["total"], history_count, base_currency)
        for row in other.values("category__name").annotate(total=_sum("base_total")).order_by()
    }
    other_total = other.aggregate(total=_sum("base_total"))["total"]

    labels = sorted(set(from_templates_by_category) | set(other_by_category))
    categories = [
        CategoryForecast(
            label=label,
            template_count=from_templates_by_category.get(label, (0, ZERO))[0],
            from_templates=from_templates_by_category.get(label, (0, ZERO))[1],
            usual_other=other_by_category.get(label, ZERO),
        )
        for label in labels
    ]
    categories.sort(key=lambda row: (-row.expected, row.label))
    return Forecast(
        base_currency=base_currency,
        start=start,
        end=end,
        templates=sorted(lines, key=lambda line: (line.template.category.name, line.template.name)),
        categories=categories,
        from_templates=from_templates,
        usual_other=average(other_total, history_count, base_currency),
        history_cycles=history_count,
        income_templates=tuple(sorted(income_lines, key=lambda line: line.template.name)),
        expected_income=sum(
            (line.base_total for line in income_lines if line.base_total is not None), start=ZERO
        ),
    )


# -- the household's full export ---------------------------------------------------------------
# Each returns tuples in the column order of reports.household_export, oldest first, meant to
# be read with `.iterator()`.


def cycles_for_household_export(household: Household) -> QuerySet:
    return (
        Cycle.objects.filter(household=household)
        .order_by("start_date", "id")
        .values_list(
            "id",
            "name",
            "start_date",
            "end_date",
            "status",
            "income",
            "activated_at",
            "completed_at",
        )
    )


def expenses_for_household_export(household: Household) -> QuerySet:
    return (
        Expense.objects.filter(cycle__household=household)
        .order_by("date", "id")
        .values_list(
            "id",
            "cycle_id",
            "cycle__name",
            "date",
            "description",
            "amount",
            "planned_amount",
            "currency",
            "base_amount",
            "rate",
            "rate_date",
            "rate_source",
            "category__name",
            "payment_method__name",
            "status",
            "paid_on",
            "note",
            "template__name",
            "occurrence_date",
            "created_by__email",
            "updated_by__email",
            "created_at",
            "updated_at",
        )
    )


def templates_for_household_export(household: Household) -> QuerySet:
    return (
        ExpenseTemplate.objects.filter(household=household)
        .order_by("name", "id")
        .values_list(
            "id",
            "name",
            "amount",
            "currency",
            "category__name",
            "payment_method__name",
            "frequency",
            "day_of_month",
            "start_date",
            "end_date",
            "is_active",
            "note",
        )
    )


def payment_methods_for_household_export(household: Household) -> QuerySet:
    return (
        PaymentMethod.objects.filter(household=household)
        .order_by("name", "id")
        .values_list("id", "name", "kind", "owner__email", "last4", "is_active")
    )


def categories_for_household_export(household: Household) -> QuerySet:
    return (
        Category.objects.filter(household=household)
        .order_by("name", "id")
        .values_list("id", "name", "is_archived")
    )


def rates_used_by_household(household: Household) -> QuerySet:
    """Every rate snapshot the household's expenses were converted at (other currencies than
    the base one), with how many expenses used it."""
    return (
        Expense.objects.filter(cycle__household=household, rate__isnull=False)
        .exclude(rate_source=Expense.RateSource.SAME_CURRENCY)
        .values_list("currency", "rate_date", "rate", "rate_source")
        .annotate(expense_count=Count("id"))
        .order_by("currency", "rate_date", "rate", "rate_source")
    )
