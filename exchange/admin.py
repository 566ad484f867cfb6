from django.contrib import admin

from formats.currencies import format_rate

from .models import ExchangeRate
from .services import StoreResult
from .signals import rates_refreshed


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Editable for data fixes: the model's clean() checks the currency codes."""

    list_display = [
        "rate_date",
        "base_currency",
        "quote_currency",
        "shown_rate",
        "provider",
        "fetched_at",
    ]
    list_filter = ["base_currency", "quote_currency", "provider"]
    search_fields = ["base_currency", "quote_currency", "provider"]
    date_hierarchy = "rate_date"
    ordering = ["-rate_date", "base_currency", "quote_currency"]
    list_per_page = 100

    @admin.display(description="rate", ordering="rate")
    def shown_rate(self, obj):
        return format_rate(obj.rate)

    def save_model(self, request, obj, form, change):
        """A rate typed here fills the expenses awaiting it, as a fetched one does: the same
        `rates_refreshed` event runs the expenses' own fill (no second copy of that rule)."""
        super().save_model(request, obj, form, change)
        result = StoreResult(
            base=obj.base_currency,
            rate_date=obj.rate_date,
            provider=obj.provider,
            created=() if change else (obj.quote_currency,),
            unchanged=(obj.quote_currency,) if change else (),
        )
        rates_refreshed.send(sender=ExchangeRate, results=[result])
