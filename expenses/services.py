"""Writes and rules for categories, payment methods and expenses."""

from __future__ import annotations

from accounts.models import Household

from .models import Category


def seed_default_categories(*, household: Household) -> None:
    """Give a new household the usual categories so it can budget straight away."""
    Category.objects.bulk_create(
        [Category(household=household, name=name) for name in Category.DEFAULT_NAMES],
        ignore_conflicts=True,
    )
