"""Budget vs actual per category (one cycle and across cycles) and income expected vs received,
against hand-computed numbers."""

from __future__ import annotations

import datetime
import re
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
    paid = {"status": Expense.Status.PAID, "paid_on": datetime.date(2026, 1, 2)}
    ExpenseFactory(cycle=first, category=food, amount=Decimal("90"), **paid)
    ExpenseFactory(cycle=second, category=food, amount=Decimal("150"))  # planned, not paid
    ExpenseFactory(cycle=second, category=fun, amount=Decimal("999"), status=Expense.Status.SKIPPED)
    ExpenseFactory(cycle=second, category=fun, amount=Decimal("10"), **paid)
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


def test_budget_vs_actual_across_cycles_counts_only_paid_money_as_spent(household, two_cycles):
    report = budget_report(household, limit=None)
    rows = {
        row.label: (row.budget, row.paid, row.planned, row.is_over) for row in report.categories
    }
    # Food: 90 paid in the first cycle, 150 still planned in the second; over its 220 once
    # the plan is paid.
    assert rows == {
        "Food": (Decimal("220"), Decimal("90"), Decimal("150"), True),
        "Fun": (Decimal("30"), Decimal("10"), Decimal("0"), False),
    }
    per_cycle = [
        (row.budgeted, row.paid, row.planned, row.income, row.income_received)
        for row in report.cycles
    ]
    assert per_cycle == [
        (Decimal("100"), Decimal("90"), Decimal("0"), Decimal("0"), Decimal("0")),
        (Decimal("150"), Decimal("10"), Decimal("150"), Decimal("2300"), Decimal("2000")),
    ]
    assert (report.budgeted, report.paid, report.planned) == (
        Decimal("250"),
        Decimal("100"),
        Decimal("150"),
    )


def test_the_range_limits_the_cycles(household, two_cycles):
    report = budget_report(household, limit=1)
    assert [row.cycle.pk for row in report.cycles] == [two_cycles[1].pk]


def test_one_cycles_budget_vs_actual_is_paid_with_planned_beside_it(two_cycles):
    rows = {
        row.label: (row.budget, row.paid, row.planned, row.difference)
        for row in cycle_budget_vs_actual(two_cycles[1])
    }
    assert rows == {
        "Food": (Decimal("120"), Decimal("0"), Decimal("150"), Decimal("-30")),
        "Fun": (Decimal("30"), Decimal("10"), Decimal("0"), Decimal("20")),
    }


def test_a_category_without_a_budget_has_nothing_left_or_overspent(household, two_cycles):
    health = CategoryFactory(household=household, name="Health")
    ExpenseFactory(cycle=two_cycles[1], category=health, amount=Decimal("45"))
    row = next(row for row in cycle_budget_vs_actual(two_cycles[1]) if row.label == "Health")
    assert (row.budget, row.difference, row.is_over) == (None, None, False)


def test_budget_tables_show_paid_and_planned_and_no_left_without_a_budget(
    owner_client, household, two_cycles
):
    health = CategoryFactory(household=household, name="Health")
    ExpenseFactory(cycle=two_cycles[1], category=health, amount=Decimal("45"))
    page = owner_client.get(reverse("reports:cycle", args=[two_cycles[1].pk]))
    table = _table_rows(page.content.decode(), "cycle-budget-vs-actual")
    assert table["Food"] == ["120.00", "0.00", "150.00", "-30.00"]
    assert table["Fun"] == ["30.00", "10.00", "0.00", "20.00"]
    # No budget: said so, and no negative "left" for a budget that does not exist.
    assert table["Health"] == ["No budget", "0.00", "45.00", "—"]
    body = owner_client.get(reverse("reports:budgets"), {"range": "all"}).content.decode()
    assert 'data-testid="spent">100.00 USD' in body
    assert 'data-testid="planned">195.00 USD' in body
    assert "Spent (paid)" in body


def _table_rows(html: str, table_id: str) -> dict[str, list[str]]:
    """{row header: [the other cells' text]} of the table with this id."""
    table = html[html.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        header = re.search(r"<th scope=\"row\">(.*?)</th>", row, re.S)
        if header:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            text = [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]
            rows[header.group(1).strip()] = text
    return rows


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
