from django.dispatch import receiver

from exchange.signals import rates_refreshed

from .services import income as income_services


@receiver(rates_refreshed)
def fill_income_awaiting_a_rate(sender, results, report=None, **kwargs):
    # Idempotent: only income lines still without a base amount are filled; one that cannot be
    # (too large once converted) is reported and left awaiting.
    income_services.fill_awaiting_income_rates(report=report)
