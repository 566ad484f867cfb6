import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from colony.errors import api_error_response, is_api_request, render_error

from . import two_factor
from .exceptions import ReadOnlyRole, TwoFactorSetupRequired
from .models import Membership
from .roles import SAFE_METHODS, is_allowed_for_viewers


class HouseholdMiddleware:
    """Gives every request `request.household` and `request.membership` (None when logged out or
    without a household). HouseholdModelBackend loads them with the user, so this costs no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.household = None
        if request.user.is_authenticated:
            try:
                membership = request.user.membership
            except Membership.DoesNotExist:
                membership = None
            if membership is not None:
                request.membership = membership
                request.household = membership.household
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Every response to a logged-in request (pages, fragments, CSV and zip downloads) tells
    browsers and proxies not to store it: it holds one household's data, and a shared or
    back-button cache must not show it to the next person at that computer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_vary_headers(response, ["Cookie"])
        return response


class SessionLifetimeMiddleware:
    """Ends a session SESSION_ABSOLUTE_LIFETIME after log-in and slides its idle expiry.

    Django's cookie age alone is either fixed from log-in or refreshed by a write on every
    request; this refreshes it at most once per SESSION_REFRESH_SECONDS, or per tenth of the
    idle time when that is shorter (an hourly refresh would log out active people whose idle
    time is under an hour), and adds a hard cap.
    """

    @staticmethod
    def refresh_every() -> int:
        return max(1, min(settings.SESSION_REFRESH_SECONDS, settings.SESSION_COOKIE_AGE // 10))

    STARTED = "_colony_session_started"
    REFRESHED = "_colony_session_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            started = session.setdefault(self.STARTED, now)
            if now - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
            elif now - session.get(self.REFRESHED, 0) >= self.refresh_every():
                session[self.REFRESHED] = now
        return self.get_response(request)


class ReadOnlyRoleMiddleware:
    """Refuses every write of a viewer with 403 and a message, whatever the URL, so a new write
    view is covered without remembering a decorator. Views that change only the user's own
    account opt out with `accounts.roles.allowed_for_viewers`. Runs after HouseholdMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        membership = getattr(request, "membership", None)
        if (
            membership is None
            or membership.can_write
            or request.method in SAFE_METHODS
            or is_allowed_for_viewers(view_func)
            or getattr(request.resolver_match, "app_name", "") == "admin"
        ):
            return None
        error = ReadOnlyRole()
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "success": False,
                    "error": {"code": error.code, "message": error.message, "details": {}},
                },
                status=error.status,
            )
        return render_error(request, code=error.code, message=error.message, status=error.status)


class TwoFactorRequiredMiddleware:
    """One second step for every way in (accounts.two_factor.session_factor):

    * a session of a user with a second factor that never passed it (a log-in that checked
      only the password, like the admin's form) is logged out before anything runs;
    * when the household requires two-factor, a member without one is sent to set it up
      (the API answers with its JSON error instead).

    Runs after HouseholdMiddleware; costs no query for a session whose log-in recorded the
    answer, else one query once per session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and two_factor.session_factor(user=user, session=request.session)
            is two_factor.SessionFactor.OWED
        ):
            logout(request)
            request.membership = request.household = None
            if not is_api_request(request):
                messages.info(request, "Log in again with your password and your code.")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        household = getattr(request, "household", None)
        if (
            household is None
            or not household.require_two_factor
            or getattr(view_func, "two_factor_exempt", False)
            or getattr(request.resolver_match, "app_name", "") == "admin"
        ):
            return None
        factor = two_factor.session_factor(user=request.user, session=request.session)
        if not two_factor.owes_household_setup(household=household, factor=factor):
            return None
        if is_api_request(request):
            error = TwoFactorSetupRequired()
            return api_error_response(code=error.code, message=error.message, status=error.status)
        setup = reverse("accounts:two_factor_setup")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(setup)
        return redirect(setup)
