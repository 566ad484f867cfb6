"""Variable bills (planned vs actual amount) and skipped occurrences, through the cycle page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from budget import selectors as cycle_selectors
from budget.services import generate_expenses_from_templates
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from exchange.tests.factories import ExchangeRateFactory
from expenses import services
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def cycle(household):
    return CycleFactory(
        household=household,
        start_date=datetime.date(2026, 1, 1),
        income=D("1000.00"),
        status=Cycle.Status.ACTIVE,
    )


@pytest.fixture
def food(household):
    return CategoryFactory(household=household, name="Food")


@pytest.fixture
def electricity(household, food):
    # Monthly on the 5th: two occurrences in the cycle (Jan 1 to Feb 12): Jan 5 and Feb 5.
    return ExpenseTemplateFactory(
        household=household, name="Electricity", amount=D("100.00"), category=food, day_of_month=5
    )


def _occurrence(cycle, category, amount):
    """A planned expense made by a template: only those can be skipped."""
    template = ExpenseTemplateFactory(household=cycle.household, category=category, amount=amount)
    return ExpenseFactory(
        cycle=cycle,
        category=category,
        amount=amount,
        template=template,
        occurrence_date=cycle.start_date,
    )


def _pay_url(expense):
    return reverse("cycles:expense_toggle_paid", args=[expense.pk])


def _detail(cycle):
    return reverse("cycles:detail", args=[cycle.pk])


# -- variable bills ------------------------------------------------------------------------------


def test_generated_expense_is_planned_at_the_template_amount(cycle, electricity, owner):
    generate_expenses_from_templates(cycle=cycle, created_by=owner)
    expense = Expense.objects.filter(template=electricity).first()
    assert expense.planned_amount == D("100.00") and expense.amount == D("100.00")


def test_manual_expense_is_planned_at_its_amount(owner_client, cycle, food):
    owner_client.post(
        reverse("cycles:expense_add", args=[cycle.pk]),
        {
            "date": "2026-01-10",
            "description": "Groceries",
            "category": food.pk,
            "amount": "12.50",
            "currency": "USD",
            "status": "planned",
        },
    )
    expense = Expense.objects.get()
    assert expense.planned_amount == D("12.50") == expense.amount


def test_row_offers_paid_amount_prefilled_with_the_planned_one(owner_client, cycle, food):
    expense = ExpenseFactory(cycle=cycle, category=food, amount=D("100.00"))
    body = owner_client.get(_detail(cycle)).content.decode()
    assert '<input name="amount" value="100.00" aria-label="Paid"' in " ".join(body.split())
    assert body.count(f'aria-labelledby="l-pay d{expense.pk}"') == 1


def test_paying_over_htmx_with_the_actual_amount_keeps_the_plan(
    owner_client, cycle, food, htmx_headers
):
    expense = ExpenseFactory(cycle=cycle, category=food, amount=D("100.00"))
    response = owner_client.post(_pay_url(expense), {"amount": "112.40"}, **htmx_headers)
    body = response.content.decode()
    assert response.status_code == 200
    expense.refresh_from_db()
    assert expense.is_paid and expense.amount == D("112.40")
    assert expense.planned_amount == D("100.00")
    assert expense.base_amount == D("112.40")  # the snapshot was taken again
    assert "planned 100.00 USD" in body
    assert "Bills came in 12.40 USD over plan" in body  # the totals, out of band
    assert 'data-total="paid">112.40 USD' in body


def test_paying_without_js_redirects_and_stores_the_actual_amount(owner_client, cycle, food):
    expense = ExpenseFactory(cycle=cycle, category=food, amount=D("100.00"))
    response = owner_client.post(_pay_url(expense), {"amount": "95.00"})
    assert response.status_code == 302 and response["Location"] == _detail(cycle)
    expense.refresh_from_db()
    assert expense.is_paid and expense.amount == D("95.00") and expense.planned_amount == D("100")
    page = owner_client.get(_detail(cycle)).content.decode()
    assert "Bills came in 5.00 USD under plan" in page


def test_a_bad_paid_amount_is_a_422_in_the_row(owner_client, cycle, food, htmx_headers):
    expense = ExpenseFactory(cycle=cycle, category=food, amount=D("100.00"))
    response = owner_client.post(_pay_url(expense), {"amount": "-3"}, **htmx_headers)
    assert response.status_code == 422
    assert "more than zero" in response.content.decode()
    expense.refresh_from_db()
    assert not expense.is_paid


def test_a_paid_amount_with_too_many_decimals_is_refused_without_js(
    owner_client, cycle, food, household
):
    expense = ExpenseFactory(cycle=cycle, category=food, amount=D("1000"), currency="JPY")
    response = owner_client.post(_pay_url(expense), {"amount": "1000.5"})
    assert response.status_code == 422
    assert "JPY amounts have no decimals" in response.content.decode()


def test_paying_in_a_foreign_currency_takes_a_new_rate_snapshot(owner, cycle, food):
    ExchangeRateFactory(
        base_currency="USD",
        quote_currency="EUR",
        rate=D("0.8"),
        rate_date=datetime.date(2026, 1, 1),
    )
    expense = services.add_expense(
        cycle=cycle,
        created_by=owner,
        description="Gas",
        amount=D("80.00"),
        currency="EUR",
        date=datetime.date(2026, 1, 10),
        category=food,
        status=Expense.Status.PLANNED,
    )
    assert expense.base_amount == D("100.00")
    services.toggle_paid(expense=expense, by=owner, actual_amount=D("88.00"))
    expense.refresh_from_db()
    assert expense.base_amount == D("110.00") and expense.planned_amount == D("80.00")


def test_unpaying_goes_back_to_the_planned_amount(owner, cycle, food):
    expense = ExpenseFactory(cycle=cycle, category=food, amount=D("100.00"))
    services.toggle_paid(expense=expense, by=owner, actual_amount=D("120.00"))
    services.toggle_paid(expense=expense, by=owner)
    expense.refresh_from_db()
    assert not expense.is_paid and expense.amount == D("100.00") == expense.base_amount


def test_cycle_totals_show_planned_actual_and_difference_in_one_query(
    cycle, food, django_assert_num_queries
):
    ExpenseFactory(
        cycle=cycle,
        category=food,
        amount=D("112.40"),
        planned_amount=D("100.00"),
        status=Expense.Status.PAID,
        paid_on=cycle.start_date,
    )
    ExpenseFactory(
        cycle=cycle,
        category=food,
        amount=D("40.00"),
        planned_amount=D("50.00"),
        status=Expense.Status.PAID,
        paid_on=cycle.start_date,
    )
    ExpenseFactory(cycle=cycle, category=food, amount=D("30.00"))  # planned: not in the diff
    cycle = Cycle.objects.select_related("household").get(pk=cycle.pk)
    with django_assert_num_queries(1):
        totals = cycle_selectors.cycle_totals(cycle)
    assert totals.paid_planned == D("150.00")
    assert totals.paid == D("152.40")
    assert totals.paid_difference == D("2.40")
    assert totals.planned == D("182.40")


def test_editing_a_planned_amount_moves_the_plan_but_a_paid_one_only_the_actual(owner, cycle, food):
    planned = ExpenseFactory(cycle=cycle, category=food, amount=D("10.00"))
    services.update_expense(expense=planned, updated_by=owner, amount=D("15.00"))
    planned.refresh_from_db()
    assert planned.planned_amount == D("15.00")
    paid = ExpenseFactory(
        cycle=cycle,
        category=food,
        amount=D("10.00"),
        status=Expense.Status.PAID,
        paid_on=cycle.start_date,
    )
    services.update_expense(expense=paid, updated_by=owner, amount=D("11.00"))
    paid.refresh_from_db()
    assert paid.planned_amount == D("10.00") and paid.amount == D("11.00")


def test_cycle_report_shows_plan_against_actual(owner_client, cycle, food):
    ExpenseFactory(
        cycle=cycle,
        category=food,
        amount=D("112.40"),
        planned_amount=D("100.00"),
        status=Expense.Status.PAID,
        paid_on=cycle.start_date,
    )
    body = owner_client.get(reverse("reports:cycle", args=[cycle.pk])).content.decode()
    assert "Bills came in 12.40 USD over plan" in body
    assert "planned 100.00 USD, actual 112.40 USD" in body


# -- skipping an occurrence ------------------------------------------------------------------------


def test_skipping_over_htmx_strikes_the_row_and_leaves_it_out_of_the_totals(
    owner_client, owner, cycle, electricity, htmx_headers
):
    generate_expenses_from_templates(cycle=cycle, created_by=owner)
    first = Expense.objects.filter(template=electricity).order_by("date").first()
    response = owner_client.post(reverse("cycles:expense_skip", args=[first.pk]), **htmx_headers)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<tr id="expense-{first.pk}" data-status="skipped" class="skipped"' in " ".join(
        body.split()
    )
    assert "Restore" in body
    assert 'data-total="planned">100.00 USD' in body  # only the February occurrence
    first.refresh_from_db()
    assert first.is_skipped and first.paid_on is None


def test_skipped_expenses_are_left_out_of_every_total(owner_client, owner, cycle, food, household):
    ExpenseFactory(cycle=cycle, category=food, amount=D("30.00"))
    skipped = _occurrence(cycle, food, D("500.00"))
    services.skip_expense(expense=skipped, by=owner)

    page = owner_client.get(_detail(cycle)).content.decode()
    assert 'data-total="planned">30.00 USD' in page
    assert "1 skipped expense not in the totals" in page
    listing = owner_client.get(reverse("cycles:list")).content.decode()
    assert "30.00 USD" in listing and "500.00" not in listing
    dashboard = owner_client.get(reverse("dashboard")).content.decode()
    assert 'data-total="planned">30.00 USD' in dashboard
    report = owner_client.get(reverse("reports:cycle", args=[cycle.pk]))
    assert report.context["report"].total == D("30.00")
    assert report.context["report"].expense_count == 1
    overview = owner_client.get(reverse("reports:overview"), {"range": "all"})
    # The 30.00 is planned, not paid: the overview counts it as planned, never as spent.
    assert overview.context["report"].total_planned == D("30.00")
    assert overview.context["report"].total_spent == D("0")


def test_skipped_expenses_are_left_out_of_the_forecast_average(owner, household, food):
    past = CycleFactory(
        household=household, status=Cycle.Status.ACTIVE, start_date=datetime.date(2026, 1, 1)
    )
    ExpenseFactory(cycle=past, category=food, amount=D("42.00"))
    skipped = _occurrence(past, food, D("900.00"))
    services.skip_expense(expense=skipped, by=owner)
    from reports.selectors import forecast_next_cycle

    forecast = forecast_next_cycle(household=household, today=datetime.date(2026, 1, 5))
    assert forecast.usual_other == D("42.00")


def test_regeneration_never_brings_a_skipped_occurrence_back(
    owner_client, owner, cycle, electricity
):
    generate_expenses_from_templates(cycle=cycle, created_by=owner)
    first = Expense.objects.filter(template=electricity).order_by("date").first()
    owner_client.post(reverse("cycles:expense_skip", args=[first.pk]))

    response = owner_client.post(reverse("cycles:generate", args=[cycle.pk]))

    assert response.status_code == 302
    assert Expense.objects.filter(template=electricity).count() == 2
    first.refresh_from_db()
    assert first.is_skipped


def test_restoring_a_skipped_expense_counts_it_again(
    owner_client, owner, cycle, food, htmx_headers
):
    expense = _occurrence(cycle, food, D("30.00"))
    services.skip_expense(expense=expense, by=owner)
    response = owner_client.post(
        reverse("cycles:expense_restore", args=[expense.pk]), **htmx_headers
    )
    assert response.status_code == 200
    assert 'data-total="planned">30.00 USD' in response.content.decode()
    expense.refresh_from_db()
    assert expense.status == Expense.Status.PLANNED


def test_a_paid_expense_cannot_be_skipped(owner_client, cycle, food, htmx_headers):
    expense = ExpenseFactory(
        cycle=cycle, category=food, status=Expense.Status.PAID, paid_on=cycle.start_date
    )
    response = owner_client.post(reverse("cycles:expense_skip", args=[expense.pk]), **htmx_headers)
    assert response.status_code == 409
    expense.refresh_from_db()
    assert expense.is_paid


def test_skipping_in_a_completed_cycle_is_refused(owner_client, household, food):
    cycle = CycleFactory(household=household, status=Cycle.Status.COMPLETED)
    expense = ExpenseFactory(cycle=cycle, category=food)
    response = owner_client.post(reverse("cycles:expense_skip", args=[expense.pk]))
    assert response.status_code == 409


def test_skip_and_restore_are_404_for_another_household(stranger_client, cycle, food):
    expense = ExpenseFactory(cycle=cycle, category=food)
    for name in ("expense_skip", "expense_restore"):
        response = stranger_client.post(reverse(f"cycles:{name}", args=[expense.pk]))
        assert response.status_code == 404


def test_skipped_status_needs_no_paid_date_in_the_database(cycle, food):
    expense = ExpenseFactory(cycle=cycle, category=food, status=Expense.Status.SKIPPED)
    assert expense.paid_on is None
