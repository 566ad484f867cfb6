"""Reads for an import: what the preview compares the file with, each in one query. The preview
itself, assembled once per request from the upload waiting for it, is in `preview.py`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from accounts.models import Household
from cycles.models import Cycle

from ...models import Expense, PaymentMethod
from ..models import ImportedTransaction, ImportProfile, ImportRule
from ..reconciliation import PlannedExpense
from ..rows import ImportRow, expense_key, record_key
from ..rules import History, Rule, RuleBook

# Descriptions of the household's past expenses that suggestions look at (the most used first).
HISTORY_LIMIT = 3_000
# Suggestions learn from the household's latest cycles (about nine months of six-week cycles):
# what it does now, at a cost that does not grow with years of history.
HISTORY_CYCLES = 6


def planned_expenses(cycle: Cycle) -> list[PlannedExpense]:
    """The cycle's planned (unpaid, not skipped) expenses, which a bank row may pay."""
    rows = (
        Expense.objects.filter(cycle=cycle, status=Expense.Status.PLANNED)
        .order_by("date", "pk")
        .values_list("pk", "description", "amount", "currency", "date")
    )
    return [PlannedExpense(*row) for row in rows]


def household_rules(household: Household) -> QuerySet[ImportRule]:
    """The household's rules in the order they are applied, for the rules page."""
    return ImportRule.objects.filter(household=household).select_related(
        "category", "payment_method"
    )


def rule_book(household: Household) -> RuleBook:
    """The household's rules, compiled for applying to a whole file."""
    return RuleBook(
        Rule(
            pk=rule.pk,
            match=rule.match,
            pattern=rule.pattern,
            label=str(rule),
            position=rule.position,
            min_amount=rule.min_amount,
            max_amount=rule.max_amount,
            currency=rule.currency,
            category_id=rule.category_id,
            payment_method_id=rule.payment_method_id,
            description=rule.description,
            ignore=rule.ignore,
        )
        for rule in ImportRule.objects.filter(household=household)
    )


def category_history(household: Household) -> History:
    """How often the household put each description in each category in its latest
    HISTORY_CYCLES cycles: the HISTORY_LIMIT most frequent pairs, counted and ranked by the
    database in one query (skipped expenses are not counted)."""
    latest = (Cycle.objects.filter(household=household).order_by("-start_date").values("pk"))[
        :HISTORY_CYCLES
    ]
    frequent = (
        Expense.objects.filter(cycle_id__in=latest)
        .exclude(status=Expense.Status.SKIPPED)
        .order_by()
        .values("description", "category_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "description", "category_id")
        .values_list("description", "category_id", "n")
    )[:HISTORY_LIMIT]
    return History(frequent)


def imported_counts(*, cycle: Cycle, rows: Iterable[ImportRow]) -> Counter:
    """record key → how many times the cycle (or, for bank ids, the household) already holds
    each of `rows`: the rows earlier imports remembered, plus the expenses entered otherwise
    (by their date, amount, currency and description). Only expenses on a date and at an
    amount some row has are read: no other can share a row's key."""
    rows = list(rows)
    bank_keys = [row.record_key for row in rows if row.bank_id]
    keys = [row.key for row in rows if not row.bank_id]
    counts: Counter = Counter()
    remembered = (
        ImportedTransaction.objects.filter(household_id=cycle.household_id)
        .filter(Q(expense__cycle=cycle, by_bank_id=False) | Q(by_bank_id=True, key__in=bank_keys))
        .order_by()
        .values("key")
        .annotate(n=Count("pk"))
        .values_list("key", "n")
    )
    counts.update(dict(remembered))
    dates = {on for on, *_ in keys if on is not None}
    amounts = {amount for _, amount, *_ in keys if amount is not None}
    if not (dates and amounts):
        return counts
    others = (
        Expense.objects.filter(
            cycle=cycle, import_records__isnull=True, date__in=dates, amount__in=amounts
        )
        .order_by()
        .values("date", "amount", "currency", "description")
        .annotate(n=Count("pk"))
        .values_list("date", "amount", "currency", "description", "n")
    )
    for on, amount, currency, description, n in others:
        key = expense_key(on=on, amount=amount, currency=currency, description=description)
        counts[record_key(key)] += n
    return counts


def remembered_mapping(payment_method: PaymentMethod | None) -> dict | None:
    """The mapping last used for this payment method's statements, if any."""
    if payment_method is None:
        return None
    profile = ImportProfile.objects.filter(payment_method=payment_method).first()
    return profile.settings if profile else None
