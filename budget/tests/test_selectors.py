import datetime
from decimal import Decimal

import pytest

from budget import selectors
from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.selectors import expense_choices
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory

pytestmark = pytest.mark.django_db


def test_totals_leave_out_expenses_awaiting_a_rate(household, django_assert_num_queries):
    cycle = CycleFactory(household=household, income=Decimal("200.00"))
    ExpenseFactory(
        cycle=cycle, amount=Decimal("30.00"), status=Expense.Status.PAID, paid_on=cycle.start_date
    )
    ExpenseFactory(cycle=cycle, amount=Decimal("20.00"))
    ExpenseFactory(cycle=cycle, currency="EUR", base_amount=None, rate=None, rate_source="")
    with django_assert_num_queries(1):
        totals = selectors.cycle_totals(cycle)
    assert (totals.planned, totals.paid, totals.remaining, totals.balance) == (
        Decimal("50.00"),
        Decimal("30.00"),
        Decimal("20.00"),
        Decimal("150.00"),
    )
    assert totals.awaiting_rate == 1 and totals.expense_count == 3
    assert totals.spent_percent == 15 and not totals.overspent


def test_totals_of_an_empty_cycle_are_zero(household):
    totals = selectors.cycle_totals(CycleFactory(household=household, income=Decimal(0)))
    assert totals.planned == totals.paid == 0 and totals.spent_percent == 0


def test_list_totals_per_cycle_in_one_query(household, other_household, django_assert_num_queries):
    first = CycleFactory(household=household, income=Decimal("100.00"))
    second = CycleFactory(household=household, income=Decimal("100.00"))
    ExpenseFactory(
        cycle=first, amount=Decimal("40.00"), status=Expense.Status.PAID, paid_on=first.start_date
    )
    ExpenseFactory(cycle=first, amount=Decimal("10.00"))
    CycleFactory(household=other_household)
    with django_assert_num_queries(1):
        rows = {c.pk: c for c in selectors.cycles_with_totals(household)}
    assert set(rows) == {first.pk, second.pk}
    assert (rows[first.pk].planned_total, rows[first.pk].paid_total, rows[first.pk].balance) == (
        Decimal("50.00"),
        Decimal("40.00"),
        Decimal("50.00"),
    )
    assert rows[second.pk].planned_total == 0


def test_new_cycle_starts_today_when_there_is_none(household):
    today = datetime.date(2026, 3, 1)
    defaults = selectors.new_cycle_defaults(household, today=today)
    assert (defaults.start_date, defaults.end_date) == (today, datetime.date(2026, 4, 11))
    assert defaults.name == "Mar 1, 2026 – Apr 11, 2026"


def test_choices_come_in_a_query_each_with_archived_and_inactive_marked(
    household, other_household, django_assert_num_queries
):
    CategoryFactory(household=household, name="Zoo", is_archived=True)
    PaymentMethodFactory(household=household, name="Visa", last4="4242")
    PaymentMethodFactory(household=household, name="Old card", is_active=False)
    CategoryFactory(household=other_household, name="Theirs")
    choices = expense_choices(household)
    with django_assert_num_queries(2):
        names = [c.name for c in choices.categories]
        methods = [m.name for m in choices.payment_methods]
    assert {"Visa", "Old card"} <= set(methods)
    assert names == sorted(names, key=str.lower)
    assert "Zoo" in names and "Theirs" not in names
    # Archived and inactive ones too: old expenses are filtered by them.
    assert "Zoo" in [c.name for c in choices.categories if c.is_archived]
    assert all(c.household_id == household.pk for c in choices.categories)
