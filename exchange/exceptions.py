"""Domain errors of the exchange app: missing rates, unknown currencies, a misbehaving provider."""

from __future__ import annotations

from datetime import date

from colony.errors import DomainError, Unprocessable


class UnknownCurrency(Unprocessable):
    code = "UNKNOWN_CURRENCY"
    message = "Colony does not know this currency."

    def __init__(self, currency: str | None = None, **kwargs):
        self.currency = currency
        message = f"Colony does not know the currency “{currency}”." if currency else None
        super().__init__(message, **kwargs)


class RateUnavailable(Unprocessable):
    code = "RATE_UNAVAILABLE"
    message = "No exchange rate is stored for this conversion."

    def __init__(
        self,
        from_currency: str | None = None,
        to_currency: str | None = None,
        on_date: date | None = None,
        **kwargs,
    ):
        self.from_currency = from_currency
        self.to_currency = to_currency
        self.on_date = on_date
        message = None
        if from_currency and to_currency and on_date:
            message = (
                f"No exchange rate from {from_currency} to {to_currency} is stored for "
                f"{on_date.isoformat()} or earlier."
            )
        super().__init__(message, **kwargs)


class ExchangeProviderError(DomainError):
    """The rate provider could not be reached or answered something we cannot trust.

    The message is one line, safe to print and log: it never holds the URL or the API key.
    """

    code = "EXCHANGE_PROVIDER_ERROR"
    message = "The exchange-rate provider could not be used."
    status = 502


class RatesRefreshFailed(ExchangeProviderError):
    """Refreshing failed for some base currencies; `results` holds what was stored for the rest."""

    code = "RATES_REFRESH_FAILED"

    def __init__(self, message: str, *, results: list | None = None, failed: list | None = None):
        self.results = list(results or [])
        self.failed = list(failed or [])
        super().__init__(message)
