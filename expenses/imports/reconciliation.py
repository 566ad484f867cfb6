"""Which bank rows pay which planned expenses of the cycle — pure functions, no database.

A row is a plausible payment of a planned expense when it is in the same currency, its amount is
within AMOUNT_TOLERANCE of the plan and its date within DATE_WINDOW_DAYS of the planned date.
Among the plausible pairs, the best scores are taken first (an exact amount counts most, then a
similar description, then a close date), and each planned expense pays at most one row and each
row at most one planned expense. The household can untick a proposal or pick another.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .matching import normalise, similarity
from .rows import IMPORT, ImportRow, expense_key, record_key

AMOUNT_TOLERANCE = Decimal("0.10")  # a tenth of the planned amount, either way
DATE_WINDOW_DAYS = 10
AMOUNT_POINTS, DESCRIPTION_POINTS, DATE_POINTS = 50, 30, 20
# Slack around the amount range a row is looked up in (score() applies the tolerance exactly).
_MARGIN = Decimal("0.01")
# Planned expenses scored for one row at most, the nearest in date and amount first: a plan of
# a thousand expenses on one day at one amount must not make a 5,000-row file score five
# million pairs (a real plan offers a row a handful).
MAX_SCORED_PER_ROW = 40


@dataclass(frozen=True)
class PlannedExpense:
    """What reconciliation needs of a planned expense of the cycle."""

    pk: int
    description: str
    amount: Decimal
    currency: str
    date: date

    @property
    def words(self) -> str:
        return normalise(self.description)

    @property
    def record_key(self) -> str:
        return record_key(
            expense_key(
                on=self.date,
                amount=self.amount,
                currency=self.currency,
                description=self.description,
            )
        )


def score(row: ImportRow, planned: PlannedExpense, *, row_words: str | None = None) -> int:
    """0 when the row cannot pay the planned expense; else up to 100 points: how well it fits."""
    if row.status != IMPORT or row.amount is None or row.date is None:
        return 0
    if row.currency != planned.currency:
        return 0
    days = abs((row.date - planned.date).days)
    if days > DATE_WINDOW_DAYS:
        return 0
    tolerance = planned.amount * AMOUNT_TOLERANCE
    difference = abs(row.amount - planned.amount)
    if difference > tolerance:
        return 0
    amount_share = 1 - difference / tolerance if tolerance else Decimal(1)
    words = normalise(row.description) if row_words is None else row_words
    points = int(AMOUNT_POINTS * amount_share)
    points += DESCRIPTION_POINTS * similarity(words, planned.words) // 100
    points += DATE_POINTS * (DATE_WINDOW_DAYS - days) // DATE_WINDOW_DAYS
    return max(points, 1)


def candidates(row: ImportRow, planned: list[PlannedExpense]) -> list[tuple[int, PlannedExpense]]:
    """The planned expenses the row could pay, best first."""
    if row.status != IMPORT or not planned:
        return []
    words = normalise(row.description)
    scored = []
    for expense in planned:
        points = score(row, expense, row_words=words)
        if points:
            scored.append((points, expense))
    scored.sort(key=lambda pair: (-pair[0], pair[1].date, pair[1].pk))
    return scored


def plausible(
    rows: list[ImportRow], planned: list[PlannedExpense]
) -> dict[int, list[tuple[int, PlannedExpense]]]:
    """line → the planned expenses each row could pay, best first (rows with none left out)."""
    # Per currency and day, by amount: a row is scored only against the expenses within its
    # date window and its amount range (score() gives 0 to every other), not against the whole
    # cycle for each row. The range is a little wider than the tolerance; score() decides.
    by_day: dict[tuple[str, date], list[PlannedExpense]] = {}
    for expense in sorted(planned, key=lambda expense: expense.amount):
        by_day.setdefault((expense.currency, expense.date), []).append(expense)
    amounts = {key: [e.amount for e in expenses] for key, expenses in by_day.items()}
    # The row's own day first, then a day before and after, and so on.
    days = [
        timedelta(days=n) for n in sorted(range(-DATE_WINDOW_DAYS, DATE_WINDOW_DAYS + 1), key=abs)
    ]
    found = {}
    for row in rows:
        if row.status != IMPORT or row.amount is None or row.date is None:
            continue
        low = row.amount / (1 + AMOUNT_TOLERANCE) - _MARGIN
        high = row.amount / (1 - AMOUNT_TOLERANCE) + _MARGIN
        near: list[PlannedExpense] = []
        for day in days:
            key = (row.currency, row.date + day)
            if key not in by_day:
                continue
            ordered = amounts[key]
            first, last = bisect_left(ordered, low), bisect_right(ordered, high)
            if last - first > MAX_SCORED_PER_ROW:  # the ones closest to the row's amount
                middle = bisect_left(ordered, row.amount, first, last)
                first = max(first, min(middle - MAX_SCORED_PER_ROW // 2, last - MAX_SCORED_PER_ROW))
                last = first + MAX_SCORED_PER_ROW
            near += by_day[key][first:last]
            if len(near) >= MAX_SCORED_PER_ROW:
                break
        scored = candidates(row, near[:MAX_SCORED_PER_ROW])
        if scored:
            found[row.line] = scored
    return found


def reconcile(
    rows: list[ImportRow],
    planned: list[PlannedExpense],
    *,
    options: dict[int, list[tuple[int, PlannedExpense]]] | None = None,
) -> dict[int, PlannedExpense]:
    """line → the planned expense that row pays: the best pairs first, each side used once.
    `options`: what `plausible` found, when the caller has it already."""
    if options is None:
        options = plausible(rows, planned)
    pairs = [
        (points, line, expense) for line, scored in options.items() for points, expense in scored
    ]
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2].pk))
    matched: dict[int, PlannedExpense] = {}
    taken: set[int] = set()
    for _, line, expense in pairs:
        if line in matched or expense.pk in taken:
            continue
        matched[line] = expense
        taken.add(expense.pk)
    return matched
