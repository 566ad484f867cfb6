"""When an expense template makes an expense: pure date arithmetic, no database.

Every function takes any object with the attributes `frequency`, `day_of_month`, `start_date`
and `end_date` (and `amount` for the money helpers), so the same rules serve saved templates,
the cycle generator and the preview of a template that is still a form.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Protocol

from cycles.models import DEFAULT_CYCLE_DAYS, cycle_end
from formats.currencies import get_currency, is_known_currency

WEEKLY = "weekly"
BIWEEKLY = "biweekly"
MONTHLY = "monthly"
PER_CYCLE = "per_cycle"
YEARLY = "yearly"

# A preview shows what a template makes in one default cycle.
PREVIEW_DAYS = DEFAULT_CYCLE_DAYS

# A year has 52 weeks, 26 fortnights, 12 months; a cycle is taken to be six weeks long.
_PER_MONTH = {
    WEEKLY: Decimal(52) / 12,
    BIWEEKLY: Decimal(26) / 12,
    MONTHLY: Decimal(1),
    PER_CYCLE: Decimal(365) / PREVIEW_DAYS / 12,
    YEARLY: Decimal(1) / 12,
}


class Schedule(Protocol):
    frequency: str
    day_of_month: int | None
    start_date: date
    end_date: date | None


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _on_day(year: int, month: int, day: int) -> date:
    """`day` of the month, or the month's last day when the month is shorter (31 → Apr 30)."""
    return date(year, month, min(day, _last_day(year, month)))


def _every(step_days: int, anchor: date, lo: date, hi: date) -> list[date]:
    # The first date on or after `lo` that is a whole number of steps after the anchor.
    steps = -((anchor - lo).days // step_days) if lo > anchor else 0
    first = anchor + timedelta(days=steps * step_days)
    return [
        first + timedelta(days=n * step_days) for n in range((hi - first).days // step_days + 1)
    ]


def _months(lo: date, hi: date, day: int) -> list[date]:
    dates = []
    year, month = lo.year, lo.month
    while (year, month) <= (hi.year, hi.month):
        candidate = _on_day(year, month, day)
        if lo <= candidate <= hi:
            dates.append(candidate)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


def _years(lo: date, hi: date, anchor: date) -> list[date]:
    # Feb 29 falls on Feb 28 in years without one.
    candidates = (_on_day(year, anchor.month, anchor.day) for year in range(lo.year, hi.year + 1))
    return [d for d in candidates if lo <= d <= hi]


def occurrence_dates(template: Schedule, start: date, end: date) -> list[date]:
    """Every date in [start, end] (both inclusive) on which `template` makes an expense, sorted.

    Only dates within the template's own [start_date, end_date] count. Weekly and every-2-weeks
    templates step from their start date; monthly ones fall on `day_of_month` (the start date's
    day when unset), clamped to the month's last day; once-per-cycle makes one expense on the
    first day both the range and the template cover; yearly repeats the start date's month/day.
    """
    lo = max(start, template.start_date)
    hi = end if template.end_date is None else min(end, template.end_date)
    if lo > hi:
        return []
    frequency = template.frequency
    if frequency == WEEKLY:
        return _every(7, template.start_date, lo, hi)
    if frequency == BIWEEKLY:
        return _every(14, template.start_date, lo, hi)
    if frequency == MONTHLY:
        return _months(lo, hi, template.day_of_month or template.start_date.day)
    if frequency == PER_CYCLE:
        return [lo]
    if frequency == YEARLY:
        return _years(lo, hi, template.start_date)
    raise ValueError(f"Unknown frequency {frequency!r}")


def next_occurrence(template: Schedule, on_or_after: date) -> date | None:
    """The first occurrence on or after `on_or_after`, or None once the template has ended."""
    # Every frequency recurs within a year and a day (yearly included, thanks to Feb 29 → 28).
    dates = occurrence_dates(template, on_or_after, on_or_after + timedelta(days=366))
    return dates[0] if dates else None


def preview_for_cycle(template, start: date, days: int = PREVIEW_DAYS) -> tuple[int, Decimal]:
    """How many expenses `template` makes in the `days` calendar days from `start` (inclusive),
    and their total in the template's currency."""
    end = cycle_end(start, days)
    count = len(occurrence_dates(template, start, end))
    return count, (template.amount or Decimal(0)) * count


def monthly_equivalent(template) -> Decimal:
    """The template's cost spread over an average month, in its own currency's minor units."""
    amount = (template.amount or Decimal(0)) * _PER_MONTH[template.frequency]
    quantum = (
        get_currency(template.currency).quantum
        if is_known_currency(getattr(template, "currency", ""))
        else Decimal("0.01")
    )
    return amount.quantize(quantum, rounding=ROUND_HALF_EVEN)
