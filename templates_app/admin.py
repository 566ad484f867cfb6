from django.contrib import admin
from django.utils import timezone

from .models import ExpenseTemplate
from .occurrences import monthly_equivalent, next_occurrence


@admin.register(ExpenseTemplate)
class ExpenseTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "household",
        "amount",
        "currency",
        "frequency",
        "category",
        "payment_method",
        "is_active",
        "next_occurrence",
    ]
    list_filter = ["frequency", "is_active", "currency"]
    search_fields = ["name", "household__name", "category__name", "note"]
    list_select_related = ["household", "category", "payment_method"]
    autocomplete_fields = ["household", "category", "payment_method"]
    readonly_fields = ["next_occurrence", "monthly_equivalent", "created_at", "updated_at"]
    date_hierarchy = "start_date"

    @admin.display(description="Next occurrence")
    def next_occurrence(self, obj: ExpenseTemplate):
        if obj.pk is None or not obj.is_active:
            return "—"
        return next_occurrence(obj, timezone.localdate()) or "ended"

    @admin.display(description="Per month")
    def monthly_equivalent(self, obj: ExpenseTemplate):
        if obj.pk is None:
            return "—"
        return f"{monthly_equivalent(obj)} {obj.currency}"
