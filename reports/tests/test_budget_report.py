"""Budget vs actual per category (one cycle and across cycles) and income expected vs received,
against hand-computed numbers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.selectors.budgets import budget_report, cycle_budget_vs_actual
from budget.services import income as income_services
from cycles.models import CategoryBudget, Cycle
from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cycles(household):
    food = CategoryFactory(household=household, name="Food")
    fun = CategoryFactory(household=household, name="Fun")
    first = CycleFactory(
        household=household, start_date=datetime.date(2026, 1, 1), income=Decimal(0)
    )
    second = CycleFactory(
        household=household,
        start_date=datetime.date(2026, 2, 13),
        income=Decimal(0),
        status=Cycle.Status.ACTIVE,
    )
    CategoryBudget.objects.create(cycle=first, category=food, amount=Decimal("100"))
    CategoryBudget.objects.create(cycle=second, category=food, amount=Decimal("120"))
    CategoryBudget.objects.create(cycle=second, category=fun, amount=Decimal("30"))
    ExpenseFactory(cycle=first, category=food, amount=Decimal("90"))
    ExpenseFactory(cycle=second, category=food, amount=Decimal("150"))
    ExpenseFactory(cycle=second, category=fun, amount=Decimal("999"), status=Expense.Status.SKIPPED)
    ExpenseFactory(cycle=second, category=fun, amount=Decimal("10"))
    line = income_services.add_income_line(
        cycle=second,
        description="Salary",
        amount=Decimal("2000"),
        currency="USD",
        expected_date=second.start_date,
    )
    income_services.add_income_line(
        cycle=second,
        description="Side job",
        amount=Decimal("300"),
        currency="USD",
        expected_date=second.start_date,
    )
    income_services.set_income_received(line=line, is_received=True)
    return first, second


def test_budget_vs_actual_across_cycles(household, two_cycles):
    report = budget_report(household, limit=None)
    rows = {row.label: (row.budget, row.actual, row.is_over) for row in report.categories}
    assert rows == {
        "Food": (Decimal("220"), Decimal("240"), True),
        "Fun": (Decimal("30"), Decimal("10"), False),
    }
    per_cycle = [
        (row.budgeted, row.spent, row.income, row.income_received) for row in report.cycles
    ]
    assert per_cycle == [
        (Decimal("100"), Decimal("90"), Decimal("0"), Decimal("0")),
        (Decimal("150"), Decimal("160"), Decimal("2300"), Decimal("2000")),
    ]
    assert report.budgeted == Decimal("250") and report.spent == Decimal("250")


def test_the_range_limits_the_cycles(household, two_cycles):
    report = budget_report(household, limit=1)
    assert [row.cycle.pk for row in report.cycles] == [two_cycles[1].pk]


def test_one_cycles_budget_vs_actual(two_cycles):
    rows = {row.label: (row.budget, row.actual) for row in cycle_budget_vs_actual(two_cycles[1])}
    assert rows == {"Food": (Decimal("120"), Decimal("150")), "Fun": (Decimal("30"), Decimal("10"))}


def test_budget_report_page_shows_chart_and_tables(owner_client, two_cycles):
    body = owner_client.get(reverse("reports:budgets"), {"range": "all"}).content.decode()
    assert 'data-chart="budget-vs-actual"' in body
    assert 'id="budget-by-category"' in body and 'id="budget-by-cycle"' in body
    assert 'data-testid="income-received">2,000.00 USD' in body
    assert owner_client.get(reverse("reports:budgets"), {"range": "bogus"}).status_code == 200


def test_cycle_report_has_budget_vs_actual_and_income_received(owner_client, two_cycles):
    body = owner_client.get(reverse("reports:cycle", args=[two_cycles[1].pk])).content.decode()
    assert 'id="cycle-budget-vs-actual"' in body
    assert 'data-testid="income-received">2,000.00 USD' in body


def test_budget_report_runs_constant_queries(
    owner_client, two_cycles, django_assert_max_num_queries
):
    owner_client.get(reverse("reports:budgets"))
    with django_assert_max_num_queries(7):
        owner_client.get(reverse("reports:budgets"), {"range": "all"})
