from django.conf import settings

from .roles import can_write


def household(request):
    return {"household": getattr(request, "household", None)}


def role(request):
    """`can_write`: templates show write controls (add, edit, delete buttons) only when true."""
    return {"can_write": can_write(getattr(request, "membership", None))}


def account_features(request):
    """Which account features this server offers (password reset needs email)."""
    return {"password_reset_enabled": settings.PASSWORD_RESET_BY_EMAIL}
