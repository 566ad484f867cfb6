import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory
from reports import selectors
from templates_app.models import ExpenseTemplate
from templates_app.tests.factories import ExpenseTemplateFactory

from .conftest import PAID, make_expense

pytestmark = pytest.mark.django_db

D = Decimal


# -- one cycle ---------------------------------------------------------------------------------


def _report(cycle):
    return selectors.cycle_report(cycle=cycle, base_currency="USD")


def test_cycle_totals_leave_out_expenses_awaiting_a_rate_and_count_them(budget):
    report = _report(budget)

    assert report.total == D("1420.40")
    assert report.expense_count == 6
    assert report.awaiting_count == 1


def test_cycle_planned_vs_paid(budget):
    report = _report(budget)

    assert report.paid == D("1335.40")
    assert report.planned == D("85.00")


def test_cycle_income_vs_spent(budget):
    report = _report(budget)

    assert report.income == D("3000.00")
    assert report.left == D("1579.60")
    assert not report.is_over_budget


def test_cycle_totals_by_category_largest_first(budget):
    rows = [(s.label, s.total, s.count, s.awaiting) for s in _report(budget).by_category]

    assert rows == [
        ("Housing", D("1200.00"), 1, 0),
        ("Food", D("165.00"), 3, 1),
        ("Transport", D("55.40"), 2, 0),
    ]


def test_cycle_totals_by_payment_method_name_the_expenses_without_one(budget):
    rows = [(s.label, s.total, s.count) for s in _report(budget).by_payment_method]

    assert rows == [
        ("Olive's card", D("1255.00"), 2),
        ("Max's card", D("110.00"), 2),
        ("Cash", D("30.00"), 1),
        (selectors.NO_PAYMENT_METHOD, D("25.40"), 1),
    ]


def test_cycle_totals_by_member_owning_the_payment_method(budget, owner, member):
    rows = [(s.label, s.total, s.count, s.awaiting) for s in _report(budget).by_member]

    assert rows == [
        (owner.display_name, D("1255.00"), 2, 0),
        (member.display_name, D("110.00"), 2, 1),
        ("Shared (household)", D("30.00"), 1, 0),  # the household's cash: a method, no owner
        ("Unassigned", D("25.40"), 1, 0),  # no payment method at all
    ]


def test_cycle_five_largest_expenses_by_base_amount_skip_awaiting_ones(budget):
    largest = [e.description for e in _report(budget).largest]

    assert largest == ["Rent", "Groceries", "Dinner", "Train", "Bus"]


def test_empty_cycle_reports_zeros(household):
    report = _report(CycleFactory(household=household, income=D("0")))

    assert (report.total, report.paid, report.planned, report.expense_count) == (0, 0, 0, 0)
    assert report.by_category == [] and report.largest == []


def test_cycle_report_runs_a_constant_number_of_queries(household):
    small = CycleFactory(household=household)
    large = CycleFactory(household=household)
    food = CategoryFactory(household=household, name="Food")
    for cycle, count in ((small, 5), (large, 1000)):
        Expense.objects.bulk_create(
            Expense(
                cycle=cycle,
                description=f"E{i}",
                amount=D("1.50"),
                currency="USD",
                date=cycle.start_date,
                category=food,
                base_amount=D("1.50"),
                rate=D("1"),
            )
            for i in range(count)
        )
    counts = []
    for cycle in (small, large):
        with CaptureQueriesContext(connection) as queries:
            report = _report(cycle)
        counts.append(len(queries))
    assert report.total == D("1500.00")
    assert counts[0] == counts[1] <= 5


# -- across cycles -----------------------------------------------------------------------------


@pytest.fixture
def four_cycles(household):
    """Spent 100, 150, 0 and 121 (income 1,000 each); one awaiting expense in the last."""
    food = CategoryFactory(household=household, name="Food")
    fun = CategoryFactory(household=household, name="Fun")
    cycles = [
        CycleFactory(
            household=household,
            start_date=datetime.date(2025, 10, 1) + datetime.timedelta(days=43 * i),
            income=D("1000.00"),
        )
        for i in range(4)
    ]
    make_expense(cycles[0], description="a", amount=D("100.00"), category=food)
    make_expense(cycles[1], description="b", amount=D("50.00"), category=food)
    make_expense(
        cycles[1],
        description="c",
        amount=D("100.00"),
        currency="EUR",
        base_amount=D("100.00"),
        rate=D("1"),
        category=fun,
        status=PAID,
    )
    make_expense(cycles[3], description="d", amount=D("121.00"), category=fun)
    make_expense(cycles[3], description="e", amount=D("70.00"), currency="EUR", category=food)
    return cycles


def test_overview_shows_the_last_n_cycles_oldest_first(household, four_cycles):
    report = selectors.cycles_overview(household=household, range_key="3")

    assert [s.cycle for s in report.cycles] == four_cycles[1:]
    # Spent is paid money only; what is planned and not paid yet is apart.
    assert [s.spent for s in report.cycles] == [D("100.00"), D("0"), D("0")]
    assert [s.planned for s in report.cycles] == [D("50.00"), D("0"), D("121.00")]
    assert [s.income for s in report.cycles] == [D("1000.00")] * 3
    assert report.has_more


def test_overview_says_when_a_change_compares_a_plan_with_real_spending(household, four_cycles):
    report = selectors.cycles_overview(household=household, range_key="all")

    # The first cycle has only planned expenses, the second has payments: a plan is compared
    # with real spending. The last one has nothing paid yet either.
    assert [s.is_plan_only for s in report.cycles] == [True, False, False, True]
    assert [s.change_against_plan for s in report.cycles] == [False, True, False, True]


def test_overview_change_against_previous_cycle_including_the_one_before_the_range(
    household, four_cycles
):
    report = selectors.cycles_overview(household=household, range_key="3")

    # 100 → 150: +50 %; 150 → 0: -100 %; 0 → 121: nothing to compare with.
    assert [s.change for s in report.cycles] == [D("50.0"), D("-100.0"), None]


def test_overview_all_cycles_first_has_no_previous(household, four_cycles):
    report = selectors.cycles_overview(household=household, range_key="all")

    assert [s.cycle for s in report.cycles] == four_cycles
    assert not report.has_more
    assert [s.change for s in report.cycles] == [None, D("50.0"), D("-100.0"), None]


def test_overview_average_spent_per_cycle_is_rounded_half_even(household, four_cycles):
    report = selectors.cycles_overview(household=household, range_key="3")

    assert (report.total_spent, report.total_planned) == (D("100.00"), D("171.00"))
    # Paid over the two cycles that have payments or nothing at all: the last one, with only
    # planned expenses, would pull the average down with a zero.
    assert report.plan_only_count == 1
    assert report.average_spent == D("50.00")
    assert report.total_income == D("3000.00")
    assert report.average_income == D("1000.00")


def test_overview_counts_awaiting_expenses_and_leaves_them_out(household, four_cycles):
    report = selectors.cycles_overview(household=household, range_key="3")

    assert report.awaiting_count == 1
    assert report.cycles[-1].awaiting == 1


def test_overview_category_matrix_per_cycle(household, four_cycles):
    report = selectors.cycles_overview(household=household, range_key="3")

    rows = {row.label: (row.amounts, row.total) for row in report.categories}
    assert rows == {
        "Fun": ([D("100.00"), D("0"), D("121.00")], D("221.00")),
        "Food": ([D("50.00"), D("0"), D("0")], D("50.00")),
    }
    assert [row.label for row in report.categories] == ["Fun", "Food"]


def test_overview_unknown_range_falls_back_to_six(household, four_cycles):
    report = selectors.cycles_overview(household=household, range_key="bogus")

    assert report.range_key == "6" and len(report.cycles) == 4


def test_overview_without_cycles_is_empty(household):
    report = selectors.cycles_overview(household=household, range_key="all")

    assert report.cycles == [] and report.categories == []
    assert report.average_spent == D("0.00")


def test_overview_never_includes_another_households_cycles(household, other_household):
    CycleFactory(household=other_household)

    assert selectors.cycles_overview(household=household).cycles == []


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (D("150"), D("100"), D("50.0")),
        (D("100.25"), D("100"), D("0.2")),  # 0.25 → 0.2 (half-even)
        (D("100.35"), D("100"), D("0.4")),  # 0.35 → 0.4 (half-even)
        (D("50"), D("150"), D("-66.7")),
        (D("10"), D("0"), None),
        (D("10"), None, None),
    ],
)
def test_percent_change(current, previous, expected):
    assert selectors.percent_change(current, previous) == expected


def _bulk_cycles(household, cycles, per_cycle):
    food = CategoryFactory(household=household, name="Food")
    fun = CategoryFactory(household=household, name="Fun")
    made = [
        CycleFactory(
            household=household,
            start_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=43 * i),
        )
        for i in range(cycles)
    ]
    Expense.objects.bulk_create(
        Expense(
            cycle=cycle,
            description=f"E{i}",
            amount=D("2.00"),
            currency="USD",
            date=cycle.start_date,
            category=food if i % 2 else fun,
            base_amount=D("2.00"),
            rate=D("1"),
        )
        for cycle in made
        for i in range(per_cycle)
    )


def test_overview_of_all_cycles_runs_a_constant_number_of_queries(household, other_household):
    _bulk_cycles(household, 3, 5)
    _bulk_cycles(other_household, 40, 30)
    counts = []
    for owner_of in (household, other_household):
        with CaptureQueriesContext(connection) as queries:
            report = selectors.cycles_overview(household=owner_of, range_key="all")
        counts.append(len(queries))
    assert (report.total_spent, report.total_planned) == (D("0"), D("2400.00"))
    assert len(report.cycles) == 40
    assert counts[0] == counts[1] <= 6


# -- export ------------------------------------------------------------------------------------


def test_export_rows_are_one_households_expenses_by_date(budget, other_household):
    make_expense(CycleFactory(household=other_household), description="theirs", amount=D("1"))

    rows = list(selectors.expenses_for_export(household=budget.household, cycle=budget))

    assert [row[1] for row in rows] == ["Rent", "Groceries", "Dinner", "Train", "Bus", "Sushi"]


def test_export_date_range_is_inclusive(budget):
    rows = selectors.expenses_for_export(
        household=budget.household,
        start=datetime.date(2026, 1, 4),
        end=datetime.date(2026, 1, 8),
    )

    assert [row[1] for row in rows] == ["Groceries", "Dinner", "Train"]


# -- forecast ----------------------------------------------------------------------------------


@pytest.fixture
def forecast_world(household):
    """Cycles up to 2026-02-12, so the next one runs 2026-02-13 … 2026-03-26 (42 days)."""
    housing = CategoryFactory(household=household, name="Housing")
    food = CategoryFactory(household=household, name="Food")
    fun = CategoryFactory(household=household, name="Fun")
    starts = [
        datetime.date(2025, 8, 27),
        datetime.date(2025, 10, 8),
        datetime.date(2025, 11, 19),
        datetime.date(2026, 1, 1),
    ]
    cycles = [
        CycleFactory(household=household, start_date=s, end_date=s + datetime.timedelta(days=42))
        for s in starts
    ]
    rent = ExpenseTemplateFactory(
        household=household,
        name="Rent",
        amount=D("1000.00"),
        category=housing,
        frequency="monthly",
        day_of_month=1,
        start_date=datetime.date(2025, 1, 1),
    )
    ExpenseTemplateFactory(
        household=household,
        name="Climbing",
        amount=D("10.00"),
        currency="EUR",
        category=fun,
        frequency="weekly",
        start_date=datetime.date(2026, 1, 1),
    )
    ExpenseTemplateFactory(
        household=household,
        name="Magazine",
        amount=D("40.00"),
        currency="GBP",
        category=fun,
        frequency="monthly",
        day_of_month=15,
        start_date=datetime.date(2026, 1, 1),
    )
    ExpenseTemplateFactory(
        household=household, name="Paused gym", amount=D("99.00"), category=fun, is_active=False
    )
    ExpenseTemplateFactory(
        household=household,
        name="Ended",
        amount=D("99.00"),
        category=fun,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2026, 1, 31),
    )
    # Spending without a template in the last three cycles: Food 100 + 50, Fun 10.
    make_expense(cycles[0], description="too old", amount=D("999.00"), category=food)
    make_expense(cycles[1], description="shop", amount=D("100.00"), category=food)
    make_expense(cycles[2], description="shop", amount=D("50.00"), category=food)
    make_expense(cycles[3], description="cinema", amount=D("10.00"), category=fun)
    make_expense(cycles[3], description="awaiting", amount=D("5.00"), currency="EUR", category=fun)
    make_expense(
        cycles[3],
        description="rent",
        amount=D("1000.00"),
        category=housing,
        template=rent,
        occurrence_date=datetime.date(2026, 1, 1),
    )
    return household


def _fake_convert(amount, from_currency, to_currency, on_date, *, book=None):
    from exchange.exceptions import RateUnavailable

    if from_currency == "EUR" and to_currency == "USD":
        return (amount * D("1.1")).quantize(D("0.01"))
    raise RateUnavailable(from_currency, to_currency, on_date)


def test_forecast_next_cycle_starts_the_day_after_the_latest_cycle(forecast_world):
    forecast = selectors.forecast_next_cycle(
        household=forecast_world, today=datetime.date(2026, 5, 1)
    )

    assert forecast.start == datetime.date(2026, 2, 13)
    assert forecast.end == datetime.date(2026, 3, 26)


def test_forecast_without_cycles_starts_today(household):
    forecast = selectors.forecast_next_cycle(household=household, today=datetime.date(2026, 5, 1))

    assert (forecast.start, forecast.end) == (datetime.date(2026, 5, 1), datetime.date(2026, 6, 11))
    assert forecast.expected == 0 and forecast.history_cycles == 0


def test_forecast_counts_active_template_occurrences_and_converts_them(forecast_world, monkeypatch):
    monkeypatch.setattr(selectors, "convert", _fake_convert)

    forecast = selectors.forecast_next_cycle(
        household=forecast_world, today=datetime.date(2026, 5, 1)
    )

    lines = {
        line.template.name: (line.count, line.total, line.base_total) for line in forecast.templates
    }
    assert lines == {
        "Rent": (1, D("1000.00"), D("1000.00")),  # 1 March
        "Climbing": (6, D("60.00"), D("66.00")),  # Thursdays 19 Feb … 26 Mar, EUR at 1.1
        "Magazine": (2, D("80.00"), None),  # 15 Feb and 15 Mar: no GBP rate
    }
    assert [line.template.name for line in forecast.awaiting] == ["Magazine"]
    assert forecast.from_templates == D("1066.00")


def test_forecast_averages_spending_without_template_over_the_last_three_cycles(
    forecast_world, monkeypatch
):
    monkeypatch.setattr(selectors, "convert", _fake_convert)

    forecast = selectors.forecast_next_cycle(
        household=forecast_world, today=datetime.date(2026, 5, 1)
    )

    rows = [
        (c.label, c.template_count, c.from_templates, c.usual_other, c.expected)
        for c in forecast.categories
    ]
    assert rows == [
        ("Housing", 1, D("1000.00"), D("0"), D("1000.00")),
        ("Fun", 6, D("66.00"), D("3.33"), D("69.33")),  # 10 / 3
        ("Food", 0, D("0"), D("50.00"), D("50.00")),  # 150 / 3
    ]
    assert forecast.history_cycles == 3
    assert forecast.usual_other == D("53.33")  # 160 / 3
    assert forecast.expected == D("1119.33")


def test_forecast_template_without_a_stored_rate_awaits_one(forecast_world):
    # No exchange rates are stored at all: the EUR and GBP templates await a rate.
    forecast = selectors.forecast_next_cycle(
        household=forecast_world, today=datetime.date(2026, 5, 1)
    )

    assert sorted(line.template.name for line in forecast.awaiting) == ["Climbing", "Magazine"]
    assert forecast.from_templates == D("1000.00")


def test_forecast_ignores_inactive_and_ended_templates(forecast_world):
    forecast = selectors.forecast_next_cycle(
        household=forecast_world, today=datetime.date(2026, 5, 1)
    )

    names = {line.template.name for line in forecast.templates}
    assert "Paused gym" not in names and "Ended" not in names
    assert ExpenseTemplate.objects.filter(household=forecast_world).count() == 5


def test_forecast_converts_with_the_stored_rates_in_a_few_queries(forecast_world):
    from exchange.tests.factories import ExchangeRateFactory

    ExchangeRateFactory(
        base_currency="EUR",
        quote_currency="USD",
        rate=D("1.1"),
        rate_date=datetime.date(2026, 2, 1),
    )
    # A rate dated after the forecast starts is not used.
    ExchangeRateFactory(
        base_currency="GBP",
        quote_currency="USD",
        rate=D("1.3"),
        rate_date=datetime.date(2026, 3, 1),
    )

    with CaptureQueriesContext(connection) as queries:
        forecast = selectors.forecast_next_cycle(
            household=forecast_world, today=datetime.date(2026, 5, 1)
        )

    lines = {line.template.name: line.base_total for line in forecast.templates}
    assert lines == {"Rent": D("1000.00"), "Climbing": D("66.00"), "Magazine": None}
    assert len(queries) <= 8
