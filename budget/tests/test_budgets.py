"""Category budgets: the service rules, the budget lines with rollover, and the budget views."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budget.selectors.budgets import cycle_budget, usual_budgets
from budget.services import budgets as budget_services
from cycles.exceptions import (
    BudgetCategoryNotAvailable,
    CycleAlreadyCompleted,
    NoPreviousBudgets,
)
from cycles.models import CategoryBudget, Cycle
from cycles.tests.factories import CycleFactory
from exchange.money import InvalidBudget
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(household):
    return CycleFactory(household=household, status=Cycle.Status.ACTIVE)


@pytest.fixture
def food(household):
    return CategoryFactory(household=household, name="Food")


@pytest.fixture
def fun(household):
    return CategoryFactory(household=household, name="Fun")


def _line(cycle, category):
    return next(line for line in cycle_budget(cycle).lines if line.category_id == category.pk)


def _spend(cycle, category, amount, **kwargs):
    return ExpenseFactory(cycle=cycle, category=category, amount=Decimal(amount), **kwargs)


# --- services ----------------------------------------------------------------------------------


def test_setting_budgets_stores_one_row_per_category(cycle, food, fun):
    budget_services.set_budgets(
        cycle=cycle, amounts={food.pk: Decimal("400.00"), fun.pk: Decimal("0")}
    )
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("450.50")})
    rows = dict(CategoryBudget.objects.filter(cycle=cycle).values_list("category__name", "amount"))
    assert rows == {"Food": Decimal("450.50"), "Fun": Decimal("0")}


def test_an_empty_amount_removes_the_budget(cycle, food):
    budget_services.set_budget(cycle=cycle, category=food, amount=Decimal("10"))
    budget_services.set_budget(cycle=cycle, category=food, amount=None)
    assert not CategoryBudget.objects.filter(cycle=cycle).exists()


@pytest.mark.parametrize(
    ("currency", "amount"),
    [
        ("USD", "-0.01"),
        ("USD", "1.005"),
        ("JPY", "100.5"),
        ("BHD", "1.0005"),
        ("USD", "1000000000000.00"),
        ("USD", "NaN"),
        ("USD", "Infinity"),
    ],
)
def test_a_budget_below_zero_or_with_too_many_decimals_is_refused(
    household, food, currency, amount
):
    household.base_currency = currency
    household.save()
    cycle = CycleFactory(household=household)
    with pytest.raises(InvalidBudget):
        budget_services.set_budget(cycle=cycle, category=food, amount=Decimal(amount))
    assert not CategoryBudget.objects.exists()


@pytest.mark.parametrize(
    ("currency", "amount"), [("JPY", "120000"), ("BHD", "12.345"), ("VND", "25000000")]
)
def test_a_budget_takes_exactly_the_base_currency_decimals(household, food, currency, amount):
    household.base_currency = currency
    household.save()
    cycle = CycleFactory(household=household)
    budget_services.set_budget(cycle=cycle, category=food, amount=Decimal(amount))
    assert CategoryBudget.objects.get().amount == Decimal(amount)


def test_budgets_of_a_completed_cycle_are_read_only(cycle, food):
    budget_services.set_budget(cycle=cycle, category=food, amount=Decimal("5"))
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
    with pytest.raises(CycleAlreadyCompleted) as error:
        budget_services.set_budget(cycle=cycle, category=food, amount=Decimal("6"))
    assert error.value.status == 409
    assert CategoryBudget.objects.get().amount == Decimal("5")


def test_another_households_category_gets_no_budget(cycle, other_household):
    theirs = CategoryFactory(household=other_household, name="Theirs")
    with pytest.raises(BudgetCategoryNotAvailable):
        budget_services.set_budgets(cycle=cycle, amounts={theirs.pk: Decimal("1")})
    with pytest.raises(BudgetCategoryNotAvailable):
        budget_services.set_budget(cycle=cycle, category=theirs, amount=Decimal("1"))


def test_an_archived_category_keeps_its_budget_but_gets_no_new_one(cycle, food, fun):
    budget_services.set_budget(cycle=cycle, category=food, amount=Decimal("5"))
    food.is_archived = fun.is_archived = True
    food.save()
    fun.save()
    budget_services.set_budget(cycle=cycle, category=food, amount=Decimal("7"))
    with pytest.raises(BudgetCategoryNotAvailable):
        budget_services.set_budget(cycle=cycle, category=fun, amount=Decimal("1"))
    assert _line(cycle, food).budget == Decimal("7")


def test_copy_from_previous_cycle_takes_the_latest_earlier_budgets(household, food, fun):
    first, second, third = (CycleFactory(household=household) for _ in range(3))
    budget_services.set_budgets(cycle=first, amounts={food.pk: Decimal("1"), fun.pk: Decimal("2")})
    budget_services.set_budgets(cycle=second, amounts={food.pk: Decimal("300")})
    assert budget_services.copy_budgets_from_previous(cycle=third) == 1
    assert _line(third, food).budget == Decimal("300")
    assert _line(third, fun).budget is None


def test_copy_without_earlier_budgets_is_refused(cycle):
    with pytest.raises(NoPreviousBudgets):
        budget_services.copy_budgets_from_previous(cycle=cycle)


def test_usual_amount_is_the_most_frequent_recent_budget(household, food, fun):
    cycles = [CycleFactory(household=household) for _ in range(4)]
    for cycle, amount in zip(cycles[:3], ["400", "400", "450"], strict=True):
        budget_services.set_budget(cycle=cycle, category=food, amount=Decimal(amount))
    budget_services.set_budget(cycle=cycles[2], category=fun, amount=Decimal("80"))
    assert usual_budgets(cycles[3]) == {food.pk: Decimal("400"), fun.pk: Decimal("80")}
    budget_services.set_budget(cycle=cycles[3], category=fun, amount=Decimal("90"))
    assert budget_services.apply_usual_budgets(cycle=cycles[3]) == 1
    assert _line(cycles[3], food).budget == Decimal("400")
    assert _line(cycles[3], fun).budget == Decimal("90")  # a budget set here is kept


# --- selectors ---------------------------------------------------------------------------------


def test_budget_lines_show_budget_planned_paid_and_available(cycle, food, fun):
    budget_services.set_budget(cycle=cycle, category=food, amount=Decimal("100"))
    _spend(cycle, food, "30")
    _spend(cycle, food, "50", status=Expense.Status.PAID, paid_on=cycle.start_date)
    _spend(cycle, food, "999", status=Expense.Status.SKIPPED)
    _spend(cycle, fun, "12.5")
    budget = cycle_budget(cycle)
    line = _line(cycle, food)
    assert (line.budget, line.planned, line.paid, line.available) == (
        Decimal("100"),
        Decimal("80"),
        Decimal("50"),
        Decimal("20"),
    )
    # The bar is what was paid (spent) of the budget; paid and planned together beside it.
    assert (line.paid_percent, line.planned_percent) == (50, 80) and not line.is_over
    fun_line = _line(cycle, fun)
    assert fun_line.is_unbudgeted_spending
    # Without a budget there is no share of it and nothing is "over" it.
    assert fun_line.paid_percent is None and fun_line.planned_percent is None
    assert not fun_line.is_over
    assert budget.unbudgeted_spending == Decimal("12.5")
    assert budget.unassigned == Decimal("3900.00")  # income 4,000 - 100 given to Food


def test_a_category_spending_past_its_budget_is_over(cycle, food):
    budget_services.set_budget(cycle=cycle, category=food, amount=Decimal("40"))
    _spend(cycle, food, "40.01")
    line = _line(cycle, food)
    assert line.is_over and line.available == Decimal("-0.01")
    assert (line.paid_percent, line.planned_percent) == (0, 100)
    assert [over.name for over in cycle_budget(cycle).over_budget] == ["Food"]


def test_rollover_carries_what_completed_cycles_left(household, food):
    food.rolls_over = True
    food.save()
    first, second, third = (CycleFactory(household=household) for _ in range(3))
    budget_services.set_budget(cycle=first, category=food, amount=Decimal("100"))
    _spend(first, food, "70")
    budget_services.set_budget(cycle=second, category=food, amount=Decimal("100"))
    _spend(second, food, "150")
    budget_services.set_budget(cycle=third, category=food, amount=Decimal("100"))
    # Nothing carries from a cycle that is not completed.
    assert _line(second, food).rollover == 0
    Cycle.objects.filter(pk=first.pk).update(status=Cycle.Status.COMPLETED)
    assert _line(second, food).rollover == Decimal("30")
    assert _line(third, food).rollover == 0  # second is still open
    Cycle.objects.filter(pk=second.pk).update(status=Cycle.Status.COMPLETED)
    # 30 carried into the second, which then overspent by 20.
    assert _line(third, food).rollover == Decimal("-20")
    assert _line(third, food).available == Decimal("80")


def test_a_category_that_does_not_roll_over_carries_nothing(household, food):
    first, second = CycleFactory(household=household), CycleFactory(household=household)
    budget_services.set_budget(cycle=first, category=food, amount=Decimal("100"))
    Cycle.objects.filter(pk=first.pk).update(status=Cycle.Status.COMPLETED)
    assert _line(second, food).rollover == 0


_money = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    months=st.lists(
        st.tuples(st.one_of(st.none(), _money), st.lists(_money.filter(bool), max_size=3)),
        min_size=1,
        max_size=4,
    )
)
def test_available_is_budget_plus_rollover_minus_spent_exactly(household, food, months):
    """Property: in every cycle, available = budget + rollover - spent, and the rollover is what
    the completed cycle before it had available, exactly, in Decimal."""
    Cycle.objects.filter(household=household).delete()
    food.rolls_over = True
    food.save()
    start = datetime.date(2030, 1, 1)
    cycles = []
    for index, (amount, spends) in enumerate(months):
        cycle = Cycle.objects.create(
            household=household,
            name=f"P{index}",
            start_date=start + datetime.timedelta(days=43 * index),
            end_date=start + datetime.timedelta(days=43 * index + 42),
        )
        if amount is not None:
            CategoryBudget.objects.create(cycle=cycle, category=food, amount=amount)
        for spent in spends:
            _spend(cycle, food, spent)
        cycles.append((cycle, amount, sum(spends, Decimal(0))))
    expected_rollover = Decimal(0)
    for index, (cycle, amount, spent) in enumerate(cycles):
        line = _line(cycle, food)
        assert line.rollover == expected_rollover
        assert line.available == (amount or 0) + expected_rollover - spent
        assert line.committed == spent
        if index < len(cycles) - 1:
            Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
        expected_rollover = line.available


# --- views -------------------------------------------------------------------------------------


def _post_budgets(client, cycle, data, **headers):
    return client.post(reverse("cycles:budgets", args=[cycle.pk]), data, **headers)


def test_budget_form_sets_every_category_in_one_post(owner_client, cycle, food, fun, htmx_headers):
    response = _post_budgets(
        owner_client,
        cycle,
        {f"amount_{food.pk}": "250", f"amount_{fun.pk}": "", f"rolls_over_{food.pk}": "on"},
        **htmx_headers,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="cycle-budgets"' in body and "250.00 USD" in body
    assert "3,750.00 USD of the income is unassigned" in body
    assert dict(CategoryBudget.objects.values_list("category_id", "amount")) == {
        food.pk: Decimal("250")
    }
    food.refresh_from_db()
    assert food.rolls_over


def test_budget_form_shows_field_errors_with_422(owner_client, cycle, food, htmx_headers):
    response = _post_budgets(owner_client, cycle, {f"amount_{food.pk}": "-5"}, **htmx_headers)
    assert response.status_code == 422
    assert "A budget cannot be negative." in response.content.decode()
    response = _post_budgets(owner_client, cycle, {f"amount_{food.pk}": "1.234"})
    assert response.status_code == 422
    assert "USD amounts have at most 2 decimals." in response.content.decode()
    assert not CategoryBudget.objects.exists()


def test_budget_form_offers_usual_amounts(owner_client, household, food, htmx_headers):
    earlier = CycleFactory(household=household)
    budget_services.set_budget(cycle=earlier, category=food, amount=Decimal("321"))
    cycle = CycleFactory(household=household)
    body = owner_client.get(reverse("cycles:budgets", args=[cycle.pk]), **htmx_headers)
    assert 'placeholder="usual 321.00"' in body.content.decode()


def test_plain_post_redirects_to_the_cycle(owner_client, cycle, food):
    response = _post_budgets(owner_client, cycle, {f"amount_{food.pk}": "10"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cycles:detail", args=[cycle.pk])


def test_budgets_of_a_completed_cycle_answer_409(owner_client, cycle, food):
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
    assert owner_client.get(reverse("cycles:budgets", args=[cycle.pk])).status_code == 409
    assert _post_budgets(owner_client, cycle, {f"amount_{food.pk}": "1"}).status_code == 409
    copy = owner_client.post(reverse("cycles:budgets_copy", args=[cycle.pk]))
    assert copy.status_code == 409
    assert not CategoryBudget.objects.exists()


def test_copy_and_usual_buttons_answer_with_the_panel(owner_client, household, food, htmx_headers):
    earlier = CycleFactory(household=household)
    budget_services.set_budget(cycle=earlier, category=food, amount=Decimal("77"))
    cycle = CycleFactory(household=household)
    response = owner_client.post(reverse("cycles:budgets_copy", args=[cycle.pk]), **htmx_headers)
    assert response.status_code == 200 and "77.00 USD" in response.content.decode()
    response = owner_client.post(reverse("cycles:budgets_usual", args=[cycle.pk]), **htmx_headers)
    assert response.status_code == 200


def test_a_stranger_gets_404(stranger_client, cycle, food):
    assert stranger_client.get(reverse("cycles:budgets", args=[cycle.pk])).status_code == 404
    assert _post_budgets(stranger_client, cycle, {f"amount_{food.pk}": "1"}).status_code == 404
    assert not CategoryBudget.objects.exists()


def test_cycle_page_with_budgets_income_and_rollover_runs_at_most_10_queries_at_1000_expenses(
    owner_client, household, owner, food, fun, django_assert_max_num_queries
):
    food.rolls_over = True
    food.save()
    earlier = CycleFactory(household=household, status=Cycle.Status.COMPLETED)
    CategoryBudget.objects.create(cycle=earlier, category=food, amount=Decimal("100"))
    _spend(earlier, food, "60")
    cycle = CycleFactory(household=household, status=Cycle.Status.ACTIVE)
    budget_services.set_budgets(
        cycle=cycle, amounts={food.pk: Decimal("5000"), fun.pk: Decimal("10")}
    )
    from budget.services import income as income_services

    for description in ("Salary", "Side job"):
        income_services.add_income_line(
            cycle=cycle,
            description=description,
            amount=Decimal("2000"),
            currency="USD",
            expected_date=cycle.start_date,
            member=owner,
        )
    Expense.objects.bulk_create(
        [
            Expense(
                cycle=cycle,
                description=f"Row {index}",
                amount=Decimal("1.25"),
                planned_amount=Decimal("1.25"),
                currency="USD",
                date=cycle.start_date,
                category=food if index % 2 else fun,
                base_amount=Decimal("1.25"),
                rate=Decimal(1),
                rate_date=cycle.start_date,
                rate_source="same",
                created_by=owner,
            )
            for index in range(1000)
        ]
    )
    url = reverse("cycles:detail", args=[cycle.pk])
    owner_client.get(url)  # warm: the session's idle expiry is refreshed hourly
    # 10, and two for who owes whom (sharing: the cycle's shares and settlements).
    with django_assert_max_num_queries(12):
        body = owner_client.get(url).content.decode()
    assert f'id="budget-line-{food.pk}"' in body
    assert 'data-over="true"' in body  # Fun: 500 x 1.25 against 10
    assert "Salary" in body and "40.00 USD" in body  # Food's rollover from the earlier cycle
    with django_assert_max_num_queries(12):
        owner_client.get(reverse("cycles:detail", args=[earlier.pk]))
    # The dashboard's who owes whom: the household's balances (four queries).
    with django_assert_max_num_queries(14):
        owner_client.get(reverse("dashboard"))


def test_an_expense_action_answers_with_the_budgets_out_of_band(
    owner_client, cycle, food, htmx_headers
):
    budget_services.set_budget(cycle=cycle, category=food, amount=Decimal("10"))
    response = owner_client.post(
        reverse("cycles:expense_add", args=[cycle.pk]),
        {
            "date": cycle.start_date.isoformat(),
            "description": "Groceries",
            "category": food.pk,
            "amount": "12.00",
            "currency": "USD",
            "status": "planned",
        },
        **htmx_headers,
    )
    body = response.content.decode()
    assert response.status_code == 200
    budgets = body.split('id="cycle-budgets"')[1]
    assert 'hx-swap-oob="true"' in budgets[:300]
    assert 'data-over="true"' in budgets and "-2.00 USD" in budgets


def test_the_budget_query_gives_the_same_totals_as_cycle_totals(cycle, food, fun):
    from budget.selectors import cycle_totals

    _spend(cycle, food, "10.10")
    paid = _spend(cycle, fun, "20.00", status=Expense.Status.PAID, paid_on=cycle.start_date)
    Expense.objects.filter(pk=paid.pk).update(
        planned_amount=Decimal("18.00"), currency="EUR", rate=Decimal("1.1"), base_amount=22
    )
    _spend(cycle, food, "5", status=Expense.Status.SKIPPED)
    _spend(cycle, fun, "7", currency="EUR", base_amount=None, rate=None)
    assert cycle_budget(cycle).totals == cycle_totals(cycle)


def test_a_category_without_budget_or_spending_has_a_line_but_no_row(cycle, food, fun):
    budget_services.set_budget(cycle=cycle, category=food, amount=Decimal("10"))
    budget = cycle_budget(cycle)
    fun_line = _line(cycle, fun)
    assert (fun_line.budget, fun_line.planned, fun_line.paid, fun_line.rollover) == (
        None,
        Decimal(0),
        Decimal(0),
        Decimal(0),
    )
    assert fun_line in budget.form_lines and fun_line not in budget.shown
    assert [line.name for line in budget.shown] == ["Food"]


def test_an_archived_category_comes_after_the_active_ones_with_its_spending(cycle, food, fun):
    fun.is_archived = True
    fun.save()
    _spend(cycle, fun, "4")
    lines = cycle_budget(cycle).lines
    assert [line.name for line in lines][-1] == "Fun"
    assert lines[-1].is_archived and lines[-1].planned == Decimal("4")


def test_amounts_awaiting_a_rate_are_counted_apart_from_the_sums(cycle, food):
    budget_services.set_budget(cycle=cycle, category=food, amount=Decimal("50"))
    _spend(cycle, food, "20")
    _spend(cycle, food, "7", currency="EUR", base_amount=None, rate=None)
    _spend(cycle, food, "9", currency="EUR", base_amount=None, rate=None, status="skipped")
    budget = cycle_budget(cycle)
    line = _line(cycle, food)
    assert (line.planned, line.available) == (Decimal("20"), Decimal("30"))
    assert (budget.totals.awaiting_rate, budget.totals.expense_count) == (1, 2)
    assert budget.totals.skipped_count == 1


def test_rollover_counts_only_the_completed_run_right_before_and_not_skipped_spending(
    household, other_household, food
):
    food.rolls_over = True
    food.save()
    older, first, second, cycle = (CycleFactory(household=household) for _ in range(4))
    for earlier in (older, first, second):
        budget_services.set_budget(cycle=earlier, category=food, amount=Decimal("100"))
    _spend(older, food, "1")  # before an open cycle: outside the run
    _spend(first, food, "60")
    _spend(first, food, "500", status=Expense.Status.SKIPPED)
    _spend(second, food, "90", status=Expense.Status.PAID, paid_on=second.start_date)
    Cycle.objects.filter(pk__in=[first.pk, second.pk]).update(status=Cycle.Status.COMPLETED)
    theirs = CycleFactory(household=other_household)
    budget_services.set_budget(
        cycle=theirs,
        category=CategoryFactory(household=other_household, rolls_over=True),
        amount=Decimal("1000"),
    )
    Cycle.objects.filter(pk=theirs.pk).update(status=Cycle.Status.COMPLETED)
    line = _line(cycle, food)
    # (100 - 60) + (100 - 90); the older cycle is still open, so the run starts after it.
    assert (line.budget, line.rollover, line.available) == (None, Decimal("50"), Decimal("50"))


def _panel_row(html: str, category) -> str:
    row = html[html.index(f'id="budget-line-{category.pk}"') :]
    return " ".join(row[: row.index("</tr>")].split())


def test_the_panel_bar_is_paid_of_budget_with_planned_beside_it(owner_client, cycle, food, fun):
    budget_services.set_budget(cycle=cycle, category=food, amount=Decimal("100"))
    _spend(cycle, food, "30")  # planned
    _spend(cycle, food, "50", status=Expense.Status.PAID, paid_on=cycle.start_date)
    html = owner_client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    row = _panel_row(html, food)
    assert 'aria-valuenow="50"' in row and 'data-progress="50"' in row
    assert "50% paid · 80% with planned" in row
    assert 'data-budget="available">20.00 USD' in row


def test_a_category_without_a_budget_shows_no_bar_and_no_negative_available(
    owner_client, cycle, food, fun
):
    budget_services.set_budget(cycle=cycle, category=food, amount=Decimal("100"))
    _spend(cycle, fun, "12.50", status=Expense.Status.PAID, paid_on=cycle.start_date)
    html = owner_client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    row = _panel_row(html, fun)
    assert "No budget" in row
    assert 'role="progressbar"' not in row and "100%" not in row
    assert 'data-budget="available">—</td>' in row
    assert 'data-over="false"' in row and "-12.50" not in row
    assert "12.50 USD paid and planned in categories without a budget." in " ".join(html.split())
    assert not CategoryBudget.objects.filter(cycle=cycle, category=fun).exists()
