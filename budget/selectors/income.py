"""Reads for income lines."""

from __future__ import annotations

from django.db.models import QuerySet

from cycles.models import Cycle, IncomeLine


def income_lines(cycle: Cycle) -> list[IncomeLine]:
    """The cycle's income lines with their member, in one query."""
    return list(IncomeLine.objects.filter(cycle_id=cycle.pk).select_related("member"))


def income_lines_for_api(cycle: Cycle) -> QuerySet[IncomeLine]:
    """The cycle's income lines by expected date (page it)."""
    return IncomeLine.objects.filter(cycle_id=cycle.pk).order_by("expected_date", "pk")
