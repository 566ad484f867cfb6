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


def lock_cycles(pks) -> dict[int, Cycle]:
    """Several cycles' rows locked for this transaction in one query, in id order (two writers
    locking overlapping sets cannot deadlock), re-read so their status is current; a missing
    one is simply absent. The caller refuses a change to a completed one, as lock_open_cycle
    does."""
    return {
        cycle.pk: cycle
        for cycle in Cycle.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    }
