"""API schemas of exchange rates."""

from __future__ import annotations

from datetime import date

from ninja import Schema


class RateResponse(Schema):
    quote_currency: str
    currency_name: str
    rate: str  # units of the quote currency per one unit of the base currency
    inverse: str  # units of the base currency per one unit of the quote currency
    rate_date: date
    age_days: int
    provider: str
    stale: bool


class RatesResponse(Schema):
    base_currency: str
    newest_date: date | None
    max_age_days: int
    stale: bool
    rates: list[RateResponse]
