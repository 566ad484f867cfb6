"""Reads for the rates page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from formats.currencies import CURRENCIES

from .models import ExchangeRate
from .services import inverse_rate


@dataclass(frozen=True)
class RateRow:
    quote_currency: str
    currency_name: str
    rate: Decimal  # units of quote per one base unit
    inverse: Decimal  # base units per one quote unit
    rate_date: date
    age_days: int
    provider: str
    stale: bool


@dataclass(frozen=True)
class RatesOverview:
    base_currency: str
    rows: list[RateRow]
    newest_date: date | None
    max_age_days: int

    @property
    def newest_age_days(self) -> int | None:
        return min((row.age_days for row in self.rows), default=None)

    @property
    def stale(self) -> bool:
        """No rates at all, or even the newest is older than EXCHANGE_RATES_MAX_AGE_DAYS."""
        age = self.newest_age_days
        return age is None or age > self.max_age_days


def rates_overview(*, base_currency: str, today: date) -> RatesOverview:
    """The newest stored rate (on or before `today`) of each currency against `base_currency`,
    in one query."""
    max_age = settings.EXCHANGE_RATES_MAX_AGE_DAYS
    latest = (
        ExchangeRate.objects.filter(base_currency=base_currency, rate_date__lte=today)
        .annotate(
            newest=Window(
                RowNumber(), partition_by=[F("quote_currency")], order_by=F("rate_date").desc()
            )
        )
        .filter(newest=1)
        .order_by("quote_currency")
        .values_list("quote_currency", "rate", "rate_date", "provider")
    )
    rows = []
    for quote, rate, rate_date, provider in latest:
        age = (today - rate_date).days
        currency = CURRENCIES.get(quote)
        rows.append(
            RateRow(
                quote_currency=quote,
                currency_name=currency.name if currency else "",
                rate=rate,
                inverse=inverse_rate(rate),
                rate_date=rate_date,
                age_days=age,
                provider=provider,
                stale=age > max_age,
            )
        )
    newest = max((row.rate_date for row in rows), default=None)
    return RatesOverview(
        base_currency=base_currency, rows=rows, newest_date=newest, max_age_days=max_age
    )
