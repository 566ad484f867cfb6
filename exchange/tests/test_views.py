from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from formats.dates import format_day

from .factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db

RATES = reverse("exchange:rates")


def _today():
    return timezone.localdate()


def test_rates_page_lists_the_newest_rate_per_currency(owner_client):
    today = _today()
    ExchangeRateFactory(quote_currency="JPY", rate=Decimal("150.5"), rate_date=today - timedelta(3))
    ExchangeRateFactory(quote_currency="JPY", rate=Decimal("154.12"), rate_date=today)
    ExchangeRateFactory(quote_currency="BHD", rate=Decimal("0.376"), rate_date=today - timedelta(1))
    ExchangeRateFactory(quote_currency="EUR", rate=Decimal("0.99"), rate_date=today + timedelta(1))
    ExchangeRateFactory(base_currency="EUR", quote_currency="GBP", rate_date=today)

    response = owner_client.get(RATES)

    body = response.content.decode()
    assert response.status_code == 200
    assert "154.12 JPY" in body
    assert "150.5" not in body
    assert "0.376 BHD" in body
    assert "1 day" in body
    assert "0 days" in body
    assert format_day(today) in body  # the household's date format
    # A rate dated in the future is not "in use" yet; another base's rates are not shown.
    assert "EUR" not in body.split('id="rates-table"')[1]
    assert "GBP" not in body
    assert "flash-warning" not in body


def test_rates_page_warns_when_the_newest_rate_is_too_old(owner_client, settings):
    settings.EXCHANGE_RATES_MAX_AGE_DAYS = 3
    ExchangeRateFactory(quote_currency="JPY", rate_date=_today() - timedelta(days=4))

    body = owner_client.get(RATES).content.decode()

    assert "flash-warning" in body
    assert "4 days old" in body
    assert "manage.py refresh_rates" in body


def test_rates_page_does_not_warn_at_exactly_the_maximum_age(owner_client, settings):
    settings.EXCHANGE_RATES_MAX_AGE_DAYS = 3
    ExchangeRateFactory(quote_currency="JPY", rate_date=_today() - timedelta(days=3))

    assert "flash-warning" not in owner_client.get(RATES).content.decode()


def test_rates_page_warns_when_there_are_no_rates(owner_client):
    body = owner_client.get(RATES).content.decode()

    assert "flash-warning" in body
    assert "No exchange rates are stored for USD yet" in body
    assert "manage.py refresh_rates" in body


def test_rates_page_uses_the_households_base_currency(owner_client, household):
    household.base_currency = "EUR"
    household.save()
    ExchangeRateFactory(base_currency="EUR", quote_currency="GBP", rate=Decimal("0.8524"))
    ExchangeRateFactory(base_currency="USD", quote_currency="JPY", rate=Decimal("154.12"))

    body = owner_client.get(RATES).content.decode()

    assert "0.8524 GBP" in body
    assert "154.12" not in body


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(RATES)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_htmx_request_gets_hx_redirect(client, htmx_headers):
    response = client.get(RATES, **htmx_headers)

    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


def test_rates_page_runs_a_constant_number_of_queries(owner_client, django_assert_max_num_queries):
    today = _today()
    ExchangeRateFactory(quote_currency="JPY", rate_date=today)
    with CaptureQueriesContext(connection) as one_rate:
        owner_client.get(RATES)

    for quote in ["EUR", "GBP", "BHD", "KWD", "CHF", "CAD", "AUD"]:
        for days in range(5):
            ExchangeRateFactory(quote_currency=quote, rate_date=today - timedelta(days))
    with django_assert_max_num_queries(len(one_rate)) as many_rates:
        response = owner_client.get(RATES)

    assert response.content.decode().count("<tr") == 1 + 8
    rate_queries = [q for q in many_rates.captured_queries if "exchange_exchangerate" in q["sql"]]
    assert len(rate_queries) == 1


def test_nav_links_to_the_rates_page(owner_client):
    body = owner_client.get(RATES).content.decode()
    assert f'href="{RATES}"' in body
