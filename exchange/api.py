"""API routes of exchange rates (read only: rates come from the provider or the admin)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from colony.api_schemas import COMMON_ERRORS

from . import selectors
from .schemas import RatesResponse

router = Router(tags=["rates"])


@router.get("", response={200: RatesResponse, **COMMON_ERRORS})
def rate_list(request: HttpRequest):
    """The newest stored rate of each currency against the household's base currency."""
    overview = selectors.rates_overview(
        base_currency=request.household.base_currency, today=timezone.localdate()
    )
    return {
        "base_currency": overview.base_currency,
        "newest_date": overview.newest_date,
        "max_age_days": overview.max_age_days,
        "stale": overview.stale,
        "rates": [
            {
                "quote_currency": row.quote_currency,
                "currency_name": row.currency_name,
                "rate": format(row.rate.normalize(), "f"),
                "inverse": format(row.inverse.normalize(), "f"),
                "rate_date": row.rate_date,
                "age_days": row.age_days,
                "provider": row.provider,
                "stale": row.stale,
            }
            for row in overview.rows
        ],
    }
