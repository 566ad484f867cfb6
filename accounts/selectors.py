"""Reads for the household page."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiToken, Household, Invite, Membership


def household_members(household: Household) -> QuerySet[Membership]:
    return household.memberships.select_related("user").order_by("joined_at")


def pending_invites(household: Household) -> QuerySet[Invite]:
    return Invite.objects.pending().filter(household=household).select_related("created_by")


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """The user's API tokens, newest first (revoked and expired ones too, marked as such)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
