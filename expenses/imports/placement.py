"""Which cycle each row of a statement goes to — pure functions, no database.

A statement is exported for the bank's month, not the household's cycle, so it may span
cycles. Each row goes to the open cycle whose dates hold its date; a row dated in a completed
cycle, or in no cycle at all, is left out and listed as such (not as an error). The household's
cycles never overlap, so a date has at most one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .rows import IMPORTABLE, OUTSIDE, ImportRow

OUTSIDE_EVERY_CYCLE = "Outside every cycle: no cycle of the household holds this date."


@dataclass(frozen=True)
class CycleSpan:
    """What placing rows needs of a cycle."""

    pk: int
    name: str
    start: date
    end: date
    completed: bool

    @property
    def completed_reason(self) -> str:
        return f"In {self.name}, a completed cycle."


def date_span(rows: Iterable[ImportRow]) -> tuple[date, date] | None:
    """The first and last date of the rows, or None when no row has one."""
    dates = [row.date for row in rows if row.date is not None]
    return (min(dates), max(dates)) if dates else None


def shift(day: date, days: int) -> date:
    """`day` moved by `days`, stopping at the first and last date there is (a file may say
    0001-01-01)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.min if days < 0 else date.max


def place(rows: list[ImportRow], cycles: Iterable[CycleSpan]) -> list[ImportRow]:
    """The rows, each with the cycle its date falls in; a row that could be imported but whose
    cycle is completed, or that no cycle holds, becomes "outside" with the reason."""
    spans = sorted(cycles, key=lambda span: span.start)
    starts = [span.start for span in spans]
    placed = []
    for row in rows:
        span = None
        if row.date is not None:
            at = bisect_right(starts, row.date) - 1
            if at >= 0 and row.date <= spans[at].end:
                span = spans[at]
        if span is not None:
            row = replace(row, cycle_id=span.pk)
        if row.status in IMPORTABLE and (span is None or span.completed):
            reason = OUTSIDE_EVERY_CYCLE if span is None else span.completed_reason
            row = replace(row, status=OUTSIDE, problems=(reason,), flag="")
        placed.append(row)
    return placed
