from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Household, User
from budget.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD
from cycles.models import Cycle
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
