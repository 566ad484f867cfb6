"""Writes and rules for categories, payment methods and expenses."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from accounts.models import Household, User
from colony.errors import Unprocessable
from cycles.models import Cycle
from cycles.services import lock_open_cycle
from exchange.currencies import is_known_currency
from exchange.exceptions import RateUnavailable, UnknownCurrency
from exchange.services import RateBook, convert_with_quote

from .exceptions import (
    CategoryNameExists,
    CategoryNotAvailable,
    ExpenseDateOutsideCycle,
    NameRequired,
    PaymentMethodInUse,
    PaymentMethodNameExists,
    PaymentMethodNotAvailable,
    PaymentMethodOwnerNotMember,
)
from .models import Category, Expense, PaymentMethod

RATE_QUANTUM = Decimal("1e-10")


def seed_default_categories(*, household: Household) -> None:
    """Give a new household the usual categories so it can budget straight away."""
    Category.objects.bulk_create(
        [Category(household=household, name=name) for name in Category.DEFAULT_NAMES],
        ignore_conflicts=True,
    )


# --- payment methods and categories (household set-up) ---------------------------------------


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise NameRequired()
    return name


def _check_owner(*, household_id: int, owner: User | None) -> None:
    if (
        owner is not None
        and not User.objects.filter(pk=owner.pk, membership__household_id=household_id).exists()
    ):
        raise PaymentMethodOwnerNotMember()


def _check_payment_method_name(*, household_id: int, name: str, pk: int | None) -> None:
    taken = PaymentMethod.objects.filter(household_id=household_id, name__iexact=name)
    if taken.exclude(pk=pk).exists():
        raise PaymentMethodNameExists()


def _save_payment_method(payment_method: PaymentMethod) -> PaymentMethod:
    try:
        # A savepoint, so a concurrent insert of the same name fails alone, not the transaction.
        with transaction.atomic():
            payment_method.save()
    except IntegrityError as error:
        raise PaymentMethodNameExists() from error
    return payment_method


def create_payment_method(
    *,
    household: Household,
    name: str,
    kind: str,
    owner: User | None,
    last4: str = "",
    is_active: bool = True,
) -> PaymentMethod:
    """Add a payment method; its name is unique in the household, ignoring case."""
    _check_owner(household_id=household.pk, owner=owner)
    name = _clean_name(name)
    _check_payment_method_name(household_id=household.pk, name=name, pk=None)
    return _save_payment_method(
        PaymentMethod(
            household=household,
            name=name,
            kind=kind,
            owner=owner,
            last4=last4,
            is_active=is_active,
        )
    )


def update_payment_method(
    *, payment_method: PaymentMethod, name: str, kind: str, owner: User | None, last4: str = ""
) -> PaymentMethod:
    """Change a payment method's details; its name stays unique in the household."""
    _check_owner(household_id=payment_method.household_id, owner=owner)
    name = _clean_name(name)
    _check_payment_method_name(
        household_id=payment_method.household_id, name=name, pk=payment_method.pk
    )
    payment_method.name = name
    payment_method.kind = kind
    payment_method.owner = owner
    payment_method.last4 = last4
    return _save_payment_method(payment_method)


def set_payment_method_active(*, payment_method: PaymentMethod, is_active: bool) -> PaymentMethod:
    """Deactivate or reactivate: inactive methods stay on existing rows but are not offered."""
    payment_method.is_active = is_active
    payment_method.save(update_fields=["is_active"])
    return payment_method


@transaction.atomic
def delete_payment_method(*, payment_method: PaymentMethod) -> None:
    """Delete a payment method no expense or template uses; a used one can only be deactivated."""
    locked = PaymentMethod.objects.select_for_update().get(pk=payment_method.pk)
    if locked.expenses.exists() or locked.templates.exists():
        raise PaymentMethodInUse()
    try:
        with transaction.atomic():
            locked.delete()
    except (IntegrityError, ProtectedError, RestrictedError) as error:
        # An expense added between the check and the delete.
        raise PaymentMethodInUse() from error


def _check_category_name(*, household_id: int, name: str, pk: int | None) -> None:
    taken = Category.objects.filter(household_id=household_id, name__iexact=name)
    if taken.exclude(pk=pk).exists():
        raise CategoryNameExists()


def _save_category(category: Category) -> Category:
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError as error:
        raise CategoryNameExists() from error
    return category


def create_category(*, household: Household, name: str) -> Category:
    """Add a category; its name is unique in the household, ignoring case."""
    name = _clean_name(name)
    _check_category_name(household_id=household.pk, name=name, pk=None)
    return _save_category(Category(household=household, name=name))


def rename_category(*, category: Category, name: str) -> Category:
    """Rename a category; every expense and template in it follows."""
    name = _clean_name(name)
    _check_category_name(household_id=category.household_id, name=name, pk=category.pk)
    category.name = name
    return _save_category(category)


def set_category_archived(*, category: Category, is_archived: bool) -> Category:
    """Archive or restore: archived categories stay on existing rows but are not offered."""
    category.is_archived = is_archived
    category.save(update_fields=["is_archived"])
    return category


# --- expenses in a cycle ------------------------------------------------------------------------

# Fields an expense form may change; a change to one of RATE_FIELDS takes a new rate snapshot.
EXPENSE_FIELDS = frozenset(
    {"description", "amount", "currency", "date", "category", "payment_method", "status", "note"}
)
RATE_FIELDS = frozenset({"amount", "currency", "date"})


def rate_snapshot(
    *,
    amount: Decimal,
    currency: str,
    base_currency: str,
    on_date: date,
    book: RateBook | None = None,
) -> dict:
    """The expense's amount in the base currency and the rate used, or all empty ("awaiting a
    rate") when no rate is stored — never a made-up 1.0."""
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
        return {"base_amount": None, "rate": None, "rate_date": None, "rate_source": ""}
    return {
        "base_amount": base_amount,
        "rate": quote.rate.quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN),
        "rate_date": quote.rate_date,
        "rate_source": Expense.RateSource.STORED,
    }


def paid_on_for(expense_date: date) -> date:
    """The day a newly paid expense was paid: today, or its own date when that has passed."""
    return min(expense_date, timezone.localdate())


def _check_expense_fields(*, cycle: Cycle, expense: Expense | None = None, **fields) -> None:
    if "description" in fields and not fields["description"].strip():
        raise Unprocessable("Describe the expense.", code="DESCRIPTION_REQUIRED")
    if "currency" in fields and not is_known_currency(fields["currency"]):
        raise UnknownCurrency(fields["currency"])
    if "date" in fields and not cycle.start_date <= fields["date"] <= cycle.end_date:
        raise ExpenseDateOutsideCycle()
    category = fields.get("category")
    if category is not None:
        keeps_own = expense is not None and category.pk == expense.category_id
        if category.household_id != cycle.household_id or (category.is_archived and not keeps_own):
            raise CategoryNotAvailable()
    method = fields.get("payment_method")
    if method is not None:
        keeps_own = expense is not None and method.pk == expense.payment_method_id
        if method.household_id != cycle.household_id or (not method.is_active and not keeps_own):
            raise PaymentMethodNotAvailable()


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
    status: str = Expense.Status.PLANNED,
    note: str = "",
) -> Expense:
    """Add an expense dated within a cycle that is not completed, with its rate snapshot."""
    locked = lock_open_cycle(cycle)
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
    expense = Expense(
        cycle=locked,
        created_by=created_by,
        updated_by=created_by,
        paid_on=paid_on_for(date) if status == Expense.Status.PAID else None,
        **fields,
        **rate_snapshot(
            amount=amount,
            currency=fields["currency"],
            base_currency=cycle.household.base_currency,
            on_date=date,
        ),
    )
    expense.save(force_insert=True)
    return expense


@transaction.atomic
def update_expense(*, expense: Expense, updated_by: User | None, **fields) -> Expense:
    """Change an expense of a cycle that is not completed; a new amount, currency or date takes
    a new rate snapshot, other changes keep the old one."""
    unknown = set(fields) - EXPENSE_FIELDS
    if unknown:
        raise TypeError(f"update_expense() got unexpected fields: {sorted(unknown)}")
    cycle = lock_open_cycle(Cycle(pk=expense.cycle_id))
    if "description" in fields:
        fields["description"] = fields["description"].strip()
    if "currency" in fields:
        fields["currency"] = fields["currency"].upper()
    if "note" in fields:
        fields["note"] = (fields["note"] or "").strip()
    _check_expense_fields(cycle=cycle, expense=expense, **fields)
    changed = [name for name, value in fields.items() if getattr(expense, name) != value]
    for name in changed:
        setattr(expense, name, fields[name])
    if "status" in changed:
        expense.paid_on = paid_on_for(expense.date) if expense.is_paid else None
        changed.append("paid_on")
    if RATE_FIELDS.intersection(changed):
        snapshot = rate_snapshot(
            amount=expense.amount,
            currency=expense.currency,
            base_currency=cycle.household.base_currency,
            on_date=expense.date,
        )
        for name, value in snapshot.items():
            setattr(expense, name, value)
        changed.extend(snapshot)
    expense.updated_by = updated_by
    expense.save(update_fields=[*changed, "updated_by", "updated_at"])
    return expense


@transaction.atomic
def toggle_paid(*, expense: Expense, by: User | None) -> Expense:
    """A planned expense becomes paid (today, or on its date if that has passed), a paid one
    planned again."""
    lock_open_cycle(Cycle(pk=expense.cycle_id))
    if expense.is_paid:
        expense.status, expense.paid_on = Expense.Status.PLANNED, None
    else:
        expense.status, expense.paid_on = Expense.Status.PAID, paid_on_for(expense.date)
    expense.updated_by = by
    expense.save(update_fields=["status", "paid_on", "updated_by", "updated_at"])
    return expense


@transaction.atomic
def delete_expense(*, expense: Expense, by: User | None) -> None:
    """Delete an expense of a cycle that is not completed."""
    lock_open_cycle(Cycle(pk=expense.cycle_id))
    expense.delete()
