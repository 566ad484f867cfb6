"""GET /api/v1/rates: the rates page as JSON, rates as exact decimal strings."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from exchange.tests.factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db


def test_rates_lists_the_newest_rate_per_currency_as_strings(owner_api, household):
    today = timezone.localdate()
    ExchangeRateFactory(
        base_currency="USD", quote_currency="EUR", rate=Decimal("0.9"), rate_date=today
    )
    ExchangeRateFactory(
        base_currency="USD",
        quote_currency="EUR",
        rate=Decimal("0.8"),
        rate_date=today - datetime.timedelta(days=1),
    )
    ExchangeRateFactory(
        base_currency="USD", quote_currency="JPY", rate=Decimal("154.1234567891"), rate_date=today
    )
    body = owner_api.get("/api/v1/rates").json()
    assert body["base_currency"] == "USD" and body["stale"] is False
    rates = {row["quote_currency"]: row for row in body["rates"]}
    assert rates["EUR"]["rate"] == "0.9"
    assert rates["JPY"]["rate"] == "154.1234567891"
    assert isinstance(rates["EUR"]["inverse"], str)


def test_rates_without_any_rate_say_stale(owner_api):
    body = owner_api.get("/api/v1/rates").json()
    assert body == {
        "base_currency": "USD",
        "newest_date": None,
        "max_age_days": 3,
        "stale": True,
        "rates": [],
    }
