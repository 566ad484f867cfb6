from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.tests.factories import HouseholdFactory
from exchange.models import ExchangeRate
from exchange.signals import rates_refreshed

from .conftest import USD_URL, sample, usd_payload
from .factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db

EUR_URL = "https://rates.example.test/v4/latest/EUR"


@pytest.fixture(autouse=True)
def _no_real_sleep(monkeypatch):
    # The command builds its own client; make its back-off instant.
    monkeypatch.setattr("exchange.client.time.sleep", lambda seconds: None)


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("refresh_rates", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _rows():
    return list(
        ExchangeRate.objects.order_by("pk").values_list(
            "base_currency", "quote_currency", "rate_date", "rate", "fetched_at"
        )
    )


def test_command_stores_rates_and_says_what_it_stored(provider):
    provider.get(USD_URL, body=sample("rates-usd-exchangerate-api-v4.json"))

    out, err = run()

    assert out == "USD 2026-11-20 from test-provider: 16 stored, 0 unchanged.\n"
    assert err == ""
    assert ExchangeRate.objects.count() == 16
    assert ExchangeRate.objects.get(quote_currency="KWD").rate == Decimal("0.3074")


def test_running_the_command_twice_for_the_same_date_is_idempotent(provider):
    provider.get(USD_URL, body=usd_payload())
    run()
    before = _rows()

    out, _ = run()

    assert out == "USD 2026-11-20 from test-provider: 0 stored, 16 unchanged.\n"
    assert _rows() == before


def test_command_reports_values_it_kept_over_the_providers_new_ones(provider):
    ExchangeRateFactory(quote_currency="EUR", rate=Decimal("0.9000"), rate_date=date(2026, 11, 20))
    provider.get(USD_URL, body=usd_payload())

    out, _ = run()

    assert "15 stored, 0 unchanged, 1 skipped (already stored with another value, kept): EUR" in out
    assert ExchangeRate.objects.get(quote_currency="EUR").rate == Decimal("0.9000")


def test_quiet_prints_nothing_on_success(provider):
    provider.get(USD_URL, body=usd_payload())

    out, err = run("--quiet")

    assert (out, err) == ("", "")
    assert ExchangeRate.objects.count() == 16


def test_command_fetches_each_household_base_currency(provider):
    HouseholdFactory(base_currency="EUR")
    HouseholdFactory(base_currency="USD")
    provider.get(USD_URL, body=usd_payload())
    provider.get(EUR_URL, body=sample("rates-eur-frankfurter.json"))

    out, _ = run()

    assert out.splitlines() == [
        "EUR 2026-11-20 from test-provider: 7 stored, 0 unchanged.",
        "USD 2026-11-20 from test-provider: 16 stored, 0 unchanged.",
    ]


def test_base_option_limits_the_fetch(provider):
    HouseholdFactory(base_currency="USD")
    provider.get(EUR_URL, body=sample("rates-eur-frankfurter.json"))

    out, _ = run("--base", "eur")

    assert out.startswith("EUR ")
    assert set(ExchangeRate.objects.values_list("base_currency", flat=True)) == {"EUR"}


def test_date_option_fetches_that_date(provider, settings):
    settings.EXCHANGE_RATES_URL = "https://rates.example.test/{DATE}?from={BASE}"
    provider.get(
        "https://rates.example.test/2026-11-20?from=EUR", body=sample("rates-eur-frankfurter.json")
    )

    out, _ = run("--base", "EUR", "--date", "2026-11-20")

    assert out.startswith("EUR 2026-11-20 ")


def test_rates_refreshed_signal_is_sent_with_the_results(provider):
    provider.get(USD_URL, body=usd_payload())
    received = []

    def receiver(sender, results, **kwargs):
        received.extend(results)

    rates_refreshed.connect(receiver)
    try:
        run("--quiet")
    finally:
        rates_refreshed.disconnect(receiver)

    assert [(r.base, len(r.created)) for r in received] == [("USD", 16)]


FAILURES = {
    "timeout": {"body": requests.exceptions.ConnectTimeout("slow")},
    "connection refused": {"body": requests.exceptions.ConnectionError("refused")},
    "server error": {"status": 500},
    "rate limited": {"status": 429, "headers": {"Retry-After": "1"}},
    "malformed json": {"body": '{"base": "USD", "rates": {'},
    "wrong base": {"body": usd_payload(base="EUR")},
    "negative rate": {"body": usd_payload(rates={"EUR": -1})},
    "non-numeric rate": {"body": usd_payload(rates={"EUR": "abc"})},
    "nan": {"body": '{"base": "USD", "date": "2026-11-20", "rates": {"EUR": NaN}}'},
    "empty rates": {"body": usd_payload(rates={})},
    "missing date": {"body": usd_payload(date=None)},
}


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
def test_provider_failure_exits_1_with_one_line_and_leaves_rates_untouched(provider, failure):
    ExchangeRateFactory(quote_currency="EUR", rate=Decimal("0.91"), rate_date=date(2026, 11, 19))
    ExchangeRateFactory(quote_currency="JPY", rate=Decimal("150"), rate_date=date(2026, 11, 19))
    before = _rows()
    provider.get(USD_URL, **failure)

    with pytest.raises(CommandError) as error:
        run()

    assert error.value.returncode == 1
    message = str(error.value)
    assert message.startswith("No rates stored for USD: ")
    assert "\n" not in message
    assert "Traceback" not in message
    assert _rows() == before


def test_provider_failure_is_reported_even_when_quiet(provider):
    provider.get(USD_URL, status=503)

    with pytest.raises(CommandError) as error:
        run("--quiet")

    assert error.value.returncode == 1
    assert "HTTP 503" in str(error.value)


def test_partial_failure_prints_what_was_stored_and_exits_1(provider):
    provider.get(USD_URL, body=usd_payload())
    provider.get(EUR_URL, status=500)
    out = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("refresh_rates", "--base", "EUR", "USD", stdout=out)

    assert error.value.returncode == 1
    assert out.getvalue().startswith("USD 2026-11-20 from test-provider: 16 stored")
    assert str(error.value).startswith("No rates stored for EUR: ")
    assert str(error.value).endswith("(stored USD)")


def test_unknown_currency_exits_2():
    with pytest.raises(CommandError) as error:
        run("--base", "XYZ")

    assert error.value.returncode == 2
    assert "XYZ" in str(error.value)


def test_malformed_date_exits_2():
    with pytest.raises(CommandError) as error:
        run("--date", "20-11-2026")

    assert error.value.returncode == 2
    assert "YYYY-MM-DD" in str(error.value)
