"""The cycle core's writes that every app builds on: lock a cycle for a change, and refuse the
change once it is completed. The cycle's plan (creating, completing, budgets, income) is in
budget.services, above the expenses and templates it is made of."""

from __future__ import annotations

from .exceptions import CycleAlreadyCompleted, CycleNotFound
from .models import Cycle


def lock_cycle(cycle: Cycle) -> Cycle:
    """The cycle's row locked for this transaction, re-read so its status is current."""
    try:
        return Cycle.objects.select_for_update().get(pk=cycle.pk)
    except Cycle.DoesNotExist as error:
        raise CycleNotFound() from error


def lock_open_cycle(cycle: Cycle) -> Cycle:
    """The cycle locked for a change; a completed cycle refuses every change."""
    locked = lock_cycle(cycle)
    if locked.is_completed:
        raise CycleAlreadyCompleted()
    return locked
