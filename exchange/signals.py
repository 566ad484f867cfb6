"""Exchange events other apps react to."""

import django.dispatch

# Sent by exchange.services.refresh_rates (and so by `manage.py refresh_rates`) after fetched
# rates were stored, with `results`: list[exchange.services.StoreResult] (one per base currency;
# `created` lists the new pairs). Each store is its own committed transaction unless the caller
# wrapped the refresh in one. Receivers (e.g. expenses awaiting a rate) must be idempotent; they
# may get `report`, a callable taking one line per thing they had to leave out (or None).
rates_refreshed = django.dispatch.Signal()
