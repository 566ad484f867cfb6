"""Writes and rules for categories, payment methods and expenses."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.models import User
from colony.errors import Unprocessable
from cycles.exceptions import CycleAlreadyCompleted
from cycles.models import Cycle
from cycles.services import lock_cycle, lock_open_cycle
from exchange.exceptions import RateUnavailable
from exchange.models import ExchangeRate, RateSnapshot
from exchange.money import (
    AmountTooLargeInBase,
    validate_amount,
    validate_base_amount,
    validate_manual_rate,
)
from exchange.services import RateBook, apply_rate, convert_with_quote, get_rate
from formats.currencies import is_known_currency
from sharing import services as sharing

from ..exceptions import (
    ExpenseChanged,
    ExpenseDateOutsideCycle,
    ExpenseNotFound,
    ExpenseNotSkipped,
    ExpensePlanChanged,
    ExternalIdExists,
    ManualRateNotNeeded,
    OneOffExpenseNotSkippable,
    PaidExpenseNotSkippable,
    PaymentDateOutsideCycle,
)
from ..models import Category, Expense, ExpenseExternalId, PaymentMethod
from ..setup.services import check_selectable

RATE_QUANTUM = Decimal("1e-10")

logger = logging.getLogger("colony.expenses")


# Fields an expense form may change; a change to one of RATE_FIELDS takes a new rate snapshot.
EXPENSE_FIELDS = frozenset(
    {
        "description",
        "amount",
        "currency",
        "date",
        "category",
        "payment_method",
        "status",
        "note",
        "paid_by",
    }
)
RATE_FIELDS = frozenset({"amount", "currency", "date"})
# Not stored as is: a rate typed by hand (None: use the stored rates) becomes a manual snapshot.
MANUAL_RATE = "manual_rate"
# Not a column: who the expense was for (a sharing.services.SplitChoice), stored by sharing.
SPLIT = "split"


def default_payer_id(*, payment_method: PaymentMethod | None, added_by: User | None) -> int | None:
    """Who paid when nobody says: the payment method's owner, else whoever adds it."""
    if payment_method is not None and payment_method.owner_id is not None:
        return payment_method.owner_id
    return added_by.pk if added_by is not None else None


# The snapshot of an amount still awaiting a rate (never a made-up 1.0).
AWAITING_RATE = {"base_amount": None, "rate": None, "rate_date": None, "rate_source": ""}


def rate_snapshot(
    *,
    amount: Decimal,
    currency: str,
    base_currency: str,
    on_date: date,
    book: RateBook | None = None,
) -> dict:
    """The expense's amount in the base currency and the rate used, or all empty ("awaiting a
    rate") when no rate is stored — never a made-up 1.0. A converted amount beyond
    MAX_BASE_AMOUNT is AmountTooLargeInBase (422), never a column overflow."""
    if currency == base_currency:
        return {
            "base_amount": amount,
            "rate": Decimal(1),
            "rate_date": on_date,
            "rate_source": Expense.RateSource.SAME_CURRENCY,
        }
    try:
        base_amount, quote = convert_with_quote(amount, currency, base_currency, on_date, book=book)
    except RateUnavailable:
        return dict(AWAITING_RATE)
    return {
        "base_amount": validate_base_amount(base_amount, base_currency),
        "rate": quote.rate.quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN),
        "rate_date": quote.rate_date,
        "rate_source": Expense.RateSource.STORED,
    }


def generated_rate_snapshot(*, what: str, **kwargs) -> dict:
    """`rate_snapshot` for a row a template makes (an expense or income line of a new cycle):
    one whose converted amount would not fit waits like one without a rate, logged, and
    refresh_rates reports it, rather than one template refusing the whole cycle."""
    try:
        return rate_snapshot(**kwargs)
    except AmountTooLargeInBase as error:
        logger.warning("%s still awaits a rate: %s", what, error.message)
        return dict(AWAITING_RATE)


def manual_rate_snapshot(
    *, amount: Decimal, rate: Decimal, base_currency: str, on_date: date
) -> dict:
    """The snapshot of a rate the household typed (what its bank charged): base amount =
    amount times rate, rounded once, half-even, to the base currency's minor units."""
    rate = rate.quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN)
    base_amount = apply_rate(amount, rate, base_currency)
    return {
        "base_amount": validate_base_amount(base_amount, base_currency),
        "rate": rate,
        "rate_date": on_date,
        "rate_source": Expense.RateSource.MANUAL,
    }


def _check_manual_rate(
    *,
    currency: str,
    base_currency: str,
    manual_rate: Decimal | None,
    on_date: date,
    current_rate: Decimal | None = None,
    book: RateBook | None = None,
) -> None:
    """A typed rate is for another currency than the base one, and sensible: in range, and
    close to the stored rate for the pair when there is one (exchange.money). The expense's
    own manual rate sent back unchanged (`current_rate`, as an edit form does) is not judged
    again."""
    if manual_rate is None:
        return
    if currency == base_currency:
        raise ManualRateNotNeeded()
    if (
        current_rate is not None
        and manual_rate.quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN) == current_rate
    ):
        return
    try:
        stored = get_rate(currency, base_currency, on_date, book=book).rate
    except RateUnavailable:
        stored = None
    validate_manual_rate(manual_rate, stored=stored)


def _retake_snapshot(expense: Expense, *, base_currency: str) -> list[str]:
    """Convert the expense again after its amount, currency or date changed: a manual rate is
    kept (it is what the bank charged), otherwise the stored rate for its date is taken."""
    if expense.has_manual_rate and expense.currency != base_currency:
        snapshot = manual_rate_snapshot(
            amount=expense.amount,
            rate=expense.rate,
            base_currency=base_currency,
            on_date=expense.date,
        )
    else:
        snapshot = rate_snapshot(
            amount=expense.amount,
            currency=expense.currency,
            base_currency=base_currency,
            on_date=expense.date,
        )
    for name, value in snapshot.items():
        setattr(expense, name, value)
    return list(snapshot)


# What a change by someone else can have changed: reloaded when the row moved on meanwhile.
_STATE_FIELDS = [f.attname for f in Expense._meta.concrete_fields if not f.primary_key]


def _lock_expense(expense: Expense, *, expected_version: int | None) -> None:
    """Lock the expense's row for the rest of the transaction (after its cycle's, always in that
    order) and take the next version. Deleted meanwhile: ExpenseNotFound (not a failed save).
    Changed since `expected_version` (the version the person's form or row showed):
    ExpenseChanged, nothing written. Without an expected version the write applies to the
    row as it is now (the instance is reloaded when it was read before a change)."""
    current = (
        Expense.objects.select_for_update()
        .filter(pk=expense.pk)
        .values_list("version", flat=True)
        .first()
    )
    if current is None:
        raise ExpenseNotFound()
    if expected_version is not None and expected_version != current:
        raise ExpenseChanged(expense_id=expense.pk, version=current)
    if current != expense.version:
        expense.refresh_from_db(fields=_STATE_FIELDS)
    expense.version = current + 1


def status_for_date(expense_date: date) -> str:
    """A new expense's status when none is chosen: paid once its day has come (a purchase
    typed in after the fact), planned while it is still ahead."""
    if expense_date <= timezone.localdate():
        return Expense.Status.PAID
    return Expense.Status.PLANNED


def paid_on_for(expense_date: date) -> date:
    """The day a newly paid expense was paid: today, or its own date when that has passed."""
    return min(expense_date, timezone.localdate())


def _check_expense_fields(*, cycle: Cycle, expense: Expense | None = None, **fields) -> None:
    if "description" in fields and not fields["description"].strip():
        raise Unprocessable("Describe the expense.", code="DESCRIPTION_REQUIRED")
    if "amount" in fields or "currency" in fields:
        validate_amount(
            fields.get("amount", getattr(expense, "amount", None)),
            fields.get("currency", getattr(expense, "currency", None)),
        )
    if "date" in fields and not cycle.start_date <= fields["date"] <= cycle.end_date:
        raise ExpenseDateOutsideCycle()
    # Skipping is for a template's occurrence (Expense.can_skip), whichever way it is asked.
    skipping = fields.get("status") == Expense.Status.SKIPPED
    if skipping and (expense is None or expense.template_id is None):
        raise OneOffExpenseNotSkippable()
    if skipping and expense.is_paid:
        raise PaidExpenseNotSkippable()
    check_selectable(
        household_id=cycle.household_id,
        category=fields.get("category"),
        payment_method=fields.get("payment_method"),
        current_category_id=getattr(expense, "category_id", None),
        current_payment_method_id=getattr(expense, "payment_method_id", None),
    )


def check_new_expense(*, cycle: Cycle, **fields) -> None:
    """The rules `add_expense` enforces on a new expense's fields (money rule, date within the
    cycle, the household's open category and payment method), for a writer that adds many at
    once (the statement import); raises the same domain errors."""
    _check_expense_fields(cycle=cycle, **fields)


@transaction.atomic
def add_expense(
    *,
    cycle: Cycle,
    created_by: User | None,
    description: str,
    amount: Decimal,
    currency: str,
    date: date,
    category: Category,
    payment_method: PaymentMethod | None = None,
    status: str | None = None,
    note: str = "",
    manual_rate: Decimal | None = None,
    external_id: str | None = None,
    paid_by: User | None = None,
    split: sharing.SplitChoice | None = None,
) -> Expense:
    """Add an expense dated within a cycle that is not completed, planned at its amount, with
    its rate snapshot (the rate typed by hand, when there is one) and the client's own id
    (`external_id`), which no other expense of the household has (else ExternalIdExists); with
    no status given it is paid when dated today or earlier and planned when dated later
    (`status_for_date`). Its payer: `paid_by`, else default_payer_id; its split: `split`, else
    the household's."""
    locked = lock_open_cycle(cycle)
    if status is None:
        status = status_for_date(date)
    fields = {
        "description": description.strip(),
        "amount": amount,
        "currency": currency.upper(),
        "date": date,
        "category": category,
        "payment_method": payment_method,
        "status": status,
        "note": (note or "").strip(),
    }
    _check_expense_fields(cycle=locked, **fields)
    if paid_by is not None:
        sharing.check_payer(paid_by, household_id=locked.household_id)
        payer_id = paid_by.pk
    else:
        payer_id = default_payer_id(payment_method=payment_method, added_by=created_by)
    sharing.check_split(split, household_id=locked.household_id)
    base_currency = cycle.household.base_currency
    _check_manual_rate(
        currency=fields["currency"],
        base_currency=base_currency,
        manual_rate=manual_rate,
        on_date=date,
    )
    if manual_rate is not None:
        snapshot = manual_rate_snapshot(
            amount=amount, rate=manual_rate, base_currency=base_currency, on_date=date
        )
    else:
        snapshot = rate_snapshot(
            amount=amount, currency=fields["currency"], base_currency=base_currency, on_date=date
        )
    expense = Expense(
        cycle=locked,
        created_by=created_by,
        updated_by=created_by,
        planned_amount=amount,
        paid_on=paid_on_for(date) if status == Expense.Status.PAID else None,
        paid_by_id=payer_id,
        **fields,
        **snapshot,
    )
    expense.save(force_insert=True)
    expense.external_id = None
    if external_id is not None:
        keep_external_ids(household_id=locked.household_id, expenses=[(expense, external_id)])
    sharing.share_expense(expense=expense, household=cycle.household, split=split, new=True)
    return expense


def keep_external_ids(*, household_id: int, expenses: list[tuple[Expense, str]]) -> None:
    """Give each new expense its client's id, in one INSERT; an id the household already gave
    another expense is ExternalIdExists (409, with that expense's id), even when two requests
    race for it (the unique constraint decides)."""
    wanted = [external_id for _, external_id in expenses]
    taken = (
        ExpenseExternalId.objects.filter(household_id=household_id, external_id__in=wanted)
        .values_list("expense_id", flat=True)
        .first()
    )
    if taken is not None:
        raise ExternalIdExists(expense_id=taken)
    try:
        with transaction.atomic():
            ExpenseExternalId.objects.bulk_create(
                [
                    ExpenseExternalId(
                        household_id=household_id, expense=expense, external_id=external_id
                    )
                    for expense, external_id in expenses
                ]
            )
    except IntegrityError:
        raise ExternalIdExists() from None
    for expense, external_id in expenses:
        expense.external_id = external_id


@transaction.atomic
def update_expense(
    *,
    expense: Expense,
    updated_by: User | None,
    expected_version: int | None = None,
    **fields,
) -> Expense:
    """Change an expense of a cycle that is not completed; a new amount, currency or date takes
    a new rate snapshot (keeping a manual rate), other changes keep the old one. Until it is
    paid, a new amount is also the new plan; once paid, it is the actual amount.

    `manual_rate` (when given): the rate the bank charged, or None to go back to stored rates.
    `expected_version`: the version the change was made from (see _lock_expense).
    """
    unknown = set(fields) - EXPENSE_FIELDS - {MANUAL_RATE, SPLIT}
    if unknown:
        raise TypeError(f"update_expense() got unexpected fields: {sorted(unknown)}")
    has_manual_rate_field = MANUAL_RATE in fields
    manual_rate = fields.pop(MANUAL_RATE, None)
    split = fields.pop(SPLIT, None)
    cycle = lock_open_cycle(Cycle(pk=expense.cycle_id))
    _lock_expense(expense, expected_version=expected_version)
    base_currency = cycle.household.base_currency
    if "description" in fields:
        fields["description"] = fields["description"].strip()
    if "currency" in fields:
        fields["currency"] = fields["currency"].upper()
    if "note" in fields:
        fields["note"] = (fields["note"] or "").strip()
    _check_expense_fields(cycle=cycle, expense=expense, **fields)
    if "paid_by" in fields:
        sharing.check_payer(
            fields["paid_by"], household_id=cycle.household_id, current_payer_id=expense.paid_by_id
        )
    sharing.check_split(split, household_id=cycle.household_id)
    _check_manual_rate(
        currency=fields.get("currency", expense.currency),
        base_currency=base_currency,
        manual_rate=manual_rate,
        on_date=fields.get("date", expense.date),
        current_rate=expense.rate if expense.has_manual_rate else None,
    )
    changed = [name for name, value in fields.items() if getattr(expense, name) != value]
    for name in changed:
        setattr(expense, name, fields[name])
    if "status" in changed:
        expense.paid_on = paid_on_for(expense.date) if expense.is_paid else None
        changed.append("paid_on")
    if "amount" in changed and not expense.is_paid and expense.planned_amount != expense.amount:
        expense.planned_amount = expense.amount
        changed.append("planned_amount")
    if manual_rate is not None:
        manual = manual_rate.quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN)
        if not expense.has_manual_rate or expense.rate != manual or RATE_FIELDS & set(changed):
            snapshot = manual_rate_snapshot(
                amount=expense.amount,
                rate=manual,
                base_currency=base_currency,
                on_date=expense.date,
            )
            for name, value in snapshot.items():
                setattr(expense, name, value)
            changed.extend(snapshot)
    elif has_manual_rate_field and expense.has_manual_rate:
        # The typed rate was cleared: back to the stored rates.
        expense.rate_source = ""
        changed.extend(_retake_snapshot(expense, base_currency=base_currency))
    elif RATE_FIELDS.intersection(changed):
        changed.extend(_retake_snapshot(expense, base_currency=base_currency))
    expense.updated_by = updated_by
    expense.save(update_fields=[*dict.fromkeys(changed), "updated_by", "updated_at", "version"])
    sharing.share_expense(expense=expense, household=cycle.household, split=split)
    return expense


def _set_amount(expense: Expense, amount: Decimal, *, base_currency: str) -> list[str]:
    if amount == expense.amount:
        return []
    expense.amount = amount
    return ["amount", *_retake_snapshot(expense, base_currency=base_currency)]


@transaction.atomic
def toggle_paid(
    *,
    expense: Expense,
    by: User | None,
    actual_amount: Decimal | None = None,
    expected_version: int | None = None,
) -> Expense:
    """A planned expense becomes paid (today, or on its date if that has passed) at its actual
    amount (default: the planned one); a paid one becomes planned again, at its planned amount.
    A changed amount takes a new rate snapshot."""
    if actual_amount is not None:
        validate_amount(actual_amount, expense.currency)
    cycle = lock_open_cycle(Cycle(pk=expense.cycle_id))
    _lock_expense(expense, expected_version=expected_version)
    base_currency = cycle.household.base_currency
    if expense.is_skipped:
        raise ExpenseNotSkipped("This expense is skipped. Restore it before paying it.")
    if expense.is_paid:
        expense.status, expense.paid_on = Expense.Status.PLANNED, None
        changed = _set_amount(
            expense, expense.planned_amount or expense.amount, base_currency=base_currency
        )
    else:
        expense.status, expense.paid_on = Expense.Status.PAID, paid_on_for(expense.date)
        if expense.planned_amount is None:
            expense.planned_amount = expense.amount
        changed = _set_amount(expense, actual_amount or expense.amount, base_currency=base_currency)
    expense.updated_by = by
    expense.save(
        update_fields=[
            "status",
            "paid_on",
            "planned_amount",
            *changed,
            "updated_by",
            "updated_at",
            "version",
        ]
    )
    sharing.share_expense(expense=expense, household=cycle.household)
    return expense


def _lock_row(expense: Expense) -> Expense:
    """The expense's row, locked and read afresh (after its cycle's); ExpenseNotFound once
    deleted."""
    locked = Expense.objects.select_for_update().filter(pk=expense.pk).first()
    if locked is None:
        raise ExpenseNotFound()
    return locked


def _next_version(locked: Expense, *, cycle: Cycle, expected_version: int | None) -> None:
    """A change to a locked expense: refused in a completed cycle, or when the expense moved on
    from `expected_version` (ExpenseChanged); else it takes the next version."""
    if cycle.is_completed:
        raise CycleAlreadyCompleted()
    if expected_version is not None and expected_version != locked.version:
        raise ExpenseChanged(expense_id=locked.pk, version=locked.version)
    locked.version += 1


@transaction.atomic
def pay_expense(
    *,
    expense: Expense,
    by: User | None,
    amount: Decimal | None = None,
    paid_on: date | None = None,
    expected_version: int | None = None,
) -> Expense:
    """The expense is paid at `amount` in its own currency (default: its amount — the plan,
    until it is paid) on `paid_on`, a day of its cycle (default: today, or its date when that
    has passed; once paid, the day it was paid). An expense already paid so is left as it is,
    without a new version, whatever `expected_version` says: a retry changes nothing. A paid
    one paid again at another amount or day takes them; a skipped one is restored first."""
    if amount is not None:
        validate_amount(amount, expense.currency)
    cycle = lock_cycle(Cycle(pk=expense.cycle_id))
    locked = _lock_row(expense)
    amount = locked.amount if amount is None else amount
    if paid_on is None:
        paid_on = locked.paid_on if locked.is_paid else paid_on_for(locked.date)
    if locked.is_paid and locked.amount == amount and locked.paid_on == paid_on:
        return locked
    _next_version(locked, cycle=cycle, expected_version=expected_version)
    if locked.is_skipped:
        raise ExpenseNotSkipped("This expense is skipped. Restore it before paying it.")
    if not cycle.start_date <= paid_on <= cycle.end_date:
        raise PaymentDateOutsideCycle()
    return _mark_paid(locked, cycle=cycle, amount=amount, paid_on=paid_on, by=by)


@transaction.atomic
def unpay_expense(
    *, expense: Expense, by: User | None, expected_version: int | None = None
) -> Expense:
    """A paid expense is planned again, at its planned amount. One that is not paid is left as
    it is, without a new version: a retry changes nothing."""
    cycle = lock_cycle(Cycle(pk=expense.cycle_id))
    locked = _lock_row(expense)
    if not locked.is_paid:
        return locked
    _next_version(locked, cycle=cycle, expected_version=expected_version)
    locked.status, locked.paid_on = Expense.Status.PLANNED, None
    changed = _set_amount(
        locked,
        locked.planned_amount or locked.amount,
        base_currency=cycle.household.base_currency,
    )
    locked.updated_by = by
    locked.save(
        update_fields=["status", "paid_on", *changed, "updated_by", "updated_at", "version"]
    )
    sharing.share_expense(expense=locked, household=cycle.household)
    return locked


@transaction.atomic
def record_payment(
    *, expense: Expense, by: User | None, actual_amount: Decimal, paid_on: date
) -> Expense:
    """A planned expense of a cycle that is not completed becomes paid on the day and at the
    amount the bank says (a bank statement's row); the plan is kept, so the difference shows.
    The payment is in the expense's own currency and follows the money rule."""
    cycle = lock_open_cycle(Cycle(pk=expense.cycle_id))
    # One deleted meanwhile by another member is ExpenseNotFound, like the other writes.
    locked = Expense.objects.select_for_update().filter(pk=expense.pk).first()
    if locked is None:
        raise ExpenseNotFound()
    if locked.status != Expense.Status.PLANNED:
        raise ExpensePlanChanged()
    validate_amount(actual_amount, locked.currency)
    if not cycle.start_date <= paid_on <= cycle.end_date:
        raise ExpenseDateOutsideCycle()
    # A write like any other (Expense.version): a row or form shown before it is now stale.
    locked.version += 1
    return _mark_paid(locked, cycle=cycle, amount=actual_amount, paid_on=paid_on, by=by)


def _mark_paid(
    locked: Expense, *, cycle: Cycle, amount: Decimal, paid_on: date, by: User | None
) -> Expense:
    """Save a locked, checked expense as paid at `amount` on `paid_on` (its version already
    raised), keeping its plan so the difference shows, and share it again."""
    if locked.planned_amount is None:
        locked.planned_amount = locked.amount
    changed = _set_amount(locked, amount, base_currency=cycle.household.base_currency)
    locked.status, locked.paid_on = Expense.Status.PAID, paid_on
    locked.updated_by = by
    locked.save(
        update_fields=[
            "status",
            "paid_on",
            "planned_amount",
            *changed,
            "updated_by",
            "updated_at",
            "version",
        ]
    )
    sharing.share_expense(expense=locked, household=cycle.household)
    return locked


@transaction.atomic
def skip_expense(
    *, expense: Expense, by: User | None, expected_version: int | None = None
) -> Expense:
    """A planned occurrence is skipped this time: kept, left out of every total, and never
    generated again."""
    lock_open_cycle(Cycle(pk=expense.cycle_id))
    _lock_expense(expense, expected_version=expected_version)
    if expense.is_paid:
        raise PaidExpenseNotSkippable()
    if not expense.can_skip and not expense.is_skipped:
        raise OneOffExpenseNotSkippable()
    expense.status, expense.paid_on = Expense.Status.SKIPPED, None
    expense.updated_by = by
    expense.save(update_fields=["status", "paid_on", "updated_by", "updated_at", "version"])
    return expense


@transaction.atomic
def restore_expense(
    *, expense: Expense, by: User | None, expected_version: int | None = None
) -> Expense:
    """A skipped expense is planned again and counts in the totals."""
    lock_open_cycle(Cycle(pk=expense.cycle_id))
    _lock_expense(expense, expected_version=expected_version)
    if not expense.is_skipped:
        raise ExpenseNotSkipped()
    expense.status = Expense.Status.PLANNED
    expense.updated_by = by
    expense.save(update_fields=["status", "updated_by", "updated_at", "version"])
    return expense


@transaction.atomic
def delete_expense(
    *, expense: Expense, by: User | None, expected_version: int | None = None
) -> None:
    """Delete an expense of a cycle that is not completed."""
    lock_open_cycle(Cycle(pk=expense.cycle_id))
    _lock_expense(expense, expected_version=expected_version)
    expense.delete()


# --- rates that arrive later --------------------------------------------------------------------


@transaction.atomic
def fill_awaiting_rates(
    *, today: date | None = None, report: Callable[[str], None] | None = None
) -> int:
    """Give every expense still awaiting a rate (no base amount, no manual rate) its snapshot
    from the stored rates — the rate on or before its date, else the newest one stored, since
    a later rate beats no total at all — with one RateBook; returns how many were filled.

    Row by row and household by household: an expense whose converted amount would not fit
    (AmountTooLargeInBase) stays awaiting and is reported, and each household's rows are
    written in their own savepoint, so one bad row or household never keeps the others
    waiting. `report` receives one line per skipped expense (refresh_rates prints them).

    Completed cycles are included on purpose: an awaiting expense there has no base amount and
    is left out of the cycle's totals, which say so; filling it completes that history rather
    than rewriting it. Expenses that already have a snapshot are never touched, so a refresh
    with different rates changes no existing base amount.
    """
    waiting = list(
        Expense.objects.select_for_update(of=("self",))
        .filter(base_amount__isnull=True)
        .exclude(rate_source=Expense.RateSource.MANUAL)
        .select_related("cycle__household")
        .order_by("cycle__household_id", "pk")
    )
    by_household: dict[int, list[Expense]] = {}
    for expense in fill_rate_snapshots(waiting, date_field="date", today=today, report=report):
        # A write like any other (Expense.version): what a client read before is stale.
        expense.version += 1
        by_household.setdefault(expense.cycle.household_id, []).append(expense)
    fields = [*Expense.RATE_SNAPSHOT_FIELDS, "version"]
    try:
        with transaction.atomic():
            Expense.objects.bulk_update([e for rows in by_household.values() for e in rows], fields)
            # With a base amount at last, their shares can be computed.
            for rows in by_household.values():
                sharing.share_expenses(rows, household=rows[0].cycle.household)
        return sum(len(rows) for rows in by_household.values())
    except DatabaseError:
        pass  # not expected after the checks above; then each household on its own
    filled = 0
    for rows in by_household.values():
        try:
            with transaction.atomic():
                Expense.objects.bulk_update(rows, fields)
                sharing.share_expenses(rows, household=rows[0].cycle.household)
        except DatabaseError as error:
            for expense in rows:
                report_still_awaiting(report, expense, f"not saved ({type(error).__name__})")
        else:
            filled += len(rows)
    return filled


def fill_rate_snapshots(
    rows: list[RateSnapshot],
    *,
    date_field: str,
    today: date | None = None,
    report: Callable[[str], None] | None = None,
) -> list[RateSnapshot]:
    """Set on each row of a cycle (an expense, an income line) that awaits a rate its snapshot
    from the stored rates — the rate on or before the row's `date_field`, else the newest one
    stored, since a later rate beats no total at all — with one RateBook; returns the rows
    given a snapshot, unsaved. A row whose converted amount would not fit
    (AmountTooLargeInBase) stays awaiting and is reported; one in a currency Colony does not
    know stays awaiting."""
    newest = ExchangeRate.objects.aggregate(newest=Max("rate_date"))["newest"]
    if not rows or newest is None:
        return []
    fallback = max(today or timezone.localdate(), newest)
    book = RateBook(on_or_before=fallback, since=min(getattr(row, date_field) for row in rows))
    filled = []
    for row in rows:
        if not is_known_currency(row.currency):
            continue
        for on_date in (getattr(row, date_field), fallback):
            try:
                snapshot = rate_snapshot(
                    amount=row.amount,
                    currency=row.currency,
                    base_currency=row.cycle.household.base_currency,
                    on_date=on_date,
                    book=book,
                )
            except AmountTooLargeInBase as error:
                report_still_awaiting(report, row, error.message)
                break
            if snapshot["base_amount"] is not None:
                for name, value in snapshot.items():
                    setattr(row, name, value)
                filled.append(row)
                break
    return filled


def report_still_awaiting(
    report: Callable[[str], None] | None, row: RateSnapshot, reason: str
) -> None:
    """Log, and pass to `report` (refresh_rates prints it), that a row still awaits a rate."""
    line = (
        f"{row._meta.verbose_name.capitalize()} {row.pk} ({row.amount} {row.currency}, "
        f"household {row.cycle.household_id}) still awaits a rate: {reason}"
    )
    logger.warning(line)
    if report is not None:
        report(line)


def remember_former_member(*, user) -> int:
    """Before an account is deleted, its expenses keep the name of who added them."""
    name = (user.first_name or user.email)[:150]
    return Expense.objects.filter(created_by=user).update(
        former_member_name=name, version=F("version") + 1
    )
