import json
import logging
from datetime import date
from decimal import Decimal

import pytest
import requests
import responses

from exchange.client import RatesClient
from exchange.exceptions import ExchangeProviderError

from .conftest import USD_URL, sample, usd_payload


def test_real_exchangerate_api_payload_parses_to_decimals(provider, client_factory):
    provider.get(USD_URL, body=sample("rates-usd-exchangerate-api-v4.json"))

    fetched = client_factory().fetch("usd")

    assert fetched.base == "USD"
    assert fetched.rate_date == date(2026, 11, 20)
    assert fetched.provider == "test-provider"
    assert fetched.rates["JPY"] == Decimal("154.12")
    assert fetched.rates["BHD"] == Decimal("0.376")
    assert all(type(rate) is Decimal for rate in fetched.rates.values())
    # The base's own "USD": 1 is not a rate to store.
    assert "USD" not in fetched.rates
    assert len(fetched.rates) == 16


def test_frankfurter_payload_with_amount_one_parses(provider, client_factory):
    url = "https://api.frankfurter.test/latest?from=EUR"
    provider.get(url, body=sample("rates-eur-frankfurter.json"))

    client = client_factory(url_template="https://api.frankfurter.test/{DATE}?from={BASE}")
    fetched = client.fetch("EUR")

    assert fetched.base == "EUR"
    assert fetched.rates["USD"] == Decimal("1.0830")
    assert fetched.rates["JPY"] == Decimal("166.91")


def test_historical_fetch_puts_the_date_in_the_url(provider, client_factory):
    provider.get(
        "https://api.frankfurter.test/2026-11-22?from=EUR",
        body=sample("rates-eur-frankfurter.json"),
    )
    client = client_factory(url_template="https://api.frankfurter.test/{DATE}?from={BASE}")

    assert client.fetch("EUR", on_date=date(2026, 11, 22)).rate_date == date(2026, 11, 20)


def test_historical_fetch_without_date_placeholder_is_refused(client_factory):
    with pytest.raises(ExchangeProviderError, match=r"no \{DATE\} placeholder"):
        client_factory().fetch("USD", on_date=date(2026, 11, 20))


def test_api_key_is_sent_as_bearer_header(provider, client_factory):
    provider.get(USD_URL, body=usd_payload())

    client_factory(api_key="s3cret-key").fetch("USD")

    assert provider.calls[0].request.headers["Authorization"] == "Bearer s3cret-key"


def test_no_authorization_header_without_api_key(provider, client_factory):
    provider.get(USD_URL, body=usd_payload())

    client_factory(api_key="").fetch("USD")

    assert "Authorization" not in provider.calls[0].request.headers


def test_api_key_placeholder_goes_in_url_and_never_in_error_or_log(
    provider, client_factory, caplog
):
    caplog.set_level(logging.DEBUG, logger="colony.exchange")
    provider.get("https://rates.example.test/v6/s3cret-key/latest/USD", status=503)
    client = client_factory(
        url_template="https://rates.example.test/v6/{API_KEY}/latest/{BASE}", api_key="s3cret-key"
    )

    with pytest.raises(ExchangeProviderError) as error:
        client.fetch("USD")

    assert "s3cret-key" not in str(error.value)
    assert "s3cret-key" not in caplog.text
    assert "Authorization" not in provider.calls[0].request.headers


def test_timeouts_are_passed_to_requests(provider, client_factory):
    provider.get(USD_URL, body=usd_payload())
    client = client_factory(timeout=(1.5, 7))
    seen = {}
    original = client.session.get

    def spy(url, **kwargs):
        seen.update(kwargs)
        return original(url, **kwargs)

    client.session.get = spy
    client.fetch("USD")

    assert seen["timeout"] == (1.5, 7)


def test_default_timeouts_come_from_settings(settings):
    settings.EXCHANGE_RATES_TIMEOUT = (2.0, 5.0)
    assert RatesClient().timeout == (2.0, 5.0)


# -- failures that are retried ---------------------------------------------------------------


def test_timeout_is_retried_then_gives_a_clear_error(provider, client_factory, sleeps):
    provider.get(USD_URL, body=requests.exceptions.ReadTimeout("slow"))

    with pytest.raises(ExchangeProviderError) as error:
        client_factory().fetch("USD")

    assert str(error.value.message) == (
        "rates.example.test did not answer in time for USD (gave up after 3 attempts)."
    )
    assert len(provider.calls) == 3
    assert sleeps.calls == [1.0, 2.0]


def test_connection_refused_is_retried_then_gives_a_clear_error(provider, client_factory, sleeps):
    provider.get(USD_URL, body=requests.exceptions.ConnectionError("refused"))

    with pytest.raises(ExchangeProviderError, match=r"could not connect to rates\.example\.test"):
        client_factory().fetch("USD")

    assert len(provider.calls) == 3


def test_server_error_is_retried_and_recovers(provider, client_factory, sleeps):
    provider.get(USD_URL, status=502)
    provider.get(USD_URL, body=usd_payload())

    fetched = client_factory().fetch("USD")

    assert fetched.rates["EUR"] == Decimal("0.9234")
    assert sleeps.calls == [1.0]


def test_server_error_persisting_fails_after_all_attempts(provider, client_factory, sleeps):
    provider.get(USD_URL, status=500)

    with pytest.raises(ExchangeProviderError) as error:
        client_factory().fetch("USD")

    assert error.value.message == (
        "rates.example.test answered HTTP 500 for USD (gave up after 3 attempts)."
    )
    assert len(provider.calls) == 3


def test_rate_limit_honours_retry_after_then_succeeds(provider, client_factory, sleeps):
    provider.get(USD_URL, status=429, headers={"Retry-After": "7"})
    provider.get(USD_URL, body=usd_payload())

    fetched = client_factory().fetch("USD")

    assert sleeps.calls == [7.0]
    assert fetched.rates["JPY"] == Decimal("154.12")


def test_rate_limit_that_persists_fails(provider, client_factory, sleeps):
    provider.get(USD_URL, status=429, headers={"Retry-After": "5"})

    with pytest.raises(ExchangeProviderError, match="HTTP 429 for USD"):
        client_factory().fetch("USD")

    assert sleeps.calls == [5.0, 5.0]


def test_retry_after_is_capped(provider, client_factory, sleeps):
    provider.get(USD_URL, status=429, headers={"Retry-After": "86400"})
    provider.get(USD_URL, body=usd_payload())

    client_factory(max_retry_after_seconds=60).fetch("USD")

    assert sleeps.calls == [60.0]


def test_retry_after_as_http_date_falls_back_to_backoff(provider, client_factory, sleeps):
    provider.get(USD_URL, status=429, headers={"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"})
    provider.get(USD_URL, body=usd_payload())

    client_factory().fetch("USD")

    assert sleeps.calls == [1.0]


@pytest.mark.parametrize("status", [400, 404])
def test_client_errors_are_not_retried(provider, client_factory, sleeps, status):
    provider.get(USD_URL, status=status)

    with pytest.raises(ExchangeProviderError, match=f"HTTP {status} for USD"):
        client_factory().fetch("USD")

    assert len(provider.calls) == 1
    assert sleeps.calls == []


def test_unauthorized_points_at_the_api_key_setting(provider, client_factory):
    provider.get(USD_URL, status=401)

    with pytest.raises(ExchangeProviderError, match="check EXCHANGE_RATES_API_KEY"):
        client_factory().fetch("USD")


# -- payloads we refuse ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<html>Bad gateway</html>", "not valid JSON"),
        ('{"base": "USD", "date": "2026-11-20", "rates": {"EUR": 0.9', "not valid JSON"),
        ("[1, 2, 3]", "not a JSON object"),
        (usd_payload(base="EUR"), "it is for base 'EUR', not USD"),
        (usd_payload(base=None), "it is for base 'None', not USD"),
        (usd_payload(date=None), "“date” is missing"),
        (usd_payload(date="20/11/2026"), "not YYYY-MM-DD"),
        (usd_payload(date="2026-02-30"), "not a real date"),
        (usd_payload(date="2999-01-01"), "later than"),
        (usd_payload(rates={}), "“rates” is missing or empty"),
        (usd_payload(rates=None), "“rates” is missing or empty"),
        (usd_payload(rates=[["EUR", 0.9]]), "“rates” is missing or empty"),
        (usd_payload(rates={"USD": 1}), "no rates for other currencies"),
        (usd_payload(rates={"EUR": -0.92}), "the rate for EUR (-0.92) is not positive"),
        (usd_payload(rates={"EUR": 0}), "the rate for EUR (0) is not positive"),
        (usd_payload(rates={"EUR": "0.92"}), "the rate for EUR is not a number"),
        (usd_payload(rates={"EUR": True}), "the rate for EUR is not a number"),
        (usd_payload(rates={"EUR": None}), "the rate for EUR is not a number"),
        (usd_payload(rates={"EUR": 1e-12}), "out of range"),
        (usd_payload(rates={"EUR": 1e12}), "out of range"),
        (usd_payload(rates={"eur": 0.92}), "'eur' is not a currency code"),
        (usd_payload(rates={"EURO": 0.92}), "'EURO' is not a currency code"),
        (usd_payload(rates={"USD": 2, "EUR": 0.92}), "it says 1 USD = 2 USD"),
        (usd_payload(amount=100), "not per one unit"),
        ('{"result": "error", "error-type": "unsupported-code"}', "reported unsupported-code"),
    ],
)
def test_unusable_payload_gives_one_clear_line(provider, client_factory, body, reason):
    provider.get(USD_URL, body=body)

    with pytest.raises(ExchangeProviderError) as error:
        client_factory().fetch("USD")

    message = error.value.message
    assert message.startswith("rates.example.test sent unusable rates for USD: ")
    assert reason in message
    assert "\n" not in message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused(provider, client_factory, constant):
    body = '{"base": "USD", "date": "2026-11-20", "rates": {"EUR": CONSTANT}}'
    body = body.replace("CONSTANT", constant)
    provider.get(USD_URL, body=body)

    with pytest.raises(ExchangeProviderError, match="not valid JSON"):
        client_factory().fetch("USD")


def test_huge_number_literal_is_kept_exact_not_float(provider, client_factory):
    body = json.dumps({"base": "USD", "date": "2026-11-20"})[:-1]
    body += ', "rates": {"EUR": 0.92340000000000000000000001}}'
    provider.get(USD_URL, body=body)

    fetched = client_factory().fetch("USD")

    assert fetched.rates["EUR"] == Decimal("0.92340000000000000000000001")


def test_unknown_currencies_are_validated_and_kept_by_the_client(provider, client_factory):
    provider.get(USD_URL, body=usd_payload(rates={"EUR": 0.92, "XAU": 0.0004}))

    fetched = client_factory().fetch("USD")

    assert fetched.rates == {"EUR": Decimal("0.92"), "XAU": Decimal("0.0004")}


def test_bad_base_code_is_refused_before_any_request(client_factory):
    with responses.RequestsMock() as mock:
        with pytest.raises(ExchangeProviderError, match="not a three-letter currency code"):
            client_factory().fetch("US/D")
        assert len(mock.calls) == 0
