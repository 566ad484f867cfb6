from django.contrib import admin

from .models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Editable for data fixes: the model's clean() checks the currency codes."""

    list_display = [
        "rate_date",
        "base_currency",
        "quote_currency",
        "rate",
        "provider",
        "fetched_at",
    ]
    list_filter = ["base_currency", "quote_currency", "provider"]
    search_fields = ["base_currency", "quote_currency", "provider"]
    date_hierarchy = "rate_date"
    ordering = ["-rate_date", "base_currency", "quote_currency"]
    list_per_page = 100
