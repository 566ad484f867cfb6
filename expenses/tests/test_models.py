from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.tests.factories import HouseholdFactory
from cycles.models import Cycle
from expenses.models import Category
from expenses.tests.factories import ExpenseFactory

pytestmark = pytest.mark.django_db


def test_new_household_gets_default_categories():
    household = HouseholdFactory()
    assert sorted(household.categories.values_list("name", flat=True)) == sorted(
        Category.DEFAULT_NAMES
    )


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1"), Decimal("999999999999.5")])
def test_database_refuses_amount_out_of_range(amount):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpenseFactory(amount=amount)


def test_database_stores_three_decimal_amount_exactly():
    expense = ExpenseFactory(amount=Decimal("1.005"), currency="BHD")
    expense.refresh_from_db()
    assert expense.amount == Decimal("1.005")


def test_deleting_a_household_removes_its_cycles_and_expenses():
    expense = ExpenseFactory()
    household = expense.cycle.household
    household.delete()
    assert not Cycle.objects.filter(household_id=household.pk).exists()
