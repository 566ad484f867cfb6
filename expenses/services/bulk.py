"""Many expenses added at once (the API's POST /expenses/bulk): all or none, each under the
rules add_expense applies to one, in a fixed number of queries whatever their number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.models import Household, User
from colony.errors import DomainError
from cycles.exceptions import CycleAlreadyCompleted, CycleNotFound
from cycles.models import Cycle
from cycles.services import lock_cycles
from exchange.services import RateBook

from ..exceptions import (
    CategoryNotAvailable,
    ExpensesRejected,
    ExternalIdExists,
    PaymentMethodNotAvailable,
)
from ..models import Category, Expense, ExpenseExternalId, PaymentMethod
from . import (
    _check_expense_fields,
    _check_manual_rate,
    keep_external_ids,
    manual_rate_snapshot,
    paid_on_for,
    rate_snapshot,
    status_for_date,
)

# The most expenses one call adds: one transaction holds their cycles' locks meanwhile.
MAX_BULK_EXPENSES = 500


@dataclass(frozen=True)
class NewExpense:
    """One expense to add, as add_expense takes it, its cycle, category and payment method by
    id (add_expenses loads them, the household's only)."""

    cycle_id: int
    description: str
    amount: Decimal
    currency: str
    date: date
    category_id: int
    payment_method_id: int | None = None
    status: str | None = None  # None: add_expense's default (status_for_date)
    note: str = ""
    manual_rate: Decimal | None = None
    external_id: str | None = None


@transaction.atomic
def add_expenses(
    *, household: Household, created_by: User | None, expenses: list[NewExpense]
) -> list[Expense]:
    """Add every expense, or none: each must pass add_expense's rules (an open cycle, the
    money rule, a date within its cycle, the household's open category and payment method, a
    sensible manual rate, an external_id no other expense has); any that does not refuses them
    all with ExpensesRejected, each one's error by its position. A cycle that is not the
    household's is CycleNotFound (404) for them all, as for one expense. One query each for
    their cycles (locked), categories and payment methods, one RateBook for their rates, one
    INSERT for the expenses and one for their external ids."""
    cycle_ids = {new.cycle_id for new in expenses}
    cycles = lock_cycles(Cycle.objects.filter(household=household, pk__in=cycle_ids).values("pk"))
    if len(cycles) != len(cycle_ids):
        raise CycleNotFound()
    categories = _by_pk(Category, household, {new.category_id for new in expenses})
    methods = _by_pk(PaymentMethod, household, {new.payment_method_id for new in expenses})
    base_currency = household.base_currency
    dates = [new.date for new in expenses]
    book = RateBook(on_or_before=max(dates), since=min(dates)) if expenses else None
    taken = dict(
        ExpenseExternalId.objects.filter(
            household=household,
            external_id__in={new.external_id for new in expenses if new.external_id},
        ).values_list("external_id", "expense_id")
    )
    errors: dict[int, DomainError] = {}
    rows: list[Expense] = []
    seen: dict[str, int] = {}
    for index, new in enumerate(expenses):
        try:
            rows.append(
                _new_row(
                    new,
                    cycle=cycles[new.cycle_id],
                    category=categories.get(new.category_id),
                    payment_method=methods.get(new.payment_method_id),
                    base_currency=base_currency,
                    by=created_by,
                    book=book,
                )
            )
            _check_external_id(new.external_id, taken=taken, seen=seen, index=index)
        except DomainError as error:
            errors[index] = error
    if errors:
        raise ExpensesRejected(errors)
    created = Expense.objects.bulk_create(rows)
    for expense in created:
        expense.external_id = None
    with_ids = [
        (e, new.external_id) for e, new in zip(created, expenses, strict=True) if new.external_id
    ]
    if with_ids:
        keep_external_ids(household_id=household.pk, expenses=with_ids)
    return created


def _by_pk(model, household: Household, pks: set[int | None]) -> dict:
    """The household's rows of `model` among `pks`, by id: one query."""
    return {row.pk: row for row in model.objects.filter(household=household, pk__in=pks)}


def _check_external_id(
    external_id: str | None, *, taken: dict[str, int], seen: dict[str, int], index: int
) -> None:
    if external_id is None:
        return
    if external_id in taken:
        raise ExternalIdExists(expense_id=taken[external_id])
    if external_id in seen:
        raise ExternalIdExists()  # twice in the same request
    seen[external_id] = index


def _new_row(
    new: NewExpense,
    *,
    cycle: Cycle,
    category: Category | None,
    payment_method: PaymentMethod | None,
    base_currency: str,
    by: User | None,
    book: RateBook | None,
) -> Expense:
    """The expense add_expense would insert, checked the same way, unsaved."""
    if cycle.is_completed:
        raise CycleAlreadyCompleted()
    if category is None:
        raise CategoryNotAvailable()
    if new.payment_method_id is not None and payment_method is None:
        raise PaymentMethodNotAvailable()
    fields = {
        "description": new.description.strip(),
        "amount": new.amount,
        "currency": new.currency.upper(),
        "date": new.date,
        "category": category,
        "payment_method": payment_method,
        "status": new.status or status_for_date(new.date),
        "note": (new.note or "").strip(),
    }
    _check_expense_fields(cycle=cycle, **fields)
    _check_manual_rate(
        currency=fields["currency"],
        base_currency=base_currency,
        manual_rate=new.manual_rate,
        on_date=new.date,
        book=book,
    )
    if new.manual_rate is not None:
        snapshot = manual_rate_snapshot(
            amount=new.amount, rate=new.manual_rate, base_currency=base_currency, on_date=new.date
        )
    else:
        snapshot = rate_snapshot(
            amount=new.amount,
            currency=fields["currency"],
            base_currency=base_currency,
            on_date=new.date,
            book=book,
        )
    return Expense(
        cycle=cycle,
        created_by=by,
        updated_by=by,
        planned_amount=new.amount,
        paid_on=paid_on_for(new.date) if fields["status"] == Expense.Status.PAID else None,
        **fields,
        **snapshot,
    )
