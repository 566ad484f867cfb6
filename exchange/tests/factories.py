from datetime import date
from decimal import Decimal

from factory.django import DjangoModelFactory

from exchange.models import ExchangeRate


class ExchangeRateFactory(DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    base_currency = "USD"
    quote_currency = "EUR"
    rate = Decimal("0.9234")
    rate_date = date(2026, 11, 20)
    provider = "test-provider"
