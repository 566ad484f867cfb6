import pytest

from accounts.services import delete_account

from .factories import ExpenseFactory

pytestmark = pytest.mark.django_db


def test_deleting_an_account_keeps_a_former_member_name_on_its_expenses(member, household):
    expense = ExpenseFactory(cycle__household=household, created_by=member)
    delete_account(user=member)
    expense.refresh_from_db()
    assert expense.created_by is None
    assert expense.former_member_name == "Max"
    assert expense.added_by_name == "Max (former member)"


def test_expenses_of_members_who_stay_keep_no_former_name(owner, member, household):
    kept = ExpenseFactory(cycle__household=household, created_by=owner)
    delete_account(user=member)
    kept.refresh_from_db()
    assert kept.former_member_name == ""
    assert kept.added_by_name == "Olive"
