from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from exchange.models import ExchangeRate

from .factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_lists_searches_and_filters_rates(admin_client):
    ExchangeRateFactory(quote_currency="JPY", rate=Decimal("154.12"))
    ExchangeRateFactory(quote_currency="EUR", rate=Decimal("0.9234"))
    url = reverse("admin:exchange_exchangerate_changelist")

    searched = admin_client.get(url, {"q": "JPY"})
    filtered = admin_client.get(url, {"quote_currency": "EUR", "rate_date__year": "2026"})

    assert searched.status_code == 200
    assert "154.1200000000" in searched.content.decode()
    assert "0.9234000000" not in searched.content.decode()
    assert "0.9234000000" in filtered.content.decode()


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
