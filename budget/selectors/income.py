"""Reads for income lines."""

from __future__ import annotations

from django.db.models import QuerySet

from colony.compiled import CompiledQuery
from cycles.models import Cycle, IncomeLine


def _income_lines_query(cycle_id: int) -> QuerySet[IncomeLine]:
    return IncomeLine.objects.filter(cycle_id=cycle_id).select_related("member")


# On every cycle page: compiled once (colony/compiled.py).
_INCOME_LINES = CompiledQuery(_income_lines_query, cycle_id=-7_000_000_041)


def income_lines(cycle: Cycle) -> list[IncomeLine]:
    """The cycle's income lines with their member, in one query."""
    return _INCOME_LINES.objects(cycle_id=cycle.pk)


def income_lines_for_api(cycle: Cycle) -> QuerySet[IncomeLine]:
    """The cycle's income lines by expected date (page it)."""
    return IncomeLine.objects.filter(cycle_id=cycle.pk).order_by("expected_date", "pk")
