"""Writes and rules for cycles: dates, names, status transitions, generation from templates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Household, User
from colony.dates import is_supported_date, out_of_range_message
from colony.names import clean_name
from exchange.money import validate_income
from exchange.services import RateBook
from expenses.models import Expense
from templates_app.models import ExpenseTemplate
from templates_app.occurrences import occurrence_dates

from .exceptions import (
    ActiveCycleExists,
    CycleAlreadyCompleted,
    CycleDateOutOfRange,
    CycleNameExists,
    CycleNotDeletable,
    CycleNotFound,
    CycleOverlap,
    CycleTooLong,
    ExpensesOutsideCycle,
    InvalidCycleDates,
    InvalidStatusTransition,
)
from .models import DEFAULT_CYCLE_DAYS, MAX_CYCLE_DURATION_DAYS, Cycle

# The only moves a cycle makes: draft → active → completed.
_NEXT_STATUS = {
    Cycle.Status.DRAFT: Cycle.Status.ACTIVE,
    Cycle.Status.ACTIVE: Cycle.Status.COMPLETED,
}


def default_cycle_name(start_date: date, end_date: date) -> str:
    """A name from the dates, e.g. "Jan 01 - Feb 12, 2026" (with an en dash)."""
    if start_date.year == end_date.year:
        return f"{start_date:%b %d} – {end_date:%b %d, %Y}"
    return f"{start_date:%b %d, %Y} – {end_date:%b %d, %Y}"


def lock_cycle(cycle: Cycle) -> Cycle:
    """The cycle's row locked for this transaction, re-read so its status is current."""
    try:
        return Cycle.objects.select_for_update().get(pk=cycle.pk)
    except Cycle.DoesNotExist as error:
        raise CycleNotFound() from error


def lock_open_cycle(cycle: Cycle) -> Cycle:
    """The cycle locked for a change; a completed cycle refuses every change."""
    locked = lock_cycle(cycle)
    if locked.is_completed:
        raise CycleAlreadyCompleted()
    return locked


def _check_in_range(day: date, field: str) -> None:
    if not is_supported_date(day):
        raise CycleDateOutOfRange(out_of_range_message(), field=field)


def _check_dates(start_date: date, end_date: date) -> None:
    _check_in_range(start_date, "start_date")
    _check_in_range(end_date, "end_date")
    if end_date <= start_date:
        raise InvalidCycleDates()
    if end_date > start_date + timedelta(days=MAX_CYCLE_DURATION_DAYS):
        raise CycleTooLong()


def _check_fits_household(
    *, household: Household, name: str, start_date: date, end_date: date, exclude_pk=None
) -> None:
    # Called with the household row locked, so two requests cannot both pass these checks.
    others = Cycle.objects.filter(household=household).exclude(pk=exclude_pk)
    if others.filter(name__iexact=name).exists():
        raise CycleNameExists()
    # Both ranges are inclusive: a cycle may start the day after the previous one ends.
    if others.filter(start_date__lte=end_date, end_date__gte=start_date).exists():
        raise CycleOverlap()


def _lock_household(household: Household) -> None:
    Household.objects.select_for_update().filter(pk=household.pk).values_list("pk").get()


def _save_or_name_conflict(cycle: Cycle, **kwargs) -> None:
    # The checks above run under a lock; the unique constraint still guards the name.
    try:
        with transaction.atomic():
            cycle.save(**kwargs)
    except IntegrityError as error:
        if "cycles_cycle_name_unique_per_household" in str(error):
            raise CycleNameExists() from error
        raise


@transaction.atomic
def create_cycle(
    *,
    household: Household,
    name: str = "",
    start_date: date,
    end_date: date | None = None,
    income: Decimal = Decimal(0),
    generate_from_templates: bool = False,
    created_by: User | None = None,
) -> Cycle:
    """Create a draft cycle of at most 45 days that overlaps no other cycle of the household,
    optionally with the expenses its active templates make."""
    _check_in_range(start_date, "start_date")
    end_date = end_date or start_date + timedelta(days=DEFAULT_CYCLE_DAYS)
    _check_dates(start_date, end_date)
    validate_income(income, household.base_currency)
    name = clean_name(name, required=False) or default_cycle_name(start_date, end_date)
    _lock_household(household)
    _check_fits_household(household=household, name=name, start_date=start_date, end_date=end_date)
    cycle = Cycle(
        household=household, name=name, start_date=start_date, end_date=end_date, income=income
    )
    _save_or_name_conflict(cycle)
    if generate_from_templates:
        generate_expenses_from_templates(cycle=cycle, created_by=created_by)
    return cycle


@transaction.atomic
def update_cycle(
    *,
    cycle: Cycle,
    name: str,
    start_date: date,
    end_date: date,
    income: Decimal,
    updated_by: User | None = None,
) -> Cycle:
    """Change a cycle that is not completed; its expenses must still fall within its dates."""
    _lock_household(cycle.household)
    cycle = lock_open_cycle(cycle)
    _check_dates(start_date, end_date)
    validate_income(income, cycle.household.base_currency)
    name = clean_name(name, required=False) or default_cycle_name(start_date, end_date)
    _check_fits_household(
        household=cycle.household,
        name=name,
        start_date=start_date,
        end_date=end_date,
        exclude_pk=cycle.pk,
    )
    outside = cycle.expenses.exclude(date__range=(start_date, end_date))
    if outside.exists():
        raise ExpensesOutsideCycle()
    cycle.name, cycle.start_date, cycle.end_date, cycle.income = name, start_date, end_date, income
    _save_or_name_conflict(cycle, update_fields=["name", "start_date", "end_date", "income"])
    return cycle


def _transition(cycle: Cycle, to_status: str) -> None:
    if _NEXT_STATUS.get(cycle.status) != to_status:
        raise InvalidStatusTransition()


@transaction.atomic
def activate_cycle(*, cycle: Cycle, by: User | None = None) -> Cycle:
    """A draft cycle becomes the household's one active cycle."""
    _lock_household(cycle.household)
    cycle = lock_cycle(cycle)
    _transition(cycle, Cycle.Status.ACTIVE)
    if Cycle.objects.filter(household_id=cycle.household_id, status=Cycle.Status.ACTIVE).exists():
        raise ActiveCycleExists()
    cycle.status = Cycle.Status.ACTIVE
    cycle.activated_at = timezone.now()
    cycle.save(update_fields=["status", "activated_at"])
    return cycle


@transaction.atomic
def complete_cycle(*, cycle: Cycle, by: User | None = None) -> Cycle:
    """The active cycle is closed; from then on it and its expenses are read-only."""
    # The row lock makes an expense being added at this moment wait, then see "completed".
    cycle = lock_cycle(cycle)
    _transition(cycle, Cycle.Status.COMPLETED)
    cycle.status = Cycle.Status.COMPLETED
    cycle.completed_at = timezone.now()
    cycle.save(update_fields=["status", "completed_at"])
    return cycle


@transaction.atomic
def delete_cycle(*, cycle: Cycle, by: User | None = None) -> None:
    """Delete a draft cycle with its expenses; active and completed cycles are kept."""
    cycle = lock_open_cycle(cycle)
    if cycle.status != Cycle.Status.DRAFT:
        raise CycleNotDeletable()
    cycle.delete()


@transaction.atomic
def generate_expenses_from_templates(*, cycle: Cycle, created_by: User | None = None) -> int:
    """Add the expenses the household's active templates make within the cycle's dates, each
    occurrence once however often this runs (a skipped occurrence
    stays skipped); returns how many were added."""
    # Imported here: expenses.services locks cycles through this module.
    from expenses.services import rate_snapshot

    cycle = lock_open_cycle(cycle)
    household = cycle.household
    templates = ExpenseTemplate.objects.filter(household=household, is_active=True).select_related(
        "payment_method"
    )
    # Every status counts as existing: a skipped occurrence must not come back.
    existing = set(
        cycle.expenses.filter(template__isnull=False).values_list("template_id", "occurrence_date")
    )
    book = RateBook(on_or_before=cycle.end_date, since=cycle.start_date)
    new = []
    for template in templates:
        method = template.payment_method
        for day in occurrence_dates(template, cycle.start_date, cycle.end_date):
            if (template.pk, day) in existing:
                continue
            new.append(
                Expense(
                    cycle=cycle,
                    template=template,
                    occurrence_date=day,
                    description=template.name,
                    amount=template.amount,
                    planned_amount=template.amount,
                    currency=template.currency,
                    date=day,
                    category_id=template.category_id,
                    payment_method=method if method is not None and method.is_active else None,
                    note=template.note,
                    created_by=created_by,
                    updated_by=created_by,
                    **rate_snapshot(
                        amount=template.amount,
                        currency=template.currency,
                        base_currency=household.base_currency,
                        on_date=day,
                        book=book,
                    ),
                )
            )
    Expense.objects.bulk_create(new)
    return len(new)
