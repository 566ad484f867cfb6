"""Reads for the cycle page: the expense rows (a page at a time), and the category and
payment-method choices."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Max, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Coalesce, Lower

from accounts.models import Household, Membership, User
from cycles.models import Cycle

from .models import COUNTED, Category, Expense, ExpenseTotal, PaymentMethod

SORT_ASCENDING = "date"
SORT_DESCENDING = "-date"
SORTS = (SORT_ASCENDING, SORT_DESCENDING)
EXPENSES_PER_PAGE = 50
_MAX_PK = 2**63 - 1  # bigint: a larger id in a URL would be a database error, not a miss


@dataclass(frozen=True)
class ExpenseChoices:
    """Every category and payment method of a household (archived and inactive ones too, for
    filtering old expenses); forms offer only the open ones."""

    # Each queryset is evaluated once, on first use, and its rows then reused by every form and
    # row of the page that asks for them.
    categories: QuerySet[Category]
    payment_methods: QuerySet[PaymentMethod]
    # Who may be named as the payer (sharing).
    members: QuerySet[Membership] | tuple = ()


def expense_choices(household: Household) -> ExpenseChoices:
    """The household's categories and payment methods, each by name (a few rows each)."""
    return ExpenseChoices(
        categories=Category.objects.filter(household=household).order_by(Lower("name"), "pk"),
        payment_methods=PaymentMethod.objects.filter(household=household).order_by(
            Lower("name"), "pk"
        ),
        members=Membership.objects.filter(household=household)
        .select_related("user")
        .order_by("joined_at"),
    )


def _filtered(
    expenses: QuerySet[Expense],
    *,
    category: int | None = None,
    payment_method: int | None = None,
    status: str | None = None,
    member: int | None = None,
    sort: str = SORT_ASCENDING,
) -> QuerySet[Expense]:
    if category:
        expenses = expenses.filter(category_id=category)
    if payment_method:
        expenses = expenses.filter(payment_method_id=payment_method)
    if status:
        expenses = expenses.filter(status=status)
    if member:
        expenses = expenses.filter(created_by_id=member)
    if sort == SORT_DESCENDING:
        return expenses.order_by("-date", "-id")
    return expenses.order_by("date", "id")


@dataclass(frozen=True)
class ExpenseCursor:
    """Where a page of the table starts: right after this row, in the table's order by date
    and id. Keyset paging: rows deleted or added above it do not shift the next page."""

    date: datetime.date
    pk: int

    def __str__(self) -> str:
        return f"{self.date.isoformat()}_{self.pk}"

    @classmethod
    def of(cls, expense: Expense) -> ExpenseCursor:
        return cls(date=expense.date, pk=expense.pk)

    @classmethod
    def parse(cls, value: str | None) -> ExpenseCursor | None:
        """The cursor a "show more" link carries, or None for anything malformed (the first
        page then)."""
        day, _, pk = (value or "").partition("_")
        try:
            cursor = cls(date=datetime.date.fromisoformat(day), pk=int(pk))
        except ValueError:
            return None
        return cursor if 0 < cursor.pk <= _MAX_PK else None

    def after(self, sort: str) -> Q:
        """The rows that come after this one in `sort` order."""
        if sort == SORT_DESCENDING:
            return Q(date__lt=self.date) | Q(date=self.date, pk__lt=self.pk)
        return Q(date__gt=self.date) | Q(date=self.date, pk__gt=self.pk)


def parse_snapshot(value: str | None) -> int | None:
    """The highest expense id of the table when its first page was shown, or None."""
    try:
        pk = int(value or "")
    except ValueError:
        return None
    return pk if 0 < pk <= _MAX_PK else None


@dataclass(frozen=True)
class MatchedTotals:
    """The expenses the table's filters match: how many rows (every status), and in the base
    currency what they plan and what is paid (skipped rows and rows awaiting a rate left out,
    like the cycle's totals)."""

    count: int
    planned: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        """Planned but not paid yet."""
        return self.planned - self.paid


def _matched_sums() -> dict:
    return {
        "total": Count("pk"),
        "matched_total": Coalesce(Sum("base_amount", filter=COUNTED), Decimal(0)),
        "matched_paid": Coalesce(
            Sum("base_amount", filter=Q(status=Expense.Status.PAID)), Decimal(0)
        ),
    }


def matched_totals(
    cycle: Cycle,
    *,
    category: int | None = None,
    payment_method: int | None = None,
    status: str | None = None,
    member: int | None = None,
    **_sort,
) -> MatchedTotals:
    """What the cycle's expenses matching these filters add up to, in one aggregate query (the
    totals a filtered table shows, again after a change made while filtered)."""
    expenses = _filtered(
        Expense.objects.filter(cycle_id=cycle.pk),
        category=category,
        payment_method=payment_method,
        status=status,
        member=member,
    )
    sums = expenses.order_by().aggregate(**_matched_sums())
    return MatchedTotals(
        count=sums["total"], planned=sums["matched_total"], paid=sums["matched_paid"]
    )


@dataclass(frozen=True)
class ExpensePage:
    """One page of the cycle's table and where it sits among all the rows the filters match."""

    expenses: list[Expense]
    total: int  # rows matching the filters (within the snapshot)
    before: int  # rows ahead of this page
    # The highest id when the first page was shown: later pages stop there, so a row added
    # on the page since (already in the table) does not come again.
    snapshot: int | None
    next_cursor: ExpenseCursor | None  # None: this is the last page
    # Totals of every row the filters match (base currency; skipped rows and rows awaiting a
    # rate left out), from the same query as the counts: a filtered table shows its totals.
    matched_total: Decimal = Decimal(0)
    matched_paid: Decimal = Decimal(0)

    @property
    def matched_unpaid(self) -> Decimal:
        return self.matched_total - self.matched_paid

    @property
    def matched(self) -> MatchedTotals:
        """The totals of every row the filters match (from the page's count query)."""
        return MatchedTotals(count=self.total, planned=self.matched_total, paid=self.matched_paid)

    @property
    def first_position(self) -> int:
        return self.before + 1

    @property
    def last_position(self) -> int:
        return self.before + len(self.expenses)

    @property
    def next_count(self) -> int:
        """How many rows the next page brings."""
        return max(0, min(EXPENSES_PER_PAGE, self.total - self.last_position))


def cycle_expense_page(
    cycle: Cycle,
    *,
    choices: ExpenseChoices,
    users: Iterable[User] = (),
    after: ExpenseCursor | None = None,
    snapshot: int | None = None,
    first: Expense | None = None,
    per_page: int = EXPENSES_PER_PAGE,
    sort: str = SORT_ASCENDING,
    **filters,
) -> ExpensePage:
    """A page of the cycle's expenses (filtered, sorted by date) after `after`, or starting with
    `first` (a row being edited on a page without JS): the first page in one query (its rows
    carry the counts), a later one in two (the counts, then the rows).

    The rows get their category, payment method and users from `choices` and `users` (the
    household's, which the page loads anyway) instead of four joins: building those objects
    again for every row cost more than the rest of the query.
    """
    expenses = _page_rows(cycle.pk, snapshot=snapshot, sort=sort, **filters)
    lead = [first] if first is not None else []
    if first is not None:
        after = ExpenseCursor.of(first)
    counts = {"snapshot": Max("pk"), **_matched_sums()}
    if after is not None:
        expenses_after = after.after(sort)
        ahead = ~expenses_after & ~Q(pk=first.pk) if first is not None else ~expenses_after
        counts["before"] = Count("pk", filter=ahead)
        rows = expenses.filter(expenses_after)
    else:
        rows = expenses
    if after is None:
        # The first page: its rows and the counts over every matching row in one query
        # (aggregates over the whole result, computed before the LIMIT).
        fetched, counted = _first_page(
            cycle_id=cycle.pk, snapshot=snapshot, limit=per_page + 1, sort=sort, **filters
        )
    else:
        counted = expenses.order_by().aggregate(**counts)
        fetched = list(rows[: per_page + 1 - len(lead)])
    page = lead + _with_relations(fetched, choices=choices, users=users)
    more = len(page) > per_page
    page = page[:per_page]
    return ExpensePage(
        expenses=page,
        total=counted["total"],
        before=counted.get("before", 0),
        snapshot=snapshot if snapshot is not None else counted["snapshot"],
        next_cursor=ExpenseCursor.of(page[-1]) if more else None,
        matched_total=counted["matched_total"],
        matched_paid=counted["matched_paid"],
    )


_PAGE_COUNTS = {
    "snapshot": Max("pk"),
    "total": Count("pk"),
    "matched_total": Sum("base_amount", filter=COUNTED),
    "matched_paid": Sum("base_amount", filter=Q(status=Expense.Status.PAID)),
}


_FILTERS = ("category", "payment_method", "status", "member")


def _page_rows(cycle_id: int, *, snapshot: int | None = None, sort: str, **filters) -> QuerySet:
    """The cycle's expenses the filters match, within the snapshot, in the table's order."""
    expenses = _filtered(Expense.objects.filter(cycle_id=cycle_id), sort=sort, **filters)
    if snapshot is not None:
        expenses = expenses.filter(pk__lte=snapshot)
    return expenses


# The table's filters that the trigger totals (ExpenseTotal) are grouped by, as their columns.
_TOTALS_FILTERS = {
    "category": "category_id",
    "payment_method": "payment_method_id",
    "status": "status",
}


def _totals_sum(totals: QuerySet, expression: str, condition: Q | None = None) -> Subquery:
    summed = totals.order_by().values("cycle_id").annotate(sum=Sum(expression, filter=condition))
    return Subquery(summed.values("sum"))


def _first_page_query(limit: int, sort: str, **values) -> QuerySet:
    expenses = _page_rows(sort=sort, **values)
    if "snapshot" in values or "member" in values:
        # Counts the trigger totals cannot give (rows up to an id, or one member's): window
        # aggregates over every matching row.
        return expenses.annotate(
            **{f"page_{name}": Window(aggregate) for name, aggregate in _PAGE_COUNTS.items()}
        )[:limit]
    # The counts from the trigger totals (a few rows per cycle, exact in every write's
    # transaction) instead of aggregating all the cycle's matching expenses: the page then reads
    # only its rows. The snapshot is the cycle's highest id (an index lookup): later pages stop
    # there, which leaves out the same rows as the highest matching id would.
    cycle_id = values["cycle_id"]
    totals = ExpenseTotal.objects.filter(
        cycle_id=cycle_id,
        **{column: values[name] for name, column in _TOTALS_FILTERS.items() if name in values},
    )
    highest = Expense.objects.filter(cycle_id=cycle_id).order_by("-pk").values("pk")[:1]
    return expenses.annotate(
        page_snapshot=Subquery(highest),
        page_total=_totals_sum(totals, "expense_count"),
        page_matched_total=_totals_sum(totals, "base_total", COUNTED),
        page_matched_paid=_totals_sum(totals, "base_total", Q(status=Expense.Status.PAID)),
    )[:limit]


def _first_page(
    *, cycle_id: int, snapshot: int | None, limit: int, sort: str, **filters
) -> tuple[list[Expense], dict]:
    """The first `limit` rows the filters match and what _matched_sums and the snapshot give
    for all of them, from one query: each row carries the counts as window aggregates."""
    values = {"cycle_id": cycle_id}
    if snapshot is not None:
        values["snapshot"] = snapshot
    values.update({name: filters[name] for name in _FILTERS if filters.get(name)})
    rows = list(_first_page_query(limit, sort, **values))
    if not rows:
        return rows, {
            "snapshot": None,
            "total": 0,
            "matched_total": Decimal(0),
            "matched_paid": Decimal(0),
        }
    first = rows[0]
    return rows, {
        "snapshot": first.page_snapshot,
        "total": first.page_total,
        "matched_total": first.page_matched_total or Decimal(0),
        "matched_paid": first.page_matched_paid or Decimal(0),
    }


def _with_relations(
    expenses: list[Expense], *, choices: ExpenseChoices, users: Iterable[User]
) -> list[Expense]:
    """Set each expense's category, payment method, creator and last editor from objects
    already loaded (like prefetch_related, without its queries). A user no longer in the
    household is read in one query; anything not found is left to load lazily."""
    categories = {category.pk: category for category in choices.categories}
    methods = {method.pk: method for method in choices.payment_methods}
    known_users = {user.pk: user for user in users}
    missing = {
        pk
        for expense in expenses
        for pk in (expense.created_by_id, expense.updated_by_id)
        if pk is not None and pk not in known_users
    }
    if missing:
        known_users.update(User.objects.in_bulk(missing))
    related = (
        ("category", categories),
        ("payment_method", methods),
        ("created_by", known_users),
        ("updated_by", known_users),
    )
    for expense in expenses:
        for name, known in related:
            pk = getattr(expense, f"{name}_id")
            if pk is None:
                setattr(expense, name, None)
            elif pk in known:
                setattr(expense, name, known[pk])
    return expenses


def expenses_for_rows() -> QuerySet[Expense]:
    """Expenses with what a row shows and its cycle (scope it with get_for_household)."""
    return Expense.objects.select_related(
        "cycle__household", "category", "payment_method", "created_by", "updated_by"
    )


def upcoming_planned_expenses(cycle: Cycle, *, limit: int = 8) -> list[Expense]:
    """The next planned (unpaid) expenses of a cycle, by date."""
    return list(
        Expense.objects.filter(cycle_id=cycle.pk, status=Expense.Status.PLANNED)
        .select_related("category", "payment_method")
        .order_by("date", "id")[:limit]
    )


def expense_count_from_totals(
    *,
    household: Household,
    cycle: int | None = None,
    category: int | None = None,
    payment_method: int | None = None,
    status: str | None = None,
    member: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    search: str | None = None,
    sort: str = SORT_ASCENDING,
    **row_filters,
) -> int | None:
    """How many expenses `expenses_for_api` lists, read from the trigger totals (a few rows per
    cycle) when its filters are ones the totals are grouped by; None when they are not (a
    member, dates, amounts, an external id or text: `row_filters`), and the caller counts the
    rows. Counting 100,000 rows for a page of 50 is what made the list slow down with history."""
    if member or date_from or date_to or (search and search.strip()):
        return None
    if any(value is not None for value in row_filters.values()):
        return None
    totals = trigger_totals(
        household, cycle=cycle, category=category, payment_method=payment_method, status=status
    )
    return sum_totals(totals).all_count


@dataclass(frozen=True)
class TotalSums:
    """What some trigger total rows add up to, in the base currency. Skipped expenses count only
    in `skipped_count`; expenses awaiting a rate only in `awaiting_rate` (never in a sum)."""

    expense_count: int = 0  # expenses that count (every status but skipped)
    skipped_count: int = 0
    awaiting_rate: int = 0  # counted expenses still awaiting an exchange rate
    planned: Decimal = Decimal(0)  # every counted expense, paid or not
    paid: Decimal = Decimal(0)
    # What the paid expenses were planned at (amount times rate, unrounded).
    paid_planned: Decimal = Decimal(0)

    @property
    def remaining(self) -> Decimal:
        """Planned but not paid yet."""
        return self.planned - self.paid

    @property
    def all_count(self) -> int:
        """Every expense, skipped ones too."""
        return self.expense_count + self.skipped_count

    def __add__(self, other: TotalSums) -> TotalSums:
        return TotalSums(*(getattr(self, name) + getattr(other, name) for name in _SUM_FIELDS))


_SUM_FIELDS = tuple(TotalSums.__dataclass_fields__)
# Plain sums per status, folded into TotalSums in Python: a GROUP BY of four sums is cheaper to
# build and run than one conditional aggregate (FILTER) per figure. Named apart from the
# model's columns (an aggregate cannot take a column's name).
_STATUS_SUMS = {
    "sum_count": Sum("expense_count"),
    "sum_awaiting": Sum("awaiting_count"),
    "sum_base": Sum("base_total"),
    "sum_planned_base": Sum("planned_base_total"),
}


def _fold(rows) -> dict:
    """{group: TotalSums} from rows of (group, status, the four status sums)."""
    folded: dict = {}
    for group, status, count, awaiting, base, planned_base in rows:
        sums = folded.setdefault(group, [0, 0, 0, Decimal(0), Decimal(0), Decimal(0)])
        if status == Expense.Status.SKIPPED:
            sums[1] += count
            continue
        sums[0] += count
        sums[2] += awaiting
        sums[3] += base or 0
        if status == Expense.Status.PAID:
            sums[4] += base or 0
            sums[5] += planned_base or 0
    return {group: TotalSums(*sums) for group, sums in folded.items()}


def _status_rows(totals: QuerySet[ExpenseTotal], names: tuple, fields, expressions):
    rows = (
        totals.order_by()
        .values(*fields, "status", **expressions)
        .annotate(**_STATUS_SUMS)
        .values_list(*names, "status", *_STATUS_SUMS)
    )
    for row in rows:
        yield (row[: len(names)], *row[len(names) :])


def sum_totals(totals: QuerySet[ExpenseTotal]) -> TotalSums:
    """What these trigger total rows add up to, in one GROUP BY query (per status)."""
    return _fold(_status_rows(totals, (), (), {})).get((), TotalSums())


def sum_totals_by(totals: QuerySet[ExpenseTotal], *fields: str, **expressions) -> dict:
    """What these trigger total rows add up to per group of `fields` and `expressions` (named
    like values()), in one GROUP BY query: {group values in that order: TotalSums}."""
    return _fold(_status_rows(totals, (*fields, *expressions), fields, expressions))


def trigger_totals(
    household: Household,
    *,
    cycle: int | None = None,
    category: int | None = None,
    payment_method: int | None = None,
    status: str | None = None,
) -> QuerySet[ExpenseTotal]:
    """The household's trigger total rows, narrowed by what they are grouped by (cycle, category,
    payment method, status): what a count or sum over matching expenses reads instead of the
    expenses themselves."""
    totals = ExpenseTotal.objects.filter(cycle__household=household)
    if cycle:
        totals = totals.filter(cycle_id=cycle)
    if category:
        totals = totals.filter(category_id=category)
    if payment_method:
        totals = totals.filter(payment_method_id=payment_method)
    if status:
        totals = totals.filter(status=status)
    return totals


def expenses_for_api(
    *,
    household: Household | None = None,
    cycle: int | None = None,
    category: int | None = None,
    payment_method: int | None = None,
    status: str | None = None,
    member: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    search: str | None = None,
    sort: str = SORT_ASCENDING,
    date: datetime.date | None = None,
    amount: Decimal | None = None,
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
    external_id: str | None = None,
) -> QuerySet[Expense]:
    """Expenses as the API lists them, each with its client's `external_id` (or None):
    filtered like the cycle page (plus a day or dates, an amount or its bounds in the
    expense's own currency, an external id, and text in the description or note), sorted by
    date; scope with `household` or get_for_household. Each carries its split and shares
    (sharing), one query each a page."""
    expenses = (
        Expense.objects.annotate(external_id=F("external_ref__external_id"))
        .select_related("split")
        .prefetch_related("shares")
    )
    if household is not None:
        expenses = expenses.filter(cycle__household=household)
    if cycle:
        expenses = expenses.filter(cycle_id=cycle)
    if date is not None:
        expenses = expenses.filter(date=date)
    if date_from:
        expenses = expenses.filter(date__gte=date_from)
    if date_to:
        expenses = expenses.filter(date__lte=date_to)
    if amount is not None:
        expenses = expenses.filter(amount=amount)
    if amount_min is not None:
        expenses = expenses.filter(amount__gte=amount_min)
    if amount_max is not None:
        expenses = expenses.filter(amount__lte=amount_max)
    if external_id is not None:
        expenses = expenses.filter(external_ref__external_id=external_id)
    if search and search.strip():
        text = search.strip()
        expenses = expenses.filter(Q(description__icontains=text) | Q(note__icontains=text))
    return _filtered(
        expenses,
        category=category,
        payment_method=payment_method,
        status=status,
        member=member,
        sort=sort,
    )
