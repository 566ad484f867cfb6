"""Money that fits (issue 11, points 1 and 2): ordinary amounts in every currency are accepted,
a conversion never overflows a column, typed rates are capped, and one expense that cannot be
converted never keeps the others awaiting a rate."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
import responses
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import HouseholdFactory, make_owner
from budget.selectors import cycle_totals
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from exchange.money import AmountTooLargeInBase, InvalidRate
from exchange.tests.factories import ExchangeRateFactory
from expenses import services
from expenses.exceptions import ImportRowNotAllowed
from expenses.imports import services as import_services
from expenses.imports.rows import IMPORT, ImportRow
from expenses.models import Category, Expense
from expenses.tests.factories import ExpenseFactory

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.date(2026, 1, 10)
HTMX = {"HTTP_HX_REQUEST": "true"}


def home(base_currency):
    household = HouseholdFactory(base_currency=base_currency)
    owner = make_owner(household)
    cycle = CycleFactory(
        household=household, start_date=datetime.date(2026, 1, 1), status=Cycle.Status.ACTIVE
    )
    category = Category.objects.filter(household=household).first()
    return owner, cycle, category


def add(cycle, owner, category, amount, currency, **extra):
    extra.setdefault("status", "planned")  # a plan, whatever its date (which has passed)
    return services.add_expense(
        cycle=cycle,
        created_by=owner,
        description="Something",
        amount=D(amount),
        currency=currency,
        date=DAY,
        category=category,
        **extra,
    )


def test_ordinary_amounts_in_large_unit_currencies_are_accepted():
    owner, cycle, category = home("VND")
    assert add(cycle, owner, category, "1500000", "VND").base_amount == D("1500000")
    assert add(cycle, owner, category, "1200000", "KRW").base_amount is None  # awaiting a rate
    assert add(cycle, owner, category, "250000000000", "IDR").amount == D("250000000000")


def test_a_usd_bill_in_a_vnd_household_converts_without_overflow():
    ExchangeRateFactory(base_currency="USD", quote_currency="VND", rate=D("25000"), rate_date=DAY)
    owner, cycle, category = home("VND")

    expense = add(cycle, owner, category, "40000", "USD")

    assert expense.base_amount == D("1000000000")
    assert cycle_totals(Cycle.objects.get(pk=cycle.pk)).planned == D("1000000000")


def test_the_largest_amounts_total_without_overflow(client):
    owner, cycle, category = home("USD")
    for _ in range(3):
        add(cycle, owner, category, "999999999999", "USD")
    client.force_login(owner)
    response = client.get(reverse("cycles:detail", args=[cycle.pk]))
    assert response.status_code == 200
    assert cycle_totals(Cycle.objects.get(pk=cycle.pk)).planned == D("2999999999997")


def test_a_conversion_beyond_what_a_column_holds_is_a_field_error_not_a_500(client):
    ExchangeRateFactory(base_currency="USD", quote_currency="VND", rate=D("25000"), rate_date=DAY)
    owner, cycle, category = home("VND")
    with pytest.raises(AmountTooLargeInBase):
        add(cycle, owner, category, "999999999999", "USD")

    client.force_login(owner)
    response = client.post(
        reverse("cycles:expense_add", args=[cycle.pk]),
        {
            "date": DAY.isoformat(),
            "description": "A ship",
            "category": category.pk,
            "amount": "999999999999",
            "currency": "USD",
            "status": "planned",
        },
        **HTMX,
    )
    assert response.status_code == 422
    assert "In VND this is more than 999,999,999,999" in response.content.decode()
    assert not Expense.objects.exists()


def test_a_rate_made_from_a_tiny_stored_rate_fits_its_column():
    # 1 USD = 0.0000000001 KWD stored (absurd, but the provider check lets it through):
    # KWD → USD is then 10,000,000,000, more than the old numeric(20, 10) held.
    ExchangeRateFactory(
        base_currency="USD", quote_currency="KWD", rate=D("0.0000000001"), rate_date=DAY
    )
    owner, cycle, category = home("USD")
    expense = add(cycle, owner, category, "0.001", "KWD")
    expense.refresh_from_db()
    assert expense.rate == D("10000000000") and expense.base_amount == D("10000000")


def test_the_issues_manual_rate_of_1001_is_refused_when_a_rate_is_stored(client):
    ExchangeRateFactory(base_currency="USD", quote_currency="EUR", rate=D("0.92"), rate_date=DAY)
    owner, cycle, category = home("USD")
    with pytest.raises(InvalidRate) as error:
        add(cycle, owner, category, "999999.99", "EUR", manual_rate=D("1001"))
    assert "a bank's rate is never 10 times off it" in error.value.message
    # Close to the stored rate (what a bank charges) is fine.
    expense = add(cycle, owner, category, "999999.99", "EUR", manual_rate=D("1.12"))
    assert expense.base_amount == D("1119999.99")


def test_a_manual_rate_without_a_stored_one_converts_within_the_columns():
    owner, cycle, category = home("USD")
    expense = add(cycle, owner, category, "999999.99", "EUR", manual_rate=D("1001"))
    assert expense.base_amount == D("1000999989.99")


@pytest.mark.parametrize("rate", ["0.0000000001", "1000000001", "99999999999"])
def test_a_manual_rate_out_of_range_is_a_field_error(client, rate):
    owner, cycle, category = home("USD")
    expense = add(cycle, owner, category, "100", "EUR")
    client.force_login(owner)
    response = client.post(
        reverse("cycles:expense_edit", args=[expense.pk]),
        {
            "date": DAY.isoformat(),
            "description": "Hotel",
            "category": category.pk,
            "amount": "100",
            "currency": "EUR",
            "status": "planned",
            "rate": rate,
            "version": expense.version,
        },
        **HTMX,
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "A rate is between 0.000000001 and 1,000,000,000." in body
    expense.refresh_from_db()
    assert expense.rate_source != Expense.RateSource.MANUAL


def _bank_row(line, amount):
    return ImportRow(
        line=line,
        cells=(),
        status=IMPORT,
        date=DAY,
        description=f"Row {line}",
        amount=D(amount),
        currency="USD",
    )


def test_an_imported_row_too_large_once_converted_refuses_the_import_saying_which_line():
    # The import refuses a row breaking an expense rule as a whole (nothing half imported);
    # converted beyond the bound is such a rule: a 422 naming the line, never a 500.
    ExchangeRateFactory(base_currency="USD", quote_currency="VND", rate=D("25000"), rate_date=DAY)
    owner, cycle, category = home("VND")
    fits, too_large = (
        import_services.RowDecision(row=_bank_row(line, amount), action="new", category=category)
        for line, amount in ((2, "40000"), (3, "999999999999"))
    )

    with pytest.raises(ImportRowNotAllowed) as error:
        import_services.import_statement(cycle=cycle, decisions=[fits, too_large], created_by=owner)

    assert error.value.status == 422
    assert error.value.message.startswith("Line 3: In VND this is more than 999,999,999,999")
    assert not Expense.objects.exists()
    result = import_services.import_statement(cycle=cycle, decisions=[fits], created_by=owner)
    assert result.created == 1 and Expense.objects.get().base_amount == D("1000000000")


def test_a_bank_row_paying_a_planned_expense_must_fit_once_converted():
    ExchangeRateFactory(base_currency="USD", quote_currency="VND", rate=D("25000"), rate_date=DAY)
    owner, cycle, category = home("VND")
    planned = add(cycle, owner, category, "100", "USD")

    def pay(line, amount):
        decision = import_services.RowDecision(
            row=_bank_row(line, amount), action="pay", pays=planned.pk
        )
        return import_services.import_statement(cycle=cycle, decisions=[decision], created_by=owner)

    with pytest.raises(ImportRowNotAllowed) as error:
        pay(4, "999999999999")
    assert error.value.message.startswith("Line 4: In VND this is more than")
    planned.refresh_from_db()
    assert (planned.status, planned.amount, planned.version) == ("planned", D("100"), 1)

    assert pay(5, "120").paid == 1
    planned.refresh_from_db()
    assert (planned.status, planned.amount, planned.base_amount) == ("paid", D("120"), D("3000000"))


def _awaiting(cycle, category, amount, currency):
    return ExpenseFactory(
        cycle=cycle,
        category=category,
        amount=D(amount),
        currency=currency,
        date=DAY,
        base_amount=None,
        rate=None,
        rate_source="",
    )


def test_one_households_unconvertible_expense_keeps_no_one_else_waiting():
    _, vnd_cycle, vnd_category = home("VND")
    _, usd_cycle, usd_category = home("USD")
    huge = _awaiting(vnd_cycle, vnd_category, "999999999999", "USD")
    fine = _awaiting(vnd_cycle, vnd_category, "10", "USD")
    other = _awaiting(usd_cycle, usd_category, "100", "EUR")
    ExchangeRateFactory(base_currency="USD", quote_currency="VND", rate=D("25000"), rate_date=DAY)
    ExchangeRateFactory(base_currency="USD", quote_currency="EUR", rate=D("0.8"), rate_date=DAY)
    lines = []

    assert services.fill_awaiting_rates(today=DAY, report=lines.append) == 2

    for expense in (huge, fine, other):
        expense.refresh_from_db()
    assert huge.base_amount is None
    assert fine.base_amount == D("250000") and other.base_amount == D("125.00")
    assert len(lines) == 1 and f"Expense {huge.pk}" in lines[0]
    assert "In VND this is more than 999,999,999,999" in lines[0]


def test_refresh_rates_says_which_expenses_it_skipped(settings):
    settings.EXCHANGE_RATES_URL = "https://rates.example.test/v4/latest/{BASE}"
    settings.EXCHANGE_RATES_API_KEY = ""
    _, cycle, category = home("VND")
    huge = _awaiting(cycle, category, "999999999999", "USD")
    fine = _awaiting(cycle, category, "10", "USD")
    out, err = StringIO(), StringIO()
    body = '{"base": "VND", "date": "2026-01-10", "rates": {"USD": 0.00004, "EUR": 0.000035}}'

    with responses.RequestsMock() as provider:
        provider.get("https://rates.example.test/v4/latest/VND", body=body)
        call_command("refresh_rates", stdout=out, stderr=err)

    fine.refresh_from_db()
    huge.refresh_from_db()
    assert fine.base_amount == D("250000") and huge.base_amount is None
    assert f"Skipped: Expense {huge.pk} (999999999999.000 USD" in err.getvalue()
    assert "VND 2026-01-10 from" in out.getvalue()


def test_an_expenses_own_manual_rate_sent_back_unchanged_is_not_judged_again(client):
    # Typed before a rate was stored for the pair; the edit form sends it back with every save.
    owner, cycle, category = home("USD")
    expense = add(cycle, owner, category, "100", "EUR", manual_rate=D("1001"))
    ExchangeRateFactory(base_currency="USD", quote_currency="EUR", rate=D("0.92"), rate_date=DAY)
    client.force_login(owner)
    response = client.post(
        reverse("cycles:expense_edit", args=[expense.pk]),
        {
            "date": DAY.isoformat(),
            "description": "Hotel (two nights)",
            "category": category.pk,
            "amount": "100",
            "currency": "EUR",
            "status": "planned",
            "rate": "1001",
            "version": expense.version,
        },
        **HTMX,
    )
    assert response.status_code == 200
    expense.refresh_from_db()
    assert expense.description == "Hotel (two nights)" and expense.rate == D("1001")
