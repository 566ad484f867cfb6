from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Household, User
from budget.demo import DEMO_RATES_PROVIDER
from budget.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD
from cycles.models import Cycle
from exchange.models import ExchangeRate
from expenses.models import Expense

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_a_household_with_a_budget_and_prints_the_login():
    output = _seed()
    assert DEMO_EMAIL in output
    assert DEMO_PASSWORD in output
    household = User.objects.get(email=DEMO_EMAIL).membership.household
    assert Cycle.objects.filter(household=household, status="active").count() == 1
    assert Cycle.objects.filter(household=household, status="completed").count() == 1
    assert Expense.objects.filter(cycle__household=household).count() > 10


def test_running_seed_demo_twice_neither_fails_nor_duplicates():
    _seed()
    counts = (Household.objects.count(), Cycle.objects.count(), Expense.objects.count())
    output = _seed()
    assert "Reusing" in output
    assert (Household.objects.count(), Cycle.objects.count(), Expense.objects.count()) == counts


def test_demo_login_shows_a_working_dashboard():
    _seed()
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": DEMO_EMAIL, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert "Next planned expenses" in dashboard.content.decode()


def test_seed_demo_prints_the_login_url_of_the_port_make_run_uses():
    out = StringIO()
    call_command("seed_demo", "--base-url", "http://127.0.0.1:8107", stdout=out)
    assert "http://127.0.0.1:8107/accounts/login/" in out.getvalue()
    assert ":8000" not in out.getvalue()


def test_the_demos_foreign_expenses_convert_at_stored_sample_rates():
    _seed()
    household = User.objects.get(email=DEMO_EMAIL).membership.household
    foreign = Expense.objects.filter(cycle__household=household).exclude(currency="USD")
    assert set(foreign.values_list("currency", flat=True)) == {"EUR", "JPY"}
    for expense in foreign:
        assert expense.base_amount is not None, expense.description
        assert expense.rate_source == Expense.RateSource.STORED
    ramen = foreign.get(currency="JPY")
    assert ramen.base_amount == Decimal("12.22")  # 1,850 JPY at 151.40 per USD
    rates = ExchangeRate.objects.filter(base_currency="USD", provider=DEMO_RATES_PROVIDER)
    assert set(rates.values_list("quote_currency", flat=True)) >= {"EUR", "JPY"}


def test_the_demos_cycle_page_shows_no_expense_awaiting_a_rate():
    _seed()
    client = Client()
    client.post(reverse("accounts:login"), {"username": DEMO_EMAIL, "password": DEMO_PASSWORD})
    household = User.objects.get(email=DEMO_EMAIL).membership.household
    active = Cycle.objects.get(household=household, status="active")
    page = client.get(reverse("cycles:detail", args=[active.pk])).content.decode()
    assert "Ramen in Tokyo" in page and "1,850 JPY" in page
    assert "awaiting rate" not in page.lower()


def test_the_printed_demo_password_passes_the_password_rules():
    validate_password(DEMO_PASSWORD, User(email=DEMO_EMAIL, first_name="Demo", last_name="User"))
