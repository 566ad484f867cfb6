"""Rules for payment methods and categories, through the services."""

import pytest

from accounts.tests.factories import make_owner
from colony.names import NameRequired
from cycles.tests.factories import CycleFactory
from expenses.exceptions import (
    CategoryNameExists,
    PaymentMethodInUse,
    PaymentMethodNameExists,
    PaymentMethodOwnerNotMember,
)
from expenses.models import Category, PaymentMethod
from expenses.setup import services
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db


def test_creating_payment_method_stores_it_for_the_household(household, owner):
    method = services.create_payment_method(
        household=household, name="  Visa   gold ", kind="card", owner=owner, last4="1234"
    )
    method.refresh_from_db()
    assert (method.household, method.name, method.owner, method.last4, method.is_active) == (
        household,
        "Visa gold",
        owner,
        "1234",
        True,
    )


def test_payment_method_name_is_unique_per_household_ignoring_case(household, owner):
    services.create_payment_method(household=household, name="Visa", kind="card", owner=owner)
    with pytest.raises(PaymentMethodNameExists) as error:
        services.create_payment_method(household=household, name="VISA", kind="card", owner=owner)
    assert error.value.status == 409
    assert error.value.code == "PAYMENT_METHOD_NAME_EXISTS"
    assert PaymentMethod.objects.filter(household=household).count() == 1


def test_same_payment_method_name_is_fine_in_another_household(household, owner, stranger):
    services.create_payment_method(household=household, name="Visa", kind="card", owner=owner)
    other = stranger.membership.household
    services.create_payment_method(household=other, name="visa", kind="card", owner=stranger)
    assert PaymentMethod.objects.filter(name__iexact="visa").count() == 2


def test_renaming_payment_method_onto_another_name_is_refused(household, owner):
    PaymentMethodFactory(household=household, name="Cash")
    method = PaymentMethodFactory(household=household, name="Visa")
    with pytest.raises(PaymentMethodNameExists):
        services.update_payment_method(payment_method=method, name="cash", kind="cash", owner=owner)
    method.refresh_from_db()
    assert method.name == "Visa"


def test_updating_payment_method_keeping_its_name_is_fine(household, owner):
    method = PaymentMethodFactory(household=household, name="Visa")
    services.update_payment_method(
        payment_method=method, name="VISA", kind="bank_account", owner=owner, last4="9876"
    )
    method.refresh_from_db()
    assert (method.name, method.kind, method.last4) == ("VISA", "bank_account", "9876")


def test_payment_method_owner_must_be_a_member_of_the_household(household, stranger):
    with pytest.raises(PaymentMethodOwnerNotMember) as error:
        services.create_payment_method(
            household=household, name="Visa", kind="card", owner=stranger
        )
    assert error.value.status == 422
    assert not PaymentMethod.objects.filter(household=household).exists()


def test_blank_payment_method_name_is_refused(household, owner):
    with pytest.raises(NameRequired):
        services.create_payment_method(household=household, name="   ", kind="card", owner=owner)


def test_deactivating_and_reactivating_payment_method(household):
    method = PaymentMethodFactory(household=household)
    services.set_payment_method_active(payment_method=method, is_active=False)
    method.refresh_from_db()
    assert method.is_active is False
    services.set_payment_method_active(payment_method=method, is_active=True)
    method.refresh_from_db()
    assert method.is_active is True


def test_unused_payment_method_can_be_deleted(household):
    method = PaymentMethodFactory(household=household)
    services.delete_payment_method(payment_method=method)
    assert not PaymentMethod.objects.filter(pk=method.pk).exists()


def test_payment_method_used_by_an_expense_cannot_be_deleted(household):
    method = PaymentMethodFactory(household=household)
    ExpenseFactory(cycle=CycleFactory(household=household), payment_method=method)
    with pytest.raises(PaymentMethodInUse) as error:
        services.delete_payment_method(payment_method=method)
    assert error.value.status == 409
    assert "Deactivate it instead" in error.value.message
    assert PaymentMethod.objects.filter(pk=method.pk).exists()


def test_payment_method_used_by_a_template_cannot_be_deleted(household):
    method = PaymentMethodFactory(household=household)
    ExpenseTemplateFactory(household=household, payment_method=method)
    with pytest.raises(PaymentMethodInUse):
        services.delete_payment_method(payment_method=method)
    assert PaymentMethod.objects.filter(pk=method.pk).exists()


def test_creating_category(household):
    category = services.create_category(household=household, name=" Pets ")
    assert Category.objects.get(pk=category.pk).name == "Pets"


def test_category_name_is_unique_per_household_ignoring_case(household):
    # "Food" is one of the defaults every household starts with.
    with pytest.raises(CategoryNameExists) as error:
        services.create_category(household=household, name="fOOD")
    assert error.value.code == "CATEGORY_NAME_EXISTS"
    assert Category.objects.filter(household=household, name__iexact="food").count() == 1


def test_renaming_category_onto_an_existing_name_is_refused(household):
    category = CategoryFactory(household=household, name="Pets")
    with pytest.raises(CategoryNameExists):
        services.rename_category(category=category, name="housing")
    category.refresh_from_db()
    assert category.name == "Pets"


def test_renaming_category_changes_only_case(household):
    category = CategoryFactory(household=household, name="Pets")
    services.rename_category(category=category, name="PETS")
    category.refresh_from_db()
    assert category.name == "PETS"


def test_archiving_category_keeps_it_on_existing_expenses(household):
    category = CategoryFactory(household=household, name="Pets")
    expense = ExpenseFactory(cycle=CycleFactory(household=household), category=category)
    services.set_category_archived(category=category, is_archived=True)
    category.refresh_from_db()
    expense.refresh_from_db()
    assert category.is_archived is True
    assert expense.category == category


def test_new_household_gets_default_categories():
    owner = make_owner()
    names = set(owner.membership.household.categories.values_list("name", flat=True))
    assert names == set(Category.DEFAULT_NAMES)


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_every_set_up_write_refuses_a_blank_name(household, owner, name):
    category = CategoryFactory(household=household, name="Food")
    method = PaymentMethodFactory(household=household, name="Visa")
    with pytest.raises(NameRequired):
        services.create_category(household=household, name=name)
    with pytest.raises(NameRequired):
        services.rename_category(category=category, name=name)
    with pytest.raises(NameRequired):
        services.update_payment_method(payment_method=method, name=name, kind="card", owner=owner)
    category.refresh_from_db()
    method.refresh_from_db()
    assert (category.name, method.name) == ("Food", "Visa")


def test_names_are_cleaned_up_the_same_way(household):
    assert services.create_category(household=household, name="  Eating   out ").name == (
        "Eating out"
    )
