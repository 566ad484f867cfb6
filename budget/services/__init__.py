"""Writes and rules for cycles: dates, names, status transitions, generation from templates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import DateField, F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import Household, Membership, User
from colony.dates import is_supported_date, out_of_range_message
from colony.names import clean_name
from cycles.exceptions import (
    ActiveCycleExists,
    CycleDateOutOfRange,
    CycleNameExists,
    CycleNotDeletable,
    CycleOverlap,
    CycleTooLong,
    ExpensesOutsideCycle,
    InvalidCycleDates,
    InvalidStatusTransition,
    NoNextCycle,
    NotLastCompletedCycle,
    OnlyOwnerMayReopen,
    UnknownUnpaidChoice,
)
from cycles.models import MAX_CYCLE_DAYS, Cycle, CycleEvent, cycle_end
from cycles.services import lock_cycle, lock_open_cycle
from exchange.money import validate_income
from exchange.services import RateBook
from expenses.models import Expense
from sharing import services as sharing
from templates_app.models import ExpenseTemplate
from templates_app.occurrences import occurrence_dates

from ..selectors import current_draft_cycle, default_cycle_name, next_cycle

# The only moves a cycle makes: draft → active → completed.
_NEXT_STATUS = {
    Cycle.Status.DRAFT: Cycle.Status.ACTIVE,
    Cycle.Status.ACTIVE: Cycle.Status.COMPLETED,
}


def _check_in_range(day: date, field: str) -> None:
    if not is_supported_date(day):
        raise CycleDateOutOfRange(out_of_range_message(), field=field)


def _check_dates(start_date: date, end_date: date) -> None:
    _check_in_range(start_date, "start_date")
    _check_in_range(end_date, "end_date")
    if end_date <= start_date:
        raise InvalidCycleDates()
    if end_date > cycle_end(start_date, MAX_CYCLE_DAYS):
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
    # FOR NO KEY UPDATE: household-wide changes still queue behind each other, but a row that
    # merely refers to the household (an expense's share being added under its cycle's lock)
    # is not held up; FOR UPDATE made such an add and a cycle's completion deadlock.
    Household.objects.select_for_update(no_key=True).filter(pk=household.pk).values_list("pk").get()


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
    today: date | None = None,
) -> Cycle:
    """Create a draft cycle of at most 45 days that overlaps no other cycle of the household,
    optionally with the expenses and income its active templates make; an `income` becomes
    its first income line. With no active cycle, a cycle whose dates include today starts
    at once (`cycle.started` says so)."""
    _check_in_range(start_date, "start_date")
    end_date = end_date or cycle_end(start_date)
    _check_dates(start_date, end_date)
    validate_income(income, household.base_currency)
    name = clean_name(name, required=False) or default_cycle_name(household, start_date, end_date)
    _lock_household(household)
    _check_fits_household(household=household, name=name, start_date=start_date, end_date=end_date)
    cycle = Cycle(household=household, name=name, start_date=start_date, end_date=end_date)
    _save_or_name_conflict(cycle)
    if income:
        # One expected line in the base currency; more are added on the cycle page.
        from .income import add_income_line

        add_income_line(
            cycle=cycle,
            description="Income",
            amount=income,
            currency=household.base_currency,
            expected_date=start_date,
            created_by=created_by,
        )
    if generate_from_templates:
        generate_expenses_from_templates(cycle=cycle, created_by=created_by)
    started = start_current_cycle(household=household, by=created_by, today=today)
    cycle.started = started is not None and started.pk == cycle.pk
    if cycle.started:
        cycle.status, cycle.activated_at = started.status, started.activated_at
    return cycle


@transaction.atomic
def update_cycle(
    *,
    cycle: Cycle,
    name: str,
    start_date: date,
    end_date: date,
    updated_by: User | None = None,
) -> Cycle:
    """Change a cycle that is not completed; its expenses must still fall within its dates."""
    _lock_household(cycle.household)
    cycle = lock_open_cycle(cycle)
    _check_dates(start_date, end_date)
    name = clean_name(name, required=False) or default_cycle_name(
        cycle.household, start_date, end_date
    )
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
    if cycle.income_lines.exclude(expected_date__range=(start_date, end_date)).exists():
        raise ExpensesOutsideCycle("Some income of this cycle falls outside the new dates.")
    cycle.name, cycle.start_date, cycle.end_date = name, start_date, end_date
    _save_or_name_conflict(cycle, update_fields=["name", "start_date", "end_date"])
    return cycle


def _transition(cycle: Cycle, to_status: str) -> None:
    if _NEXT_STATUS.get(cycle.status) != to_status:
        raise InvalidStatusTransition()


def _log(cycle: Cycle, action: str, by: User | None, note: str = "") -> None:
    CycleEvent.objects.create(cycle=cycle, action=action, by=by, note=note)


def _start(cycle: Cycle, by: User | None, note: str = "") -> Cycle:
    cycle.status = Cycle.Status.ACTIVE
    cycle.activated_at = timezone.now()
    cycle.save(update_fields=["status", "activated_at"])
    _log(cycle, CycleEvent.Action.ACTIVATED, by, note)
    return cycle


@transaction.atomic
def activate_cycle(*, cycle: Cycle, by: User | None = None) -> Cycle:
    """A draft cycle becomes the household's one active cycle."""
    _lock_household(cycle.household)
    cycle = lock_cycle(cycle)
    _transition(cycle, Cycle.Status.ACTIVE)
    if Cycle.objects.filter(household_id=cycle.household_id, status=Cycle.Status.ACTIVE).exists():
        raise ActiveCycleExists()
    return _start(cycle, by)


def start_current_cycle(
    *, household: Household, by: User | None = None, today: date | None = None
) -> Cycle | None:
    """With no active cycle, the draft cycle whose dates include today becomes active (returned);
    None when there is an active cycle or no such draft. Call with the household locked."""
    today = today or timezone.localdate()
    if Cycle.objects.filter(household_id=household.pk, status=Cycle.Status.ACTIVE).exists():
        return None
    draft = current_draft_cycle(household, today=today)
    if draft is None:
        return None
    draft = lock_cycle(draft)
    if draft.status != Cycle.Status.DRAFT:
        return None  # started or completed meanwhile
    return _start(draft, by, note="Started on its own: its dates include today.")


class UnpaidChoice:
    """What completing a cycle does with its planned, unpaid expenses."""

    KEEP = "keep"  # they stay in the completed cycle, unpaid
    SKIP = "skip"  # skipped: kept but out of every total
    MOVE = "move"  # moved to the next cycle, dated on its first day
    ALL = (KEEP, SKIP, MOVE)


def _settle_unpaid(cycle: Cycle, unpaid: str, by: User | None) -> None:
    planned = Expense.objects.filter(cycle_id=cycle.pk, status=Expense.Status.PLANNED)
    # A write like any other (Expense.version): a row, form or If-Match from before is stale.
    written = {"updated_by": by, "updated_at": timezone.now(), "version": F("version") + 1}
    if unpaid == UnpaidChoice.SKIP:
        planned.update(status=Expense.Status.SKIPPED, **written)
    elif unpaid == UnpaidChoice.MOVE and planned.exists():
        target = next_cycle(cycle)
        if target is None:
            raise NoNextCycle()
        target = lock_open_cycle(target)
        # The planned expenses keep their amounts and rate snapshots; only their cycle and
        # (when it falls before the next cycle) their date change.
        planned.update(
            cycle=target,
            date=Greatest("date", Value(target.start_date, output_field=DateField())),
            **written,
        )


@transaction.atomic
def complete_cycle(
    *,
    cycle: Cycle,
    by: User | None = None,
    unpaid: str = UnpaidChoice.KEEP,
    today: date | None = None,
) -> Cycle:
    """The active cycle is closed, its unpaid planned expenses kept, skipped or moved to the
    next cycle as chosen; from then on it and its expenses are read-only. A draft cycle whose
    dates include today then becomes the active one."""
    if unpaid not in UnpaidChoice.ALL:
        raise UnknownUnpaidChoice()
    _lock_household(cycle.household)
    # The row lock makes an expense being added at this moment wait, then see "completed".
    cycle = lock_cycle(cycle)
    _transition(cycle, Cycle.Status.COMPLETED)
    _settle_unpaid(cycle, unpaid, by)
    cycle.status = Cycle.Status.COMPLETED
    cycle.completed_at = timezone.now()
    cycle.save(update_fields=["status", "completed_at"])
    _log(cycle, CycleEvent.Action.COMPLETED, by, note=f"Unpaid expenses: {unpaid}.")
    cycle.started_next = start_current_cycle(household=cycle.household, by=by, today=today)
    return cycle


@transaction.atomic
def reopen_cycle(*, cycle: Cycle, by: User) -> Cycle:
    """An owner reopens the household's last completed cycle: it becomes active again (a later
    cycle that was active goes back to draft), logged with who and when. Rollover into later
    cycles follows on its own: it is computed from completed cycles only."""
    if not Membership.objects.filter(
        user=by, household_id=cycle.household_id, role=Membership.Role.OWNER
    ).exists():
        raise OnlyOwnerMayReopen()
    _lock_household(cycle.household)
    cycle = lock_cycle(cycle)
    last = (
        Cycle.objects.filter(household_id=cycle.household_id, status=Cycle.Status.COMPLETED)
        .order_by("-start_date")
        .values_list("pk", flat=True)
        .first()
    )
    if not cycle.is_completed or last != cycle.pk:
        raise NotLastCompletedCycle()
    paused = list(Cycle.objects.filter(household_id=cycle.household_id, status=Cycle.Status.ACTIVE))
    for other in paused:
        other.status = Cycle.Status.DRAFT
        other.save(update_fields=["status"])
    cycle.status = Cycle.Status.ACTIVE
    cycle.completed_at = None
    cycle.reopened_at, cycle.reopened_by = timezone.now(), by
    cycle.save(update_fields=["status", "completed_at", "reopened_at", "reopened_by"])
    note = f"{paused[0].name} went back to draft." if paused else ""
    _log(cycle, CycleEvent.Action.REOPENED, by, note)
    cycle.paused = paused[0] if paused else None
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
    """Add the expenses (and income lines) the household's active templates make within the
    cycle's dates, each occurrence once however often this runs (a skipped occurrence stays
    skipped); returns how many expenses were added."""
    # Imported here: expenses.services locks cycles through this module.
    from expenses.services import default_payer_id, generated_rate_snapshot

    from .income import income_lines_from_templates

    cycle = lock_open_cycle(cycle)
    household = cycle.household
    active = ExpenseTemplate.objects.filter(household=household, is_active=True)
    income_lines_from_templates(
        cycle=cycle, templates=active.filter(is_income=True), created_by=created_by
    )
    templates = active.filter(is_income=False).select_related("payment_method__owner")
    # A template's payer who left the household no longer pays its new expenses.
    members = set(household.memberships.values_list("user_id", flat=True))
    # Every status counts as existing: a skipped occurrence must not come back.
    existing = set(
        cycle.expenses.filter(template__isnull=False).values_list("template_id", "occurrence_date")
    )
    book = RateBook(on_or_before=cycle.end_date, since=cycle.start_date)
    new = []
    for template in templates:
        method = template.payment_method
        payer_id = template.paid_by_id if template.paid_by_id in members else None
        if payer_id is None:
            payer_id = default_payer_id(payment_method=method, added_by=created_by)
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
                    paid_by_id=payer_id,
                    **generated_rate_snapshot(
                        what=f"Template {template.pk} on {day}",
                        amount=template.amount,
                        currency=template.currency,
                        base_currency=household.base_currency,
                        on_date=day,
                        book=book,
                    ),
                )
            )
    Expense.objects.bulk_create(new)
    sharing.share_expenses(new, household=household, new=True)
    return len(new)
