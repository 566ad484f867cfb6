from django.contrib import admin

from cycles.models import CategoryBudget, Cycle, CycleEvent, IncomeLine
from formats.currencies import format_money

from .selectors import cycle_totals, with_totals


class _ReadOnlyInline(admin.TabularInline):
    """Shown with the cycle, changed only through the app (its services keep the cycle's
    income totals and the budget rules)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CategoryBudgetInline(_ReadOnlyInline):
    model = CategoryBudget
    fields = ["category", "amount", "updated_at"]
    readonly_fields = fields


class IncomeLineInline(_ReadOnlyInline):
    model = IncomeLine
    fields = [
        "description",
        "amount",
        "currency",
        "base_amount",
        "expected_date",
        "is_received",
        "received_on",
        "member",
    ]
    readonly_fields = fields


class CycleEventInline(_ReadOnlyInline):
    model = CycleEvent
    fields = ["action", "by", "at", "note"]
    readonly_fields = fields


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
    # Income is the sum of the income lines (kept by the income services), never typed here.
    readonly_fields = [
        "income",
        "income_received",
        "created_at",
        "activated_at",
        "completed_at",
        "reopened_at",
        "reopened_by",
        "totals",
    ]
    inlines = [IncomeLineInline, CategoryBudgetInline, CycleEventInline]

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
