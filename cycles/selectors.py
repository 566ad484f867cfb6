"""The cycle core's reads: one way to find a household's cycle for a page, an API route or an
import, with the 404 for another household's and the 409 for a completed one."""

from __future__ import annotations

from datetime import date

from accounts.models import Household
from accounts.scoping import get_for_household
from colony.dates import day_after

from .exceptions import CycleAlreadyCompleted
from .models import Cycle


def household_cycle(household: Household, pk, *, open_only: bool = False, queryset=None) -> Cycle:
    """The household's cycle `pk` with its household (for the base currency), or 404 — the
    same answer for a cycle that does not exist and one of another household. `open_only`
    refuses a completed cycle with CycleAlreadyCompleted (409): it is read-only."""
    cycles = queryset if queryset is not None else Cycle.objects.all()
    cycle = get_for_household(cycles, household, pk=pk)
    # The lookup is scoped to this household, so it is the cycle's: no join to load it again.
    cycle.household = household
    if open_only and cycle.is_completed:
        raise CycleAlreadyCompleted()
    return cycle


def next_cycle_start(household: Household, *, today: date) -> date:
    """The day after the household's latest cycle ends, or today when it has none: where a new
    cycle, a template preview and the forecast begin."""
    latest_end = (
        Cycle.objects.filter(household=household)
        .order_by("-end_date")
        .values_list("end_date", flat=True)
        .first()
    )
    return day_after(latest_end, default=today)
