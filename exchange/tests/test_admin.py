from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory, verified_client
from exchange.models import ExchangeRate

from .factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    # The admin needs a session that passed two-factor.
    return verified_client(UserFactory(is_staff=True, is_superuser=True))


def test_admin_lists_searches_and_filters_rates(admin_client):
    ExchangeRateFactory(quote_currency="JPY", rate=Decimal("154.12"))
    ExchangeRateFactory(quote_currency="EUR", rate=Decimal("0.9234"))
    url = reverse("admin:exchange_exchangerate_changelist")

    searched = admin_client.get(url, {"q": "JPY"})
    filtered = admin_client.get(url, {"quote_currency": "EUR", "rate_date__year": "2026"})

    assert searched.status_code == 200
    assert "154.12" in searched.content.decode()
    assert "0.9234" not in searched.content.decode()
    assert "0.9234" in filtered.content.decode()


def test_admin_fixes_a_rate(admin_client):
    rate = ExchangeRateFactory(quote_currency="EUR", rate=Decimal("9.234"))
    url = reverse("admin:exchange_exchangerate_change", args=[rate.pk])

    response = admin_client.post(
        url,
        {
            "base_currency": "USD",
            "quote_currency": "EUR",
            "rate": "0.9234",
            "rate_date": "2026-11-20",
            "fetched_at_0": "2026-11-20",
            "fetched_at_1": "12:00:00",
            "provider": "manual fix",
        },
    )

    assert response.status_code == 302
    rate.refresh_from_db()
    assert (rate.rate, rate.provider) == (Decimal("0.9234"), "manual fix")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"quote_currency": "XYZ"}, "does not know the currency"),
        ({"quote_currency": "USD"}, "must differ from the base currency"),
        ({"rate": "0"}, "The rate must be greater than zero."),
    ],
)
def test_admin_refuses_impossible_rates(admin_client, changes, error):
    data = {
        "base_currency": "USD",
        "quote_currency": "EUR",
        "rate": "0.9",
        "rate_date": date(2026, 11, 20).isoformat(),
        "fetched_at_0": "2026-11-20",
        "fetched_at_1": "12:00:00",
        "provider": "manual",
    } | changes

    response = admin_client.post(reverse("admin:exchange_exchangerate_add"), data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_rate_added_in_admin_fills_the_expenses_awaiting_it(admin_client, household):
    from expenses.tests.factories import ExpenseFactory

    household.base_currency = "USD"
    household.save()
    waiting = ExpenseFactory(
        cycle__household=household,
        amount=Decimal("100.00"),
        currency="EUR",
        base_amount=None,
        rate=None,
        rate_date=None,
        rate_source="",
    )
    response = admin_client.post(
        reverse("admin:exchange_exchangerate_add"),
        {
            "base_currency": "USD",
            "quote_currency": "EUR",
            "rate": "0.8",
            "rate_date": waiting.date.isoformat(),
            "fetched_at_0": waiting.date.isoformat(),
            "fetched_at_1": "12:00:00",
            "provider": "typed in admin",
        },
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.base_amount == Decimal("125.00")
    assert waiting.rate_source == "stored"


def test_expense_admin_shows_formatted_amounts_and_filters_by_household(
    admin_client, household, other_household
):
    from expenses.tests.factories import ExpenseFactory

    ExpenseFactory(cycle__household=household, description="Ours", amount=Decimal("6450.00"))
    ExpenseFactory(cycle__household=other_household, description="Theirs")
    url = reverse("admin:expenses_expense_changelist")
    html = admin_client.get(url).content.decode()
    assert "6,450.00 USD" in html
    filtered = admin_client.get(url, {"cycle__household__id__exact": household.pk})
    body = filtered.content.decode()
    assert filtered.status_code == 200
    assert "Ours" in body and "Theirs" not in body
