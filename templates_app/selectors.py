"""Reads for the expense template pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from accounts.models import Household
from expenses.models import Expense
from expenses.setup.selectors import count_related

from .models import ExpenseTemplate
from .occurrences import PREVIEW_DAYS, monthly_equivalent, next_occurrence, preview_for_cycle


def templates_for_list(household: Household) -> QuerySet[ExpenseTemplate]:
    """The household's templates with category, payment method and how many expenses each
    has made, active first."""
    return (
        ExpenseTemplate.objects.filter(household=household)
        .select_related("category", "payment_method")
        .annotate(expense_count=count_related(Expense.objects.all(), "template"))
        .order_by("-is_active", "name")
    )


def template_for_row(household: Household, pk: int) -> ExpenseTemplate:
    return templates_for_list(household).get(pk=pk)


def with_schedule(templates: Iterable[ExpenseTemplate], today: date) -> list[ExpenseTemplate]:
    """Attach `next_occurrence` (None when paused or ended) and `monthly_equivalent` to each
    template; pure date arithmetic, no queries."""
    rows = list(templates)
    for template in rows:
        template.next_occurrence = next_occurrence(template, today) if template.is_active else None
        template.monthly_equivalent = monthly_equivalent(template)
    return rows


@dataclass(frozen=True)
class Preview:
    start: date
    end: date
    count: int
    total: Decimal
    currency: str


def template_preview(template, *, start: date, days: int = PREVIEW_DAYS) -> Preview:
    """What `template` (saved or not) would make in the `days` days from `start`."""
    count, total = preview_for_cycle(template, start, days)
    return Preview(
        start=start,
        end=start + timedelta(days=days - 1),
        count=count,
        total=total,
        currency=template.currency,
    )
