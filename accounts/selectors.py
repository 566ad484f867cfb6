"""Reads for the household page."""

from __future__ import annotations

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken, Household, Invite, Membership


def household_members(household: Household) -> QuerySet[Membership]:
    return household.memberships.select_related("user").order_by("joined_at")


def member_list(household: Household) -> list[Membership]:
    """household_members as a list, each membership holding `household` (no query for it)."""
    members = list(
        Membership.objects.filter(household_id=household.pk)
        .select_related("user")
        .order_by("joined_at")
    )
    for membership in members:
        membership.household = household
    return members


def pending_invites(household: Household) -> QuerySet[Invite]:
    return Invite.objects.pending().filter(household=household).select_related("created_by")


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """The user's API tokens, newest first (revoked and expired ones too, marked as such)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def has_two_factor(user) -> bool:
    """The user has a confirmed second factor (an authenticator app)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
