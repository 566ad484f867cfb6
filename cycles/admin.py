from django.contrib import admin

from exchange.currencies import format_money

from .models import Cycle
from .selectors import cycle_totals, with_totals


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "household",
        "start_date",
        "end_date",
        "status",
        "income",
        "planned",
        "paid",
        "balance",
    ]
    list_filter = ["status", "start_date"]
    search_fields = ["name", "household__name"]
    list_select_related = ["household"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["household"]
    readonly_fields = ["created_at", "activated_at", "completed_at", "totals"]

    def get_queryset(self, request):
        # The list's totals come from the same single aggregate query as the cycles page.
        return with_totals(super().get_queryset(request))

    @admin.display(description="planned")
    def planned(self, cycle):
        return format_money(getattr(cycle, "planned_total", None), cycle.household.base_currency)

    @admin.display(description="paid")
    def paid(self, cycle):
        return format_money(getattr(cycle, "paid_total", None), cycle.household.base_currency)

    @admin.display(description="balance")
    def balance(self, cycle):
        return format_money(getattr(cycle, "balance", None), cycle.household.base_currency)

    @admin.display(description="totals (base currency)")
    def totals(self, cycle):
        if cycle.pk is None:
            return "—"
        totals = cycle_totals(cycle)
        currency = totals.currency
        text = (
            f"planned {format_money(totals.planned, currency)}, "
            f"paid {format_money(totals.paid, currency)}, "
            f"balance {format_money(totals.balance, currency)}"
        )
        if totals.awaiting_rate:
            text += f"; {totals.awaiting_rate} awaiting a rate"
        return text
