from django.contrib import admin

from .models import Category, PaymentMethod


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
