"""Income lines: the service rules, the cycle's income totals, generation from income templates,
and the income views."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import HouseholdFactory
from budget.selectors import cycle_totals
from budget.services import generate_expenses_from_templates
from budget.services import income as income_services
from cycles.exceptions import (
    CycleAlreadyCompleted,
    IncomeDateOutsideCycle,
    IncomeMemberNotInHousehold,
    IncomeTooLarge,
)
from cycles.models import Cycle, IncomeLine
from cycles.tests.factories import CycleFactory
from exchange.models import ExchangeRate
from exchange.money import AmountTooLargeInBase, InvalidIncomeAmount
from expenses.models import Expense
from templates_app.models import ExpenseTemplate
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(household):
    return CycleFactory(household=household, income=Decimal(0), status=Cycle.Status.ACTIVE)


def _add(cycle, amount="2500.00", currency="USD", **kwargs):
    fields = {
        "description": "Salary",
        "amount": Decimal(amount),
        "currency": currency,
        "expected_date": cycle.start_date,
    }
    fields.update(kwargs)
    return income_services.add_income_line(cycle=cycle, **fields)


def _reload(cycle):
    return Cycle.objects.get(pk=cycle.pk)


def test_two_salaries_and_a_refund_add_up_to_the_cycles_income(cycle, owner, member):
    salary = _add(cycle, "2500.00", member=owner)
    _add(cycle, "1800.50", description="Max's salary", member=member)
    refund = _add(cycle, "42.10", description="Refund", is_received=True)
    cycle = _reload(cycle)
    assert (cycle.income, cycle.income_received) == (Decimal("4342.60"), Decimal("42.10"))
    income_services.set_income_received(line=salary, is_received=True)
    income_services.delete_income_line(line=refund)
    cycle = _reload(cycle)
    assert (cycle.income, cycle.income_received) == (Decimal("4300.50"), Decimal("2500.00"))
    totals = cycle_totals(cycle)
    assert (totals.income, totals.income_received, totals.income_expected) == (
        Decimal("4300.50"),
        Decimal("2500.00"),
        Decimal("1800.50"),
    )


def test_income_in_another_currency_converts_at_the_stored_rate(cycle):
    ExchangeRate.objects.create(
        base_currency="USD",
        quote_currency="EUR",
        rate=Decimal("0.8"),
        rate_date=cycle.start_date,
        provider="test",
    )
    line = _add(cycle, "100.00", currency="EUR")
    assert (line.base_amount, line.rate_source) == (Decimal("125.00"), "stored")
    assert _reload(cycle).income == Decimal("125.00")


def test_income_without_a_rate_awaits_one_and_counts_nowhere(cycle):
    line = _add(cycle, "1000", currency="JPY")
    assert line.awaits_rate
    assert _reload(cycle).income == 0


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("0", "USD"), ("-1", "USD"), ("1.001", "USD"), ("5.5", "JPY"), ("1000000000000", "USD")],
)
def test_bad_income_amounts_are_refused(cycle, amount, currency):
    with pytest.raises(InvalidIncomeAmount):
        _add(cycle, amount, currency=currency)
    assert not IncomeLine.objects.exists()


def test_a_cycles_income_cannot_outgrow_its_column(cycle):
    _add(cycle, "999999999999.00")
    with pytest.raises(IncomeTooLarge):
        _add(cycle, "1.00")
    assert _reload(cycle).income == Decimal("999999999999.00")
    assert IncomeLine.objects.count() == 1


def test_income_is_expected_within_the_cycle(cycle):
    with pytest.raises(IncomeDateOutsideCycle):
        _add(cycle, expected_date=cycle.end_date + datetime.timedelta(days=1))


def test_income_belongs_to_a_member_of_the_household(cycle, stranger):
    with pytest.raises(IncomeMemberNotInHousehold):
        _add(cycle, member=stranger)


def test_income_of_a_completed_cycle_is_read_only(cycle):
    line = _add(cycle)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.COMPLETED)
    with pytest.raises(CycleAlreadyCompleted):
        _add(cycle)
    with pytest.raises(CycleAlreadyCompleted):
        income_services.set_income_received(line=line, is_received=True)
    with pytest.raises(CycleAlreadyCompleted):
        income_services.delete_income_line(line=line)


def test_income_templates_make_income_lines_once_and_no_expense(cycle, household):
    ExpenseTemplateFactory(
        household=household,
        name="Salary",
        amount=Decimal("3000.00"),
        is_income=True,
        category=None,
        payment_method=None,
        frequency=ExpenseTemplate.Frequency.PER_CYCLE,
        day_of_month=None,
        start_date=cycle.start_date,
    )
    assert generate_expenses_from_templates(cycle=cycle) == 0
    generate_expenses_from_templates(cycle=cycle)
    assert list(IncomeLine.objects.values_list("description", "amount")) == [
        ("Salary", Decimal("3000.00"))
    ]
    assert not Expense.objects.exists()
    assert _reload(cycle).income == Decimal("3000.00")


def test_creating_a_cycle_with_income_makes_one_line(household):
    from budget.services import create_cycle

    cycle = create_cycle(
        household=household, start_date=datetime.date(2026, 5, 1), income=Decimal("1234.56")
    )
    assert list(cycle.income_lines.values_list("description", "amount", "is_received")) == [
        ("Income", Decimal("1234.56"), False)
    ]
    assert _reload(cycle).income == Decimal("1234.56")


# --- views -------------------------------------------------------------------------------------


def _post_add(client, cycle, **overrides):
    data = {
        "description": "Salary",
        "amount": "2500.00",
        "currency": "USD",
        "expected_date": cycle.start_date.isoformat(),
    }
    data.update(overrides)
    return client.post(reverse("cycles:income_add", args=[cycle.pk]), data, HTTP_HX_REQUEST="true")


def test_adding_income_updates_totals_and_unassigned_in_one_response(owner_client, cycle):
    response = _post_add(owner_client, cycle, is_received="on")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="cycle-income"' in body
    assert 'hx-swap-oob="true"' in body.split('id="cycle-totals"')[1][:300]
    assert "hx-swap-oob" in body.split('id="cycle-budgets"')[1][:400]
    assert "2,500.00 USD of the income is unassigned" in body
    assert "2,500.00 USD received" in body


def test_bad_income_input_is_a_field_error_with_422(owner_client, cycle):
    response = _post_add(owner_client, cycle, amount="-3")
    assert response.status_code == 422
    assert "The amount must be more than zero." in response.content.decode()
    response = _post_add(owner_client, cycle, expected_date="2099-01-01")
    assert response.status_code == 422
    assert "The expected date must fall within the cycle." in response.content.decode()
    assert not IncomeLine.objects.exists()


def test_receive_toggle_edit_and_delete(owner_client, cycle, owner):
    line = _add(cycle)
    response = owner_client.post(
        reverse("cycles:income_receive", args=[line.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert _reload(cycle).income_received == Decimal("2500.00")
    edit = reverse("cycles:income_edit", args=[line.pk])
    assert owner_client.get(edit).status_code == 200
    response = owner_client.post(
        edit,
        {
            "description": "Bonus",
            "amount": "10",
            "currency": "USD",
            "expected_date": cycle.start_date.isoformat(),
            "member": owner.pk,
        },
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.description, line.amount, line.member) == ("Bonus", Decimal("10"), owner)
    owner_client.post(reverse("cycles:income_delete", args=[line.pk]))
    assert not IncomeLine.objects.exists()
    assert _reload(cycle).income == 0


def test_a_stranger_gets_404_for_income(stranger_client, cycle):
    line = _add(cycle)
    for name in ("cycles:income_receive", "cycles:income_delete", "cycles:income_edit"):
        assert stranger_client.post(reverse(name, args=[line.pk])).status_code == 404
    assert _post_add(stranger_client, cycle).status_code == 404
    assert IncomeLine.objects.count() == 1


def test_income_template_form_needs_no_category(owner_client, household):
    response = owner_client.post(
        reverse("templates_app:template_create"),
        {
            "name": "Salary",
            "is_income": "on",
            "amount": "3000",
            "currency": "USD",
            "frequency": "per_cycle",
            "start_date": "2026-01-01",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    template = ExpenseTemplate.objects.get()
    assert template.is_income and template.category is None


def test_a_rate_refresh_fills_income_awaiting_a_rate_and_the_cycles_income(cycle):
    line = _add(cycle, "100.00", currency="EUR")
    assert line.awaits_rate and _reload(cycle).income == 0
    ExchangeRate.objects.create(
        base_currency="USD",
        quote_currency="EUR",
        rate=Decimal("0.8"),
        rate_date=cycle.start_date,
        provider="test",
    )
    assert income_services.fill_awaiting_income_rates() == 1
    line.refresh_from_db()
    assert line.base_amount == Decimal("125.00")
    assert _reload(cycle).income == Decimal("125.00")
    assert income_services.fill_awaiting_income_rates() == 0


# -- money that fits: income in a large-unit currency, converted beyond the bound -------------


def _usd_in_vnd(day):
    return ExchangeRate.objects.create(
        base_currency="USD",
        quote_currency="VND",
        rate=Decimal("25000"),
        rate_date=day,
        provider="test",
    )


def _vnd_cycle():
    household = HouseholdFactory(base_currency="VND")
    return CycleFactory(household=household, status=Cycle.Status.ACTIVE)


def test_income_too_large_once_converted_is_a_field_error_not_a_500():
    cycle = _vnd_cycle()
    _usd_in_vnd(cycle.start_date)
    with pytest.raises(AmountTooLargeInBase) as error:
        _add(cycle, "999999999999", currency="USD")
    assert error.value.field == "amount" and "In VND" in error.value.message
    assert not IncomeLine.objects.exists()


def test_a_refresh_leaves_an_income_line_that_would_not_fit_awaiting_and_says_so():
    cycle = _vnd_cycle()
    huge = _add(cycle, "999999999999", currency="USD")
    fine = _add(cycle, "10", currency="USD")
    other = _add(CycleFactory(status=Cycle.Status.ACTIVE), "100.00", currency="EUR")
    _usd_in_vnd(cycle.start_date)
    ExchangeRate.objects.create(
        base_currency="USD",
        quote_currency="EUR",
        rate=Decimal("0.8"),
        rate_date=cycle.start_date,
        provider="test",
    )
    lines = []

    assert income_services.fill_awaiting_income_rates(report=lines.append) == 2

    for line in (huge, fine, other):
        line.refresh_from_db()
    assert huge.awaits_rate and fine.base_amount == Decimal("250000")
    assert other.base_amount == Decimal("125.00")
    assert _reload(cycle).income == Decimal("250000")
    assert len(lines) == 1 and f"Income line {huge.pk}" in lines[0]


def test_a_refresh_that_would_push_a_cycles_income_past_the_bound_fills_no_line_of_it():
    cycle = _vnd_cycle()
    _add(cycle, "999999000000", currency="VND")
    waiting = _add(cycle, "1000", currency="USD")  # 25,000,000 VND: the total would not fit
    _usd_in_vnd(cycle.start_date)
    lines = []

    assert income_services.fill_awaiting_income_rates(report=lines.append) == 0

    waiting.refresh_from_db()
    assert waiting.awaits_rate and _reload(cycle).income == Decimal("999999000000")
    assert len(lines) == 1 and "adds up to at most 999,999,999,999" in lines[0]


def test_a_template_too_large_once_converted_waits_instead_of_refusing_the_cycle():
    cycle = _vnd_cycle()
    _usd_in_vnd(cycle.start_date)
    ExpenseTemplateFactory(
        household=cycle.household,
        name="Yacht",
        amount=Decimal("999999999999"),
        currency="USD",
        frequency=ExpenseTemplate.Frequency.PER_CYCLE,
        day_of_month=None,
        start_date=cycle.start_date,
    )
    ExpenseTemplateFactory(
        household=cycle.household,
        name="Windfall",
        amount=Decimal("999999999999"),
        currency="USD",
        is_income=True,
        category=None,
        frequency=ExpenseTemplate.Frequency.PER_CYCLE,
        day_of_month=None,
        start_date=cycle.start_date,
    )

    assert generate_expenses_from_templates(cycle=cycle) == 1

    assert Expense.objects.get(cycle=cycle).awaits_rate
    assert IncomeLine.objects.get(cycle=cycle).awaits_rate
