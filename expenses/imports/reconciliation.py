"""Which bank rows pay which planned expenses of their cycle, and which are already there as
an expense typed by hand or imported before — pure functions, no database.

A row is a plausible payment of a planned expense when it is in the same currency, its amount is
within AMOUNT_TOLERANCE of the plan and its date within DATE_WINDOW_DAYS of the planned date.
Among the plausible pairs, the best scores are taken first (an exact amount counts most, then a
similar description, then a close date), and each planned expense pays at most one row and each
row at most one planned expense. The household can untick a proposal or pick another.

A row is already there when its cycle holds a paid expense at the same amount and currency,
dated within THERE_DAYS, with a similar description or the same payment method (`already_there`,
looked at before the plan: money already recorded as spent is the stronger evidence). Each
expense stands for one row; those an exact duplicate of a row stands for are not offered again.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .matching import normalise, similarity
from .placement import shift
from .rows import DUPLICATE, IMPORT, ImportRow, expense_key, record_key

AMOUNT_TOLERANCE = Decimal("0.10")  # a tenth of the planned amount, either way
DATE_WINDOW_DAYS = 10
AMOUNT_POINTS, DESCRIPTION_POINTS, DATE_POINTS = 50, 30, 20
# Slack around the amount range a row is looked up in (score() applies the tolerance exactly).
_MARGIN = Decimal("0.01")
# Planned expenses scored for one row at most, the nearest in date and amount first: a plan of
# a thousand expenses on one day at one amount must not make a 5,000-row file score five
# million pairs (a real plan offers a row a handful).
MAX_SCORED_PER_ROW = 40
# "Already there": a card payment is often booked a day or three after it was typed in.
THERE_DAYS = 4
THERE_SIMILARITY = 60


@dataclass(frozen=True)
class PlannedExpense:
    """What reconciliation needs of a planned expense of the cycle."""

    pk: int
    description: str
    amount: Decimal
    currency: str
    date: date
    cycle_id: int | None = None

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
    if row.currency != planned.currency or row.cycle_id != planned.cycle_id:
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
            try:
                key = (row.currency, row.date + day)
            except OverflowError:  # a cycle at the end of the calendar
                continue
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
    return _pair_best_first(pairs)


def _pair_best_first(pairs: list[tuple]) -> dict:
    """(points, line, expense) pairs matched one to one, best points first (ties: the earlier
    line, the older expense): each line gets at most one expense and each expense one line."""
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2].pk))
    matched: dict = {}
    used: set[int] = set()
    for _, line, expense in pairs:
        if line in matched or expense.pk in used:
            continue
        matched[line] = expense
        used.add(expense.pk)
    return matched


# -- already there ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedExpense:
    """An expense of an open cycle a row may already be: its cycle's own, typed or imported
    (`imported`: an earlier import remembers a bank row as this expense)."""

    pk: int
    cycle_id: int
    description: str
    amount: Decimal
    currency: str
    date: date
    payment_method_id: int | None
    paid: bool
    imported: bool

    @property
    def key(self) -> str:
        return record_key(
            expense_key(
                on=self.date,
                amount=self.amount,
                currency=self.currency,
                description=self.description,
            )
        )


def existing_counts(recorded: list[RecordedExpense], imported: dict[str, list[int]]) -> Counter:
    """record key → how many rows with that key the cycles already hold: the rows earlier
    imports remembered, plus the expenses entered otherwise, by their date, amount, currency
    and description (rows.split_duplicates)."""
    counts = Counter({key: len(pks) for key, pks in imported.items()})
    counts.update(expense.key for expense in recorded if not expense.imported)
    return counts


def _stood_for(
    rows: list[ImportRow], recorded: list[RecordedExpense], imported: dict[str, list[int]]
) -> set[int]:
    """The expenses the duplicate rows are (one each, as split_duplicates counts them)."""
    remembered = {key: list(pks) for key, pks in imported.items()}
    typed: dict[str, list[int]] = {}
    for expense in recorded:
        if not expense.imported:
            typed.setdefault(expense.key, []).append(expense.pk)
    taken = set()
    for row in rows:
        if row.status != DUPLICATE:
            continue
        pks = remembered.get(row.record_key) or typed.get(row.record_key)
        if pks:
            taken.add(pks.pop(0))
    return taken


def there_score(
    row: ImportRow, expense: RecordedExpense, *, payment_method_id: int | None = None
) -> int:
    """0 when the row cannot be the expense; else up to 100 points: how sure it is."""
    if row.status != IMPORT or row.date is None or row.amount is None or not expense.paid:
        return 0
    if (row.cycle_id, row.currency, row.amount) != (
        expense.cycle_id,
        expense.currency,
        expense.amount,
    ):
        return 0
    days = abs((row.date - expense.date).days)
    if days > THERE_DAYS:
        return 0
    alike = similarity(normalise(row.description), normalise(expense.description))
    same_method = payment_method_id is not None and payment_method_id == expense.payment_method_id
    if alike < THERE_SIMILARITY and not same_method:
        return 0
    points = 60 * alike // 100 + 10 * (THERE_DAYS - days) // THERE_DAYS
    return max(points + (30 if same_method else 0), 1)


def already_there(
    rows: list[ImportRow],
    recorded: list[RecordedExpense],
    *,
    imported: dict[str, list[int]],
    payment_methods: dict[int, int | None],
) -> dict[int, RecordedExpense]:
    """line → the paid expense of its cycle that row already is (the best pairs first, each
    side used once). `payment_methods`: line → the payment method the row would get."""
    taken = _stood_for(rows, recorded, imported)
    # Per cycle, currency and amount, by date: a row is scored only against the expenses at its
    # amount within THERE_DAYS of its date, at most MAX_SCORED_PER_ROW of them (a cycle of a
    # thousand coffees at one price must not make every coffee row score them all).
    by_amount: dict[tuple, list[RecordedExpense]] = {}
    for expense in sorted(recorded, key=lambda expense: (expense.date, expense.pk)):
        if expense.paid and expense.pk not in taken:
            key = (expense.cycle_id, expense.currency, expense.amount.normalize())
            by_amount.setdefault(key, []).append(expense)
    dates = {key: [expense.date for expense in same] for key, same in by_amount.items()}
    pairs = []
    for row in rows:
        if row.status != IMPORT or row.amount is None or row.date is None:
            continue
        key = (row.cycle_id, row.currency, row.amount.normalize())
        if key not in by_amount:
            continue
        first = bisect_left(dates[key], shift(row.date, -THERE_DAYS))
        last = bisect_right(dates[key], shift(row.date, THERE_DAYS))
        last = min(last, first + MAX_SCORED_PER_ROW)
        for expense in by_amount[key][first:last]:
            points = there_score(row, expense, payment_method_id=payment_methods.get(row.line))
            if points:
                pairs.append((points, row.line, expense))
    return _pair_best_first(pairs)
