"""Rates that are missing, typed by hand or refreshed later; currency precision; who did what."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
import responses
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from budget import selectors as cycle_selectors
from budget.services import complete_cycle
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from exchange.services import apply_rate, inverse_rate
from exchange.tests.factories import ExchangeRateFactory
from expenses import services
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory

pytestmark = pytest.mark.django_db

D = Decimal
USD_URL = "https://rates.example.test/v4/latest/USD"
SAMPLE = (
    Path(__file__).resolve().parents[2] / "exchange/tests/data/rates-usd-exchangerate-api-v4.json"
)


def payload(**changes) -> str:
    data = json.loads(SAMPLE.read_text())
    data.update(changes)
    return json.dumps(data)


@pytest.fixture(autouse=True)
def _provider(settings, monkeypatch):
    settings.EXCHANGE_RATES_URL = "https://rates.example.test/v4/latest/{BASE}"
    settings.EXCHANGE_RATES_API_KEY = ""
    settings.EXCHANGE_RATES_PROVIDER_NAME = "test-provider"
    monkeypatch.setattr("exchange.client.time.sleep", lambda seconds: None)


@pytest.fixture
def provider():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


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


def _add(client, cycle, food, **overrides):
    data = {
        "date": "2026-01-10",
        "description": "Groceries",
        "category": str(food.pk),
        "payment_method": "",
        "amount": "100.00",
        "currency": "EUR",
        "status": "planned",
        "note": "",
    }
    data.update(overrides)
    return client.post(reverse("cycles:expense_add", args=[cycle.pk]), data)


def _edit(client, expense, **overrides):
    data = {
        "date": expense.date.isoformat(),
        "description": expense.description,
        "category": str(expense.category_id),
        "payment_method": "",
        "amount": expense.amount_for_input,
        "currency": expense.currency,
        "status": expense.status,
        "note": expense.note,
        "rate": "",
    }
    data.update(overrides)
    return client.post(reverse("cycles:expense_edit", args=[expense.pk]), data)


def _detail(cycle):
    return reverse("cycles:detail", args=[cycle.pk])


def _totals(cycle):
    return cycle_selectors.cycle_totals(Cycle.objects.select_related("household").get(pk=cycle.pk))


# -- missing rates never become 1.0 ----------------------------------------------------------------


def test_expense_saved_without_a_rate_awaits_one_on_every_page(owner_client, cycle, food):
    response = _add(owner_client, cycle, food)
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert expense.base_amount is None and expense.rate is None

    page = owner_client.get(_detail(cycle)).content.decode()
    assert "awaiting rate" in page
    assert "1 expense awaits an exchange rate and is not in the totals" in page
    dashboard = owner_client.get(reverse("dashboard")).content.decode()
    assert "1 expense awaits an exchange rate" in dashboard
    listing = owner_client.get(reverse("cycles:list")).content.decode()
    assert "1 expense awaits an exchange rate" in listing
    report = owner_client.get(reverse("reports:cycle", args=[cycle.pk])).content.decode()
    assert "1 expense awaiting an exchange rate is not included" in report


def test_awaiting_expense_is_filled_in_by_the_next_successful_refresh(
    owner_client, cycle, food, provider
):
    provider.get(USD_URL, status=503)
    with pytest.raises(CommandError):  # the provider is down: nothing stored
        call_command("refresh_rates", "--quiet")
    _add(owner_client, cycle, food)
    assert "awaiting rate" in owner_client.get(_detail(cycle)).content.decode()

    provider.replace(responses.GET, USD_URL, body=payload())
    call_command("refresh_rates", "--quiet")

    expense = Expense.objects.get()
    # No rate on or before Jan 10 exists: the newest stored one (Nov 20) fills it.
    assert expense.rate_source == Expense.RateSource.STORED
    assert expense.rate_date == datetime.date(2026, 11, 20)
    assert expense.base_amount == apply_rate(D("100.00"), inverse_rate(D("0.9234")), "USD")
    page = owner_client.get(_detail(cycle)).content.decode()
    assert "awaiting rate" not in page and "await an exchange rate" not in page


def test_fill_awaiting_rates_uses_the_rate_of_the_expense_date_when_there_is_one(
    owner, cycle, food
):
    expense = ExpenseFactory(
        cycle=cycle, category=food, currency="EUR", base_amount=None, rate=None, rate_source=""
    )
    ExchangeRateFactory(quote_currency="EUR", rate=D("0.8"), rate_date=datetime.date(2026, 1, 1))
    ExchangeRateFactory(quote_currency="EUR", rate=D("0.5"), rate_date=datetime.date(2026, 11, 1))

    assert services.fill_awaiting_rates(today=datetime.date(2026, 11, 24)) == 1

    expense.refresh_from_db()
    assert expense.rate_date == datetime.date(2026, 1, 1)
    assert expense.base_amount == D("12.50")  # 10 EUR / 0.8


def test_filling_an_awaited_rate_makes_an_older_if_match_stale(owner_api, cycle, food):
    expense = ExpenseFactory(
        cycle=cycle, category=food, currency="EUR", base_amount=None, rate=None, rate_source=""
    )
    etag = owner_api.get(f"/api/v1/expenses/{expense.pk}")["ETag"]
    ExchangeRateFactory(quote_currency="EUR", rate=D("0.8"), rate_date=datetime.date(2026, 1, 1))
    assert services.fill_awaiting_rates(today=datetime.date(2026, 11, 24)) == 1

    response = owner_api.patch(
        f"/api/v1/expenses/{expense.pk}",
        {"rate": None},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "EXPENSE_CHANGED"


def test_fill_awaiting_rates_runs_a_fixed_number_of_queries(
    cycle, food, django_assert_max_num_queries
):
    for _ in range(30):
        ExpenseFactory(
            cycle=cycle, category=food, currency="EUR", base_amount=None, rate=None, rate_source=""
        )
    ExchangeRateFactory(quote_currency="EUR", rate=D("0.8"), rate_date=datetime.date(2026, 1, 1))
    with django_assert_max_num_queries(10):  # 8, and one savepoint around the writes
        assert services.fill_awaiting_rates() == 30
    assert not Expense.objects.filter(base_amount__isnull=True).exists()


def test_fill_awaiting_rates_completes_an_awaiting_expense_of_a_completed_cycle(household, food):
    # Decision: it had no base amount, so its cycle's totals said they were incomplete;
    # filling it completes that history instead of rewriting it.
    cycle = CycleFactory(household=household, status=Cycle.Status.COMPLETED)
    expense = ExpenseFactory(
        cycle=cycle, category=food, currency="EUR", base_amount=None, rate=None, rate_source=""
    )
    ExchangeRateFactory(quote_currency="EUR", rate=D("0.8"), rate_date=cycle.start_date)

    services.fill_awaiting_rates()

    expense.refresh_from_db()
    assert expense.base_amount == D("12.50")


def test_fill_awaiting_rates_leaves_a_still_unknown_pair_awaiting(cycle, food):
    expense = ExpenseFactory(
        cycle=cycle,
        category=food,
        currency="KRW",
        amount=D("1000"),
        base_amount=None,
        rate=None,
        rate_source="",
    )
    ExchangeRateFactory(quote_currency="EUR", rate=D("0.8"), rate_date=datetime.date(2026, 1, 1))
    assert services.fill_awaiting_rates() == 0
    expense.refresh_from_db()
    assert expense.base_amount is None


# -- a rate typed by hand ------------------------------------------------------------------------


def test_a_manual_rate_converts_the_expense_and_shows_in_the_row(owner_client, cycle, food):
    _add(owner_client, cycle, food)
    expense = Expense.objects.get()

    response = _edit(owner_client, expense, rate="1.0831")

    assert response.status_code == 302
    expense.refresh_from_db()
    assert expense.rate_source == Expense.RateSource.MANUAL
    assert expense.rate == D("1.0831") and expense.base_amount == D("108.31")
    page = owner_client.get(_detail(cycle)).content.decode()
    assert "manual rate 1.0831" in page and "108.31 USD" in page


def test_manual_base_amount_is_rounded_half_even(owner, cycle, food):
    expense = services.add_expense(
        cycle=cycle,
        created_by=owner,
        description="Taxi",
        amount=D("0.25"),
        currency="EUR",
        date=datetime.date(2026, 1, 10),
        category=food,
        manual_rate=D("1.1"),
    )
    assert expense.base_amount == D("0.28")  # 0.275 → 0.28 (half-even: 8 is even)
    other = services.add_expense(
        cycle=cycle,
        created_by=owner,
        description="Bus",
        amount=D("0.25"),
        currency="EUR",
        date=datetime.date(2026, 1, 10),
        category=food,
        manual_rate=D("1.3"),
    )
    assert other.base_amount == D("0.32")  # 0.325 → 0.32


def test_manual_rate_wins_over_a_later_refresh_and_an_amount_edit(
    owner_client, cycle, food, provider
):
    _add(owner_client, cycle, food)
    expense = Expense.objects.get()
    _edit(owner_client, expense, rate="1.0831")
    provider.get(USD_URL, body=payload(date="2026-01-09"))

    call_command("refresh_rates", "--quiet")
    expense.refresh_from_db()
    assert expense.rate_source == Expense.RateSource.MANUAL
    assert expense.base_amount == D("108.31")

    _edit(owner_client, expense, amount="200.00", rate="1.0831")
    expense.refresh_from_db()
    assert expense.rate == D("1.0831") and expense.base_amount == D("216.62")


def test_the_edit_row_offers_the_manual_rate_and_clearing_it_goes_back_to_stored_rates(
    owner_client, cycle, food, htmx_headers
):
    ExchangeRateFactory(quote_currency="EUR", rate=D("0.8"), rate_date=datetime.date(2026, 1, 1))
    _add(owner_client, cycle, food)
    expense = Expense.objects.get()
    _edit(owner_client, expense, rate="1.0831")
    form = owner_client.get(
        reverse("cycles:expense_edit", args=[expense.pk]), **htmx_headers
    ).content.decode()
    assert 'name="rate"' in form and 'value="1.0831"' in form

    _edit(owner_client, expense, rate="")

    expense.refresh_from_db()
    assert expense.rate_source == Expense.RateSource.STORED
    assert expense.base_amount == D("125.00")


def test_a_manual_rate_on_a_base_currency_expense_is_a_form_error(
    owner_client, cycle, food, htmx_headers
):
    expense = ExpenseFactory(cycle=cycle, category=food)
    response = owner_client.post(
        reverse("cycles:expense_edit", args=[expense.pk]),
        {
            "date": "2026-01-02",
            "description": "x",
            "category": food.pk,
            "amount": "10.00",
            "currency": "USD",
            "status": "planned",
            "rate": "1.2",
        },
        **htmx_headers,
    )
    assert response.status_code == 422
    assert "USD is the base currency: it needs no rate." in response.content.decode()


@pytest.mark.parametrize("rate", ["0", "-1", "abc", "1.12345678901"])
def test_a_bad_manual_rate_is_a_form_error(owner_client, cycle, food, htmx_headers, rate):
    _add(owner_client, cycle, food)
    expense = Expense.objects.get()
    response = owner_client.post(
        reverse("cycles:expense_edit", args=[expense.pk]),
        {
            "date": "2026-01-10",
            "description": "x",
            "category": food.pk,
            "amount": "100.00",
            "currency": "EUR",
            "status": "planned",
            "rate": rate,
        },
        **htmx_headers,
    )
    assert response.status_code == 422
    expense.refresh_from_db()
    assert expense.rate_source == ""


# -- stable history --------------------------------------------------------------------------------


def test_a_refresh_with_other_rates_changes_no_totals(owner, household, food, provider):
    ExchangeRateFactory(quote_currency="EUR", rate=D("0.8"), rate_date=datetime.date(2026, 1, 1))
    ExchangeRateFactory(quote_currency="GBP", rate=D("0.5"), rate_date=datetime.date(2026, 1, 1))
    done = CycleFactory(
        household=household, status=Cycle.Status.ACTIVE, start_date=datetime.date(2026, 1, 1)
    )
    active = CycleFactory(
        household=household, status=Cycle.Status.DRAFT, start_date=datetime.date(2026, 2, 14)
    )
    for cycle in (done, active):
        for amount, currency in [("80.00", "EUR"), ("25.00", "GBP"), ("40.00", "USD")]:
            services.add_expense(
                cycle=cycle,
                created_by=owner,
                description="x",
                amount=D(amount),
                currency=currency,
                date=cycle.start_date + datetime.timedelta(days=3),
                category=food,
            )
    complete_cycle(cycle=done)
    Cycle.objects.filter(pk=active.pk).update(status=Cycle.Status.ACTIVE)
    before = [_totals(done), _totals(active)]
    bases_before = list(Expense.objects.order_by("pk").values_list("base_amount", "rate"))

    # Very different rates, dated on the very days of the expenses.
    provider.get(USD_URL, body=payload(date="2026-01-04", rates={"EUR": 0.5, "GBP": 0.25}))
    call_command("refresh_rates", "--quiet")
    provider.replace(
        responses.GET, USD_URL, body=payload(date="2026-02-17", rates={"EUR": 0.5, "GBP": 0.25})
    )
    call_command("refresh_rates", "--quiet")

    assert [_totals(done), _totals(active)] == before
    assert before[0].planned == D("190.00")  # 100 + 50 + 40
    assert list(Expense.objects.order_by("pk").values_list("base_amount", "rate")) == bases_before


# -- currency precision ----------------------------------------------------------------------------


def test_bhd_1_005_is_stored_exactly_through_the_add_form(owner_client, cycle, food):
    response = _add(owner_client, cycle, food, amount="1.005", currency="BHD")
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert expense.amount == D("1.005") and expense.planned_amount == D("1.005")
    assert "1.005 BHD" in owner_client.get(_detail(cycle)).content.decode()


def test_jpy_1_5_is_rejected_with_a_clear_message(owner_client, cycle, food):
    response = _add(owner_client, cycle, food, amount="1.5", currency="JPY")
    assert response.status_code == 422
    assert "JPY amounts have no decimals." in response.content.decode()
    assert not Expense.objects.exists()


@pytest.mark.parametrize("currency", ["JPY", "KRW"])
def test_zero_decimal_amounts_are_entered_and_shown_without_decimals(
    owner_client, cycle, food, htmx_headers, currency
):
    _add(owner_client, cycle, food, amount="1500", currency=currency)
    expense = Expense.objects.get()
    page = owner_client.get(_detail(cycle)).content.decode()
    assert f"1,500 {currency}" in page
    row = page[page.index(f'<tr id="expense-{expense.pk}"') :]
    assert '<input name="amount" value="1,500"' in row[: row.index("</tr>")]
    form = owner_client.get(
        reverse("cycles:expense_edit", args=[expense.pk]), **htmx_headers
    ).content.decode()
    assert 'value="1,500"' in form


# -- who did what ----------------------------------------------------------------------------------


def test_row_says_who_added_and_who_changed_the_expense(
    owner_client, member_client, owner, member, cycle, food
):
    _add(owner_client, cycle, food, currency="USD")
    expense = Expense.objects.get()
    _edit(member_client, expense, description="Groceries and wine")
    expense.refresh_from_db()
    assert expense.created_by == owner and expense.updated_by == member

    page = owner_client.get(_detail(cycle)).content.decode()
    assert 'title="Added by Olive, changed by Max"' in page


def test_cycle_page_filters_by_the_member_who_added(owner_client, member, owner, cycle, food):
    ExpenseFactory(cycle=cycle, category=food, description="Olive's", created_by=owner)
    ExpenseFactory(cycle=cycle, category=food, description="Max's", created_by=member)
    response = owner_client.get(_detail(cycle), {"member": member.pk})
    assert [e.description for e in response.context["expenses"]] == ["Max's"]
    assert 'name="member"' in response.content.decode()
