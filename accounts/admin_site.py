"""The admin behind Colony's own log-in: the password and the second step of the log-in page,
never the admin's password-only form, and a session that passed two-factor for staff.

Imported while apps load (INSTALLED_APPS names ColonyAdminConfig), so nothing here imports
models at module level.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse


class ColonyAdminSite(admin.AdminSite):
    def has_permission(self, request):
        """Active staff whose session passed the second factor (a staff account without one
        is asked to set it up: the admin reaches every household)."""
        from .two_factor import SessionFactor, session_factor

        return (
            super().has_permission(request)
            and session_factor(user=request.user, session=request.session) is SessionFactor.PASSED
        )

    def login(self, request, extra_context=None):
        """Colony's log-in page (password, then the code), coming back to the admin after."""
        if not request.user.is_authenticated:
            target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
            return HttpResponseRedirect(
                f"{reverse('accounts:login')}?{urlencode({'next': target})}"
            )
        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        if request.user.is_active and request.user.is_staff:
            messages.info(request, "The admin needs two-factor log-in: set it up first.")
            return HttpResponseRedirect(reverse("accounts:two_factor_setup"))
        raise PermissionDenied


class ColonyAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.ColonyAdminSite"
