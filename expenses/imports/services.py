"""Writes of an import: the statement's rows into a cycle (one transaction), the household's
rules, and the mapping remembered per payment method."""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Household, User
from colony.errors import DomainError, Unprocessable
from cycles.models import Cycle
from cycles.services import lock_open_cycle
from exchange.money import InvalidAmount, validate_amount
from exchange.services import RateBook
from formats.currencies import is_known_currency
from sharing import services as sharing

from .. import services as expense_services
from ..exceptions import (
    CategoryNotAvailable,
    ExpensePlanChanged,
    ImportRowNotAllowed,
    ImportTooLarge,
    InvalidRuleAmount,
    PaymentMethodNotAvailable,
    PlannedExpensePaidTwice,
    RuleDoesNothing,
    UnknownRuleCurrency,
    UnsafeRulePattern,
)
from ..models import Expense, PaymentMethod
from . import pipeline, rules, selectors
from .decoding import DecodedText
from .models import ImportedTransaction, ImportProfile, ImportRule, PendingImport
from .pipeline import RowDecision
from .rows import DUPLICATE, INCOME, INVALID, ImportRow, split_duplicates

NEW, SKIP, PAY = "new", "skip", "pay"
# How long an upload waits for its confirmation, and how many one person keeps waiting.
PENDING_IMPORT_HOURS = 24
MAX_PENDING_IMPORTS = 2


# -- the upload waiting for its confirmation ------------------------------------------------------


@transaction.atomic
def keep_upload(
    *,
    household: Household,
    uploaded_by: User,
    cycle: Cycle,
    decoded: DecodedText,
    filename: str,
    payment_method: PaymentMethod | None,
    now: datetime | None = None,
) -> PendingImport:
    """Keep an uploaded statement for its preview until it expires; expired uploads (of every
    household) go first, and a person keeps at most MAX_PENDING_IMPORTS, the latest."""
    now = now or timezone.now()
    content = pipeline.pack_text(decoded.text)
    if content is None:
        raise ImportTooLarge()
    remove_expired_pending_imports(now=now)
    pending = PendingImport.objects.create(
        household=household,
        uploaded_by=uploaded_by,
        cycle=cycle,
        token=secrets.token_urlsafe(16),
        filename=filename[:100],
        encoding=decoded.encoding,
        payment_method=payment_method,
        content=content,
        expires_at=now + timedelta(hours=PENDING_IMPORT_HOURS),
    )
    older = PendingImport.objects.filter(household=household, uploaded_by=uploaded_by).order_by(
        "-created_at", "-pk"
    )[MAX_PENDING_IMPORTS:]
    PendingImport.objects.filter(pk__in=list(older.values_list("pk", flat=True))).delete()
    return pending


def discard_pending_import(*, pending: PendingImport) -> None:
    """Forget an upload once it is imported or cancelled."""
    pending.delete()


def remove_expired_pending_imports(*, now: datetime | None = None) -> int:
    """Delete every upload past its expiry; how many were deleted."""
    deleted, _ = PendingImport.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


# -- the import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What an import did: expenses created, planned expenses paid, and the rows left out."""

    created: int
    paid: int
    skipped_duplicates: int
    skipped_invalid: int
    skipped_income: int
    skipped_chosen: int


def _check_row(decision: RowDecision, *, cycle: Cycle) -> None:
    """The expense rules, checked again under the lock (the cycle may have changed since the
    preview): the same function add_expense uses."""
    row = decision.row
    if not row.importable or row.date is None or row.amount is None:
        raise ImportRowNotAllowed()
    fields = {"date": row.date, "amount": row.amount, "currency": row.currency}
    if decision.action == NEW:
        if decision.category is None:
            raise CategoryNotAvailable()
        fields.update(
            description=decision.description or row.description,
            category=decision.category,
            payment_method=decision.payment_method,
        )
    with _refused_as_line(row):
        expense_services.check_new_expense(cycle=cycle, **fields)


@contextmanager
def _refused_as_line(row: ImportRow):
    """A row breaking an expense rule (a 422, e.g. an amount too large once converted into
    the base currency) refuses the whole import, saying which line."""
    try:
        yield
    except DomainError as error:
        if error.status != 422:
            raise
        raise ImportRowNotAllowed(f"Line {row.line}: {error.message}") from error


def _lock_planned(decisions: list[RowDecision], *, cycle: Cycle) -> dict[int, Expense]:
    wanted = [decision.pays for decision in decisions]
    if len(set(wanted)) != len(wanted):
        raise PlannedExpensePaidTwice()
    planned = {
        expense.pk: expense
        for expense in Expense.objects.select_for_update().filter(
            cycle=cycle, status=Expense.Status.PLANNED, pk__in=wanted
        )
    }
    for decision in decisions:
        expense = planned.get(decision.pays)
        if expense is None:
            raise ExpensePlanChanged()
        if expense.currency != decision.row.currency:
            raise Unprocessable(
                f"Line {decision.row.line} is in {decision.row.currency}; "
                f"“{expense.description}” is planned in {expense.currency}.",
                code="PAYMENT_CURRENCY_DIFFERS",
            )
    return planned


@transaction.atomic
def import_statement(
    *,
    cycle: Cycle,
    decisions: list[RowDecision],
    created_by: User | None,
    remember: tuple[PaymentMethod, dict] | None = None,
) -> ImportResult:
    """Import a statement's rows into a cycle that is not completed, in one transaction: a row
    that pays a planned expense marks it paid at the bank's amount and date (through the
    expenses service), other chosen rows become paid expenses; rows already imported are left
    out (the bank's id, else date, amount, currency and description), and any row that breaks
    an expense rule refuses the whole import — nothing is half imported."""
    locked = lock_open_cycle(cycle)
    sorted_rows = _sort_decisions(decisions, cycle=locked)
    fresh = _without_duplicates(decisions, sorted_rows.wanted, cycle=locked)
    payments = [d for d in fresh.wanted if d.action == PAY]
    additions = [d for d in fresh.wanted if d.action == NEW]
    records = _pay_planned(payments, cycle=locked, by=created_by)
    records += _add_expenses(additions, cycle=locked, by=created_by)
    ImportedTransaction.objects.bulk_create(records)
    if remember is not None:
        payment_method, settings = remember
        remember_mapping(payment_method=payment_method, settings=settings)
    return ImportResult(
        created=len(additions),
        paid=len(payments),
        skipped_duplicates=fresh.duplicates,
        skipped_invalid=sorted_rows.invalid,
        skipped_income=sorted_rows.income,
        skipped_chosen=fresh.chosen_skip,
    )


@dataclass(frozen=True)
class _SortedDecisions:
    wanted: list[RowDecision]  # chosen for import (new or pay), each checked
    income: int
    invalid: int


def _sort_decisions(decisions: list[RowDecision], *, cycle: Cycle) -> _SortedDecisions:
    """The rows chosen for import, each checked against the expense rules under the lock, and
    how many rows are money in or invalid."""
    income = invalid = 0
    wanted = []
    for decision in decisions:
        if decision.row.status == INCOME:
            income += 1
        elif decision.row.status == INVALID:
            invalid += 1
        elif decision.action in (NEW, PAY) and decision.row.importable:
            _check_row(decision, cycle=cycle)
            wanted.append(decision)
    return _SortedDecisions(wanted=wanted, income=income, invalid=invalid)


@dataclass(frozen=True)
class _FreshDecisions:
    wanted: list[RowDecision]  # chosen and not already in the cycle
    duplicates: int
    chosen_skip: int  # rows that could be imported, left out by the household


def _without_duplicates(
    decisions: list[RowDecision], wanted: list[RowDecision], *, cycle: Cycle
) -> _FreshDecisions:
    """Duplicates again, under the lock and the same way as the preview: every row that could
    be imported takes part, in the file's order, so the same rows come out as duplicates."""
    compared = [d.row for d in decisions if d.row.importable or d.row.status == DUPLICATE]
    existing = selectors.imported_counts(cycle=cycle, rows=compared)
    fresh_rows, duplicates = split_duplicates(compared, existing)
    fresh_ids = {id(row) for row in fresh_rows}
    wanted_ids = {id(d.row) for d in wanted}
    return _FreshDecisions(
        wanted=[d for d in wanted if id(d.row) in fresh_ids],
        duplicates=len(duplicates),
        chosen_skip=sum(1 for row in fresh_rows if id(row) not in wanted_ids),
    )


def _pay_planned(
    payments: list[RowDecision], *, cycle: Cycle, by: User | None
) -> list[ImportedTransaction]:
    """Each planned expense a row pays, marked paid at the bank's amount and date."""
    planned = _lock_planned(payments, cycle=cycle)
    records = []
    for decision in payments:
        row = decision.row
        with _refused_as_line(row):
            expense = expense_services.record_payment(
                expense=planned[decision.pays],
                by=by,
                actual_amount=row.amount,
                paid_on=row.date,
            )
        records.append(_record(cycle, expense, row))
    return records


def _add_expenses(
    additions: list[RowDecision], *, cycle: Cycle, by: User | None
) -> list[ImportedTransaction]:
    """The new rows as paid expenses, in one INSERT, each converted into the base currency
    where it must still fit (exchange.money)."""
    base_currency = cycle.household.base_currency
    # One book for every row: a fixed number of rate queries, whatever the file's length.
    book = RateBook(on_or_before=cycle.end_date, since=cycle.start_date)
    new_expenses = []
    for decision in additions:
        row = decision.row
        with _refused_as_line(row):
            snapshot = expense_services.rate_snapshot(
                amount=row.amount,
                currency=row.currency,
                base_currency=base_currency,
                on_date=row.date,
                book=book,
            )
        new_expenses.append(
            Expense(
                cycle=cycle,
                created_by=by,
                updated_by=by,
                description=decision.description or row.description,
                amount=row.amount,
                planned_amount=row.amount,
                currency=row.currency,
                date=row.date,
                category=decision.category,
                payment_method=decision.payment_method,
                status=Expense.Status.PAID,
                paid_on=row.date,
                # The statement is the payment method's: its owner paid.
                paid_by_id=expense_services.default_payer_id(
                    payment_method=decision.payment_method, added_by=by
                ),
                **snapshot,
            )
        )
    created = Expense.objects.bulk_create(new_expenses)
    sharing.share_expenses(created, household=cycle.household, new=True)
    return [
        _record(cycle, expense, decision.row)
        for expense, decision in zip(created, additions, strict=True)
    ]


def _record(cycle: Cycle, expense: Expense, row: ImportRow) -> ImportedTransaction:
    return ImportedTransaction(
        household_id=cycle.household_id,
        expense=expense,
        key=row.record_key,
        by_bank_id=bool(row.bank_id),
    )


def remember_mapping(*, payment_method: PaymentMethod, settings: dict) -> ImportProfile:
    """Keep the mapping of this payment method's statements for its next file."""
    profile, _ = ImportProfile.objects.update_or_create(
        payment_method=payment_method,
        defaults={"household_id": payment_method.household_id, "settings": settings},
    )
    return profile


# -- rules -----------------------------------------------------------------------------------------

RULE_FIELDS = (
    "match",
    "pattern",
    "min_amount",
    "max_amount",
    "currency",
    "category",
    "payment_method",
    "description",
    "ignore",
    "position",
)


def _check_rule(*, household: Household, fields: dict) -> dict:
    fields = dict(fields)
    fields["pattern"] = (fields.get("pattern") or "").strip()
    fields["description"] = " ".join((fields.get("description") or "").split())
    fields["currency"] = (fields.get("currency") or "").upper()
    if not fields["pattern"]:
        raise UnsafeRulePattern("Give the text to look for.")
    if fields.get("match") not in ImportRule.Match.values:
        raise UnsafeRulePattern("Choose how the description is matched.")
    if fields["match"] == rules.REGEX:
        try:
            rules.check_pattern(fields["pattern"])
        except rules.UnsafePattern as error:
            raise UnsafeRulePattern(str(error)) from error
    elif len(fields["pattern"]) > rules.MAX_PATTERN:
        raise UnsafeRulePattern(f"A pattern has at most {rules.MAX_PATTERN} characters.")
    if fields["currency"] and not is_known_currency(fields["currency"]):
        raise UnknownRuleCurrency()
    low, high = fields.get("min_amount"), fields.get("max_amount")
    for name, value in (("min_amount", low), ("max_amount", high)):
        if value is None:
            continue
        # A bound is an amount like any other: the money rule, in the rule's currency if any.
        try:
            validate_amount(value, fields["currency"] or None)
        except InvalidAmount as error:
            raise InvalidRuleAmount(error.message, field=name) from error
    if low is not None and high is not None and low > high:
        raise InvalidRuleAmount("The smallest amount is more than the largest.", field="max_amount")
    category, method = fields.get("category"), fields.get("payment_method")
    if category is not None and category.household_id != household.pk:
        raise CategoryNotAvailable()
    if method is not None and method.household_id != household.pk:
        raise PaymentMethodNotAvailable()
    if not (fields.get("ignore") or category or method or fields["description"]):
        raise RuleDoesNothing()
    return fields


def create_rule(*, household: Household, **fields) -> ImportRule:
    """Add an import rule; a regular expression must be safe to run on every row."""
    fields.setdefault("match", rules.CONTAINS)
    fields = _check_rule(household=household, fields=fields)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"create_rule() got unexpected fields: {sorted(unknown)}")
    return ImportRule.objects.create(household=household, **fields)


def update_rule(*, rule: ImportRule, **fields) -> ImportRule:
    """Change an import rule, under the same checks as a new one."""
    current = {name: getattr(rule, name) for name in RULE_FIELDS}
    fields = _check_rule(household=rule.household, fields={**current, **fields})
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.save()
    return rule


def delete_rule(*, rule: ImportRule) -> None:
    """Remove an import rule; expenses it already shaped stay as they are."""
    rule.delete()
