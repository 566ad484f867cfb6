"""Writes and rules for a household's set-up: its categories and payment methods, and the one
rule every expense, template and import uses to check a chosen category or payment method."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError

from accounts.models import Household, User
from colony.names import clean_name

from ..exceptions import (
    CategoryNameExists,
    CategoryNotAvailable,
    PaymentMethodInUse,
    PaymentMethodNameExists,
    PaymentMethodNotAvailable,
    PaymentMethodOwnerNotMember,
)
from ..models import Category, PaymentMethod


def check_selectable(
    *,
    household_id: int,
    category: Category | None = None,
    payment_method: PaymentMethod | None = None,
    current_category_id: int | None = None,
    current_payment_method_id: int | None = None,
) -> None:
    """A category or payment method may be chosen when it is the household's and open (not
    archived, active). What a row already uses (`kept_*`: an expense's or a template's own) may
    stay even once archived or deactivated."""
    if category is not None and (
        category.household_id != household_id
        or (category.is_archived and category.pk != current_category_id)
    ):
        raise CategoryNotAvailable()
    if payment_method is not None and (
        payment_method.household_id != household_id
        or (not payment_method.is_active and payment_method.pk != current_payment_method_id)
    ):
        raise PaymentMethodNotAvailable()


def seed_default_categories(*, household: Household) -> None:
    """Give a new household the usual categories so it can budget straight away."""
    Category.objects.bulk_create(
        [Category(household=household, name=name) for name in Category.DEFAULT_NAMES],
        ignore_conflicts=True,
    )


# --- payment methods and categories (household set-up) ---------------------------------------


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
    name = clean_name(name)
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
    name = clean_name(name)
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
    name = clean_name(name)
    _check_category_name(household_id=household.pk, name=name, pk=None)
    return _save_category(Category(household=household, name=name))


def rename_category(*, category: Category, name: str) -> Category:
    """Rename a category; every expense and template in it follows."""
    name = clean_name(name)
    _check_category_name(household_id=category.household_id, name=name, pk=category.pk)
    category.name = name
    return _save_category(category)


def set_category_archived(*, category: Category, is_archived: bool) -> Category:
    """Archive or restore: archived categories stay on existing rows but are not offered."""
    category.is_archived = is_archived
    category.save(update_fields=["is_archived"])
    return category


# --- expenses in a cycle ------------------------------------------------------------------------
