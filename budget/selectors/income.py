"""Reads for income lines."""

from __future__ import annotations

from cycles.models import Cycle, IncomeLine


def income_lines(cycle: Cycle) -> list[IncomeLine]:
    """The cycle's income lines with their member, in one query."""
    return list(IncomeLine.objects.filter(cycle_id=cycle.pk).select_related("member"))
