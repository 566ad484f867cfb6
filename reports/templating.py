"""What Colony's templates may call from reports (gathered by colony/templating.py)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MINUS = "\u2212"
NO_CHANGE = "\u2014"


def percent_change(value) -> str:
    """+12.5 %, -3.0 % (with a minus sign) or — when there is nothing to compare with."""
    if value is None or isinstance(value, bool):
        return NO_CHANGE
    try:
        change = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return NO_CHANGE
    if change > 0:
        return f"+{change} %"
    if change < 0:
        return f"{MINUS}{-change} %"
    return f"{change} %"
