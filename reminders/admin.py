from django.contrib import admin

from .models import ReminderPreference, ReminderSent


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "enabled", "days_ahead", "updated_at"]
    list_filter = ["enabled"]
    list_select_related = ["user"]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["user", "sent_on", "expenses", "sent_at"]
    list_select_related = ["user"]
    date_hierarchy = "sent_on"
