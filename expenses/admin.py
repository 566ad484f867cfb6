from django.contrib import admin

from formats.currencies import format_money, format_rate

from .models import Category, Expense, PaymentMethod


@admin.register(PaymentMethod)
class PaymentMethodAdmin(admin.ModelAdmin):
    list_display = ["name", "household", "kind", "owner", "last4", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "household__name", "owner__email"]
    list_select_related = ["household", "owner"]
    autocomplete_fields = ["household", "owner"]
    readonly_fields = ["created_at"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "household", "is_archived", "created_at"]
    list_filter = ["is_archived"]
    search_fields = ["name", "household__name"]
    list_select_related = ["household"]
    autocomplete_fields = ["household"]
    readonly_fields = ["created_at"]


@admin.register(Expense)
class ExpenseAdmin(admin.ModelAdmin):
    list_display = [
        "description",
        "cycle",
        "date",
        "shown_amount",
        "shown_base_amount",
        "shown_rate",
        "rate_source",
        "status",
        "category",
        "created_by",
    ]
    list_filter = [
        ("cycle__household", admin.RelatedOnlyFieldListFilter),
        "status",
        "currency",
        "rate_source",
        "date",
    ]
    search_fields = ["description", "note", "cycle__name", "cycle__household__name"]
    list_select_related = ["cycle__household", "category", "payment_method", "created_by"]
    date_hierarchy = "date"
    raw_id_fields = ["cycle", "category", "payment_method", "template", "created_by", "updated_by"]
    # The rate snapshot is what the expense was converted at when saved: never edited by hand.
    readonly_fields = [
        "base_amount",
        "rate",
        "rate_date",
        "rate_source",
        "template",
        "occurrence_date",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="amount", ordering="amount")
    def shown_amount(self, obj):
        return format_money(obj.amount, obj.currency)

    @admin.display(description="in base currency", ordering="base_amount")
    def shown_base_amount(self, obj):
        if obj.base_amount is None:
            return "awaiting rate"
        return format_money(obj.base_amount, obj.cycle.household.base_currency)

    @admin.display(description="rate", ordering="rate")
    def shown_rate(self, obj):
        return "" if obj.rate is None else format_rate(obj.rate)
