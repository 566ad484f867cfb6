import time

from django.conf import settings
from django.contrib.auth import logout

from .models import Membership


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


class SessionLifetimeMiddleware:
    """Ends a session SESSION_ABSOLUTE_LIFETIME after log-in and slides its idle expiry.

    Django's cookie age alone is either fixed from log-in or refreshed by a write on every
    request; this refreshes it at most once per SESSION_REFRESH_SECONDS and adds a hard cap.
    """

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
            elif now - session.get(self.REFRESHED, 0) > settings.SESSION_REFRESH_SECONDS:
                session[self.REFRESHED] = now
        return self.get_response(request)
