"""The dates Colony accepts for cycles and templates.

Far enough for any real budget, near enough that date arithmetic on them (the next cycle's
start, 42-day previews, a year of occurrences) never overflows Python's date.max (9999-12-31).
"""

from datetime import date, timedelta

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def is_supported_date(value: date) -> bool:
    return EARLIEST_DATE <= value <= LATEST_DATE


def out_of_range_message() -> str:
    return f"Choose a date between {EARLIEST_DATE:%Y} and {LATEST_DATE:%Y}."


def day_after(latest: date | None, *, default: date) -> date:
    """The day after `latest` (a cycle's end), or `default` when there is none. A date past
    LATEST_DATE (stored before dates were bounded) counts as LATEST_DATE, so no page built on
    it can overflow."""
    if latest is None:
        return default
    return min(latest, LATEST_DATE) + timedelta(days=1)
