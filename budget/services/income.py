"""Writes and rules for income lines; every write keeps the cycle's income totals (expected and
received, in the base currency) equal to its lines, in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db import DatabaseError, transaction
from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from colony.names import clean_name
from cycles.exceptions import (
    IncomeDateOutsideCycle,
    IncomeDescriptionRequired,
    IncomeMemberNotInHousehold,
    IncomeTooLarge,
)
from cycles.models import Cycle, IncomeLine
from cycles.services import lock_open_cycle
from exchange.money import MAX_AMOUNT, total_field, validate_income_amount
from expenses.services import fill_rate_snapshots, report_still_awaiting

_MONEY = total_field()
_ZERO = Value(Decimal(0), output_field=_MONEY)
INCOME_FIELDS = ("description", "amount", "currency", "expected_date", "member")


def _clean_description(description: str) -> str:
    description = clean_name(description, required=False)
    if not description:
        raise IncomeDescriptionRequired()
    return description


def _check_line(*, cycle: Cycle, amount, currency, expected_date: date, member) -> None:
    validate_income_amount(amount, currency)
    if not cycle.start_date <= expected_date <= cycle.end_date:
        raise IncomeDateOutsideCycle()
    if (
        member is not None
        and not User.objects.filter(
            pk=member.pk, membership__household_id=cycle.household_id
        ).exists()
    ):
        raise IncomeMemberNotInHousehold()


def _snapshot(line: IncomeLine, *, base_currency: str, generated: bool = False) -> None:
    """The line's rate snapshot; one too large once converted is AmountTooLargeInBase (422),
    or, for a line a template makes (`generated`), left awaiting a rate and logged."""
    # Imported here: expenses.services imports budget.services.
    from expenses.services import generated_rate_snapshot, rate_snapshot

    fields = {
        "amount": line.amount,
        "currency": line.currency,
        "base_currency": base_currency,
        "on_date": line.expected_date,
    }
    if generated:
        what = f"Income template {line.template_id} on {line.expected_date}"
        values = generated_rate_snapshot(what=what, **fields)
    else:
        values = rate_snapshot(**fields)
    for name, value in values.items():
        setattr(line, name, value)


def recompute_income(cycle: Cycle) -> Cycle:
    """Store the sums of the cycle's income lines (expected, received) on the cycle; a line
    awaiting a rate counts in neither. Call with the cycle locked."""
    sums = IncomeLine.objects.filter(cycle_id=cycle.pk).aggregate(
        expected=Coalesce(Sum("base_amount"), _ZERO),
        received=Coalesce(Sum("base_amount", filter=Q(is_received=True)), _ZERO),
    )
    if sums["expected"] > MAX_AMOUNT:
        raise IncomeTooLarge()
    cycle.income, cycle.income_received = sums["expected"], sums["received"]
    Cycle.objects.filter(pk=cycle.pk).update(
        income=cycle.income, income_received=cycle.income_received
    )
    return cycle


@transaction.atomic
def add_income_line(
    *,
    cycle: Cycle,
    description: str,
    amount: Decimal,
    currency: str,
    expected_date: date,
    member: User | None = None,
    is_received: bool = False,
    created_by: User | None = None,
) -> IncomeLine:
    """Add income to an open cycle: a positive amount in its currency's decimals, expected
    within the cycle, from a member of the household; the cycle's total stays ≤ MAX_AMOUNT."""
    cycle = lock_open_cycle(cycle)
    currency = (currency or "").upper()
    _check_line(
        cycle=cycle, amount=amount, currency=currency, expected_date=expected_date, member=member
    )
    line = IncomeLine(
        cycle=cycle,
        description=_clean_description(description),
        amount=amount,
        currency=currency,
        expected_date=expected_date,
        member=member,
        is_received=is_received,
        received_on=timezone.localdate() if is_received else None,
        created_by=created_by,
    )
    _snapshot(line, base_currency=cycle.household.base_currency)
    line.save()
    recompute_income(cycle)
    return line


def _lock_line(line: IncomeLine) -> tuple[IncomeLine, Cycle]:
    cycle = lock_open_cycle(line.cycle)
    locked = IncomeLine.objects.select_related("member").get(pk=line.pk)
    locked.cycle = cycle
    return locked, cycle


@transaction.atomic
def update_income_line(
    *,
    line: IncomeLine,
    description: str,
    amount: Decimal,
    currency: str,
    expected_date: date,
    member: User | None = None,
    updated_by: User | None = None,
) -> IncomeLine:
    """Change an income line of an open cycle (same rules as adding one); a new amount,
    currency or date takes a new rate snapshot."""
    line, cycle = _lock_line(line)
    currency = (currency or "").upper()
    _check_line(
        cycle=cycle, amount=amount, currency=currency, expected_date=expected_date, member=member
    )
    line.description = _clean_description(description)
    line.amount, line.currency, line.expected_date, line.member = (
        amount,
        currency,
        expected_date,
        member,
    )
    _snapshot(line, base_currency=cycle.household.base_currency)
    line.save()
    recompute_income(cycle)
    return line


@transaction.atomic
def set_income_received(
    *, line: IncomeLine, is_received: bool, received_on: date | None = None, by: User | None = None
) -> IncomeLine:
    """Mark income of an open cycle received (today, unless a date is given) or expected."""
    line, cycle = _lock_line(line)
    line.is_received = is_received
    line.received_on = (received_on or timezone.localdate()) if is_received else None
    line.save(update_fields=["is_received", "received_on", "updated_at"])
    recompute_income(cycle)
    return line


@transaction.atomic
def delete_income_line(*, line: IncomeLine, by: User | None = None) -> None:
    """Remove an income line of an open cycle."""
    line, cycle = _lock_line(line)
    line.delete()
    recompute_income(cycle)


def income_lines_from_templates(*, cycle: Cycle, templates, created_by: User | None) -> int:
    """Add the income lines the household's active income templates make within the (locked)
    cycle's dates, each occurrence once however often this runs; returns how many."""
    from templates_app.occurrences import occurrence_dates

    existing = set(
        cycle.income_lines.filter(template__isnull=False).values_list(
            "template_id", "occurrence_date"
        )
    )
    new = []
    for template in templates:
        for day in occurrence_dates(template, cycle.start_date, cycle.end_date):
            if (template.pk, day) in existing:
                continue
            line = IncomeLine(
                cycle=cycle,
                template=template,
                occurrence_date=day,
                description=template.name,
                amount=template.amount,
                currency=template.currency,
                expected_date=day,
                created_by=created_by,
            )
            _snapshot(line, base_currency=cycle.household.base_currency, generated=True)
            new.append(line)
    IncomeLine.objects.bulk_create(new)
    if new:
        recompute_income(cycle)
    return len(new)


@transaction.atomic
def fill_awaiting_income_rates(
    *, today: date | None = None, report: Callable[[str], None] | None = None
) -> int:
    """Give every income line still awaiting a rate its snapshot from the stored rates (the
    rate on or before its expected date, else the newest one), then its cycle's income totals;
    lines with a snapshot are never touched. Returns how many were filled.

    Line by line and cycle by cycle: a line whose converted amount would not fit, or a cycle
    whose income would then add up to more than MAX_AMOUNT, stays awaiting and is reported
    (`report` gets one line each; refresh_rates prints them), and never keeps the others
    waiting: each cycle is written in its own savepoint."""
    waiting = list(
        IncomeLine.objects.select_for_update(of=("self",))
        .filter(base_amount__isnull=True)
        .select_related("cycle__household")
        .order_by("pk")
    )
    by_cycle: dict[int, list[IncomeLine]] = {}
    for line in fill_rate_snapshots(
        waiting, date_field="expected_date", today=today, report=report
    ):
        by_cycle.setdefault(line.cycle_id, []).append(line)
    filled = 0
    for cycle_id in sorted(by_cycle):
        lines = by_cycle[cycle_id]
        try:
            with transaction.atomic():
                IncomeLine.objects.bulk_update(lines, IncomeLine.RATE_SNAPSHOT_FIELDS)
                recompute_income(Cycle.objects.select_for_update().get(pk=cycle_id))
        except (IncomeTooLarge, DatabaseError) as error:
            reason = getattr(error, "message", type(error).__name__)
            for line in lines:
                report_still_awaiting(report, line, reason)
        else:
            filled += len(lines)
    return filled
