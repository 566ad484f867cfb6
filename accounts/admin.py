from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm as DjangoAdminPasswordChangeForm

from . import services
from .models import Household, Invite, Membership, User


class AdminPasswordChangeForm(DjangoAdminPasswordChangeForm):
    """The admin's "change password" form saves through the service, so the user's API tokens
    end with the old password here too."""

    def save(self, commit=True):
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data["password1"] if usable else None
        return services.set_password_by_admin(user=self.user, password=password)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = AdminPasswordChangeForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "household_name", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    list_select_related = ["membership__household"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    @admin.display(description="Household", ordering="membership__household__name")
    def household_name(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.household.name if membership else "—"


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["name", "base_currency", "created_at"]
    list_filter = ["base_currency"]
    search_fields = ["name", "memberships__user__email"]
    inlines = [MembershipInline]
    readonly_fields = ["created_at"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "household", "role", "joined_at"]
    list_filter = ["role"]
    list_select_related = ["user", "household"]
    search_fields = ["user__email", "household__name"]
    autocomplete_fields = ["user", "household"]


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ["email", "household", "created_by", "created_at", "expires_at", "accepted_at"]
    list_filter = [("accepted_at", admin.EmptyFieldListFilter), "expires_at"]
    list_select_related = ["household", "created_by"]
    search_fields = ["email", "household__name"]
    # The token hash is useless to a person and the link cannot be rebuilt from it.
    readonly_fields = ["created_at", "accepted_at", "accepted_by", "created_by"]
    exclude = ["token_hash"]
