import json
from pathlib import Path

import pytest
import responses

from exchange.client import RatesClient

DATA = Path(__file__).parent / "data"
USD_URL = "https://rates.example.test/v4/latest/USD"
URL_TEMPLATE = "https://rates.example.test/v4/latest/{BASE}"


def sample(name: str) -> str:
    return (DATA / name).read_text()


def usd_payload(**changes) -> str:
    """The real exchangerate-api v4 sample, with `changes` applied to its top level."""
    payload = json.loads(sample("rates-usd-exchangerate-api-v4.json"))
    payload.update(changes)
    return json.dumps(payload)


class SleepRecorder:
    """Stands in for time.sleep: remembers how long the client wanted to wait."""

    def __init__(self):
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps():
    return SleepRecorder()


@pytest.fixture
def provider():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(autouse=True)
def _provider_settings(settings):
    settings.EXCHANGE_RATES_URL = URL_TEMPLATE
    settings.EXCHANGE_RATES_API_KEY = ""
    settings.EXCHANGE_RATES_PROVIDER_NAME = "test-provider"
    settings.EXCHANGE_RATES_MAX_AGE_DAYS = 3


@pytest.fixture
def client_factory(sleeps):
    def make(**kwargs) -> RatesClient:
        kwargs.setdefault("sleep", sleeps)
        return RatesClient(**kwargs)

    return make
