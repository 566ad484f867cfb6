"""Reads for the household page."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Household, Invite, Membership


def household_members(household: Household) -> QuerySet[Membership]:
    return household.memberships.select_related("user").order_by("joined_at")


def pending_invites(household: Household) -> QuerySet[Invite]:
    return Invite.objects.pending().filter(household=household).select_related("created_by")


def owner_count(household: Household) -> int:
    return household.memberships.filter(role=Membership.Role.OWNER).count()
