"""Search across every cycle of a household: the matching expenses a page at a time, and the
totals of all of them in the base currency from one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Household
from exchange.money import total_field
from expenses.models import COUNTED, Expense
from expenses.selectors import sum_totals, trigger_totals

_MONEY = total_field()
_ZERO = Value(Decimal(0), output_field=_MONEY)
# Longer search text is cut: it cannot match a 200-character description anyway, and it keeps
# LIKE patterns small.
MAX_TEXT = 200


@dataclass(frozen=True)
class ExpenseSearch:
    """What to look for; every criterion is optional and they all apply together."""

    text: str = ""
    amount_min: Decimal | None = None  # in the base currency
    amount_max: Decimal | None = None
    date_from: date | None = None
    date_to: date | None = None
    category: int | None = None
    payment_method: int | None = None
    member: int | None = None  # who added the expense
    status: str | None = None

    @property
    def is_empty(self) -> bool:
        return self == ExpenseSearch()


@dataclass(frozen=True)
class SearchTotals:
    currency: str
    count: int
    total: Decimal  # base amounts of the matches that count (skipped ones left out)
    paid: Decimal
    planned: Decimal  # not paid yet
    awaiting_rate: int


def _escape_like(text: str) -> str:
    # icontains escapes % and _ itself; only the length is ours to cap.
    return text[:MAX_TEXT]


def search_expenses(household: Household, search: ExpenseSearch) -> QuerySet[Expense]:
    """The household's expenses in every cycle that match `search`, newest first. The text is
    looked for in the description and the note (a trigram index serves it on PostgreSQL)."""
    expenses = Expense.objects.filter(cycle__household=household)
    text = _escape_like(" ".join(search.text.split()))
    if text:
        expenses = expenses.filter(Q(description__icontains=text) | Q(note__icontains=text))
    if search.amount_min is not None:
        expenses = expenses.filter(base_amount__gte=search.amount_min)
    if search.amount_max is not None:
        expenses = expenses.filter(base_amount__lte=search.amount_max)
    if search.date_from is not None:
        expenses = expenses.filter(date__gte=search.date_from)
    if search.date_to is not None:
        expenses = expenses.filter(date__lte=search.date_to)
    if search.category:
        expenses = expenses.filter(category_id=search.category)
    if search.payment_method:
        expenses = expenses.filter(payment_method_id=search.payment_method)
    if search.member:
        expenses = expenses.filter(created_by_id=search.member)
    if search.status:
        expenses = expenses.filter(status=search.status)
    return expenses.order_by("-date", "-id")


# Criteria the trigger totals (ExpenseTotal) are grouped by: a search using only these is summed
# from a few rows per cycle instead of every expense of the household's history.
_KEPT_CRITERIA = frozenset({"category", "payment_method", "status"})


def _uses_only_kept_criteria(search: ExpenseSearch) -> bool:
    used = {name for name, value in vars(search).items() if value not in (None, "")}
    return used <= _KEPT_CRITERIA


def _kept_totals(household: Household, search: ExpenseSearch) -> SearchTotals:
    kept = trigger_totals(
        household,
        category=search.category,
        payment_method=search.payment_method,
        status=search.status,
    )
    sums = sum_totals(kept)
    return SearchTotals(
        currency=household.base_currency,
        count=sums.all_count,
        total=sums.planned,
        paid=sums.paid,
        planned=sums.remaining,
        awaiting_rate=sums.awaiting_rate,
    )


def search_totals(
    household: Household, expenses: QuerySet[Expense], search: ExpenseSearch | None = None
) -> SearchTotals:
    """Count and totals of every match (not only the page shown), in one query: from the kept
    totals when `search` uses only what they are grouped by (no criteria at all, a category,
    a payment method, a status), otherwise over the matching expenses."""
    if search is not None and _uses_only_kept_criteria(search):
        return _kept_totals(household, search)
    paid = Q(status=Expense.Status.PAID)
    sums = expenses.order_by().aggregate(
        count=Count("pk"),
        total=Coalesce(Sum("base_amount", filter=COUNTED), _ZERO),
        paid=Coalesce(Sum("base_amount", filter=paid), _ZERO),
        planned=Coalesce(Sum("base_amount", filter=COUNTED & ~paid), _ZERO),
        awaiting_rate=Count("pk", filter=Q(base_amount__isnull=True) & COUNTED),
    )
    return SearchTotals(currency=household.base_currency, **sums)


def search_page(expenses: QuerySet[Expense], *, offset: int, limit: int) -> list[Expense]:
    """One page of matches with what a row shows, in one query."""
    return list(
        expenses.select_related("cycle", "category", "payment_method", "created_by")[
            offset : offset + limit
        ]
    )
