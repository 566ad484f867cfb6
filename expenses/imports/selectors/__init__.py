"""Reads for an import: what the preview compares the file with, each in one query. The preview
itself, assembled once per request from the upload waiting for it, is in `preview.py`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import Household
from cycles.models import Cycle

from ...models import Expense, PaymentMethod
from ..models import ImportedTransaction, ImportProfile, ImportRule
from ..placement import CycleSpan, date_span, shift
from ..reconciliation import DATE_WINDOW_DAYS, THERE_DAYS, PlannedExpense, RecordedExpense
from ..rows import ImportRow
from ..rules import History, Rule, RuleBook

# Descriptions of the household's past expenses that suggestions look at (the most used first).
HISTORY_LIMIT = 3_000
# Suggestions learn from the household's latest cycles (about nine months of six-week cycles):
# what it does now, at a cost that does not grow with years of history.
HISTORY_CYCLES = 6


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


def statement_cycles(household: Household, rows: Iterable[ImportRow]) -> list[CycleSpan]:
    """The household's cycles the rows' dates fall in (open or completed), in one query."""
    span = date_span(rows)
    if span is None:
        return []
    found = (
        Cycle.objects.filter(household=household, start_date__lte=span[1], end_date__gte=span[0])
        .order_by("start_date")
        .values_list("pk", "name", "start_date", "end_date", "status")
    )
    return [
        CycleSpan(pk, name, start, end, completed=status == Cycle.Status.COMPLETED)
        for pk, name, start, end, status in found
    ]


@dataclass(frozen=True)
class CycleRecords:
    """What the open cycles a statement goes to already hold, for comparing its rows with."""

    planned: list[PlannedExpense]  # every planned expense (a row may pay one)
    recorded: list[RecordedExpense]  # not skipped, at an amount some row has, near its dates
    imported: dict[str, list[int]]  # record key → the expenses earlier imports made of it


def cycle_records(
    *, household: Household, cycle_ids: Iterable[int], rows: Iterable[ImportRow]
) -> CycleRecords:
    """What the open cycles `cycle_ids` hold that the rows may be, in two flat queries: the
    bank rows earlier imports remembered (in these cycles, or by one of the rows' bank ids
    anywhere in the household), and the cycles' planned expenses with the expenses at an
    amount some row has and dated near the rows (no other can be a row)."""
    cycle_ids = list(cycle_ids)
    # Only rows in these cycles can be one of their expenses (the others are left out anyway).
    rows = [row for row in rows if row.cycle_id in cycle_ids or row.cycle_id is None]
    imported: dict[str, list[int]] = {}
    bank_keys = [row.record_key for row in rows if row.bank_id]
    remembered = (
        ImportedTransaction.objects.filter(household=household)
        .filter(
            Q(by_bank_id=True, key__in=bank_keys)
            | Q(by_bank_id=False, expense__cycle_id__in=cycle_ids)
        )
        .order_by("pk")
        .values_list("key", "expense_id")
    )
    for key, expense_id in remembered:
        imported.setdefault(key, []).append(expense_id)
    amounts = {row.amount for row in rows if row.amount is not None}
    span = date_span(rows)
    near = Q(status=Expense.Status.PLANNED)
    if amounts and span is not None:
        days = max(THERE_DAYS, DATE_WINDOW_DAYS)
        near |= Q(amount__in=amounts, date__range=(shift(span[0], -days), shift(span[1], days)))
    found = (
        Expense.objects.filter(cycle_id__in=cycle_ids)
        .exclude(status=Expense.Status.SKIPPED)
        .filter(near)
        .annotate(imported=Exists(ImportedTransaction.objects.filter(expense=OuterRef("pk"))))
        .order_by("date", "pk")
        .values_list(
            "pk",
            "cycle_id",
            "description",
            "amount",
            "currency",
            "date",
            "payment_method_id",
            "status",
            "imported",
        )
    )
    planned, recorded = [], []
    for pk, cycle_id, description, amount, currency, on, method_id, status, was_imported in found:
        if status == Expense.Status.PLANNED:
            planned.append(PlannedExpense(pk, description, amount, currency, on, cycle_id))
        if amount in amounts:
            recorded.append(
                RecordedExpense(
                    pk=pk,
                    cycle_id=cycle_id,
                    description=description,
                    amount=amount,
                    currency=currency,
                    date=on,
                    payment_method_id=method_id,
                    paid=status == Expense.Status.PAID,
                    imported=was_imported,
                )
            )
    return CycleRecords(planned=planned, recorded=recorded, imported=imported)


def remembered_mapping(payment_method: PaymentMethod | None) -> dict | None:
    """The mapping last used for this payment method's statements, if any."""
    if payment_method is None:
        return None
    profile = ImportProfile.objects.filter(payment_method=payment_method).first()
    return profile.settings if profile else None
