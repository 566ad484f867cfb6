"""Writes of an import: the statement's rows into a cycle (one transaction), the household's
rules, and the mapping remembered per payment method."""

from __future__ import annotations

import csv
import io
import secrets
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Household, User
from colony.errors import DomainError, Unprocessable
from cycles.exceptions import CycleNotFound
from cycles.models import Cycle
from cycles.services import lock_open_cycle
from exchange.money import InvalidAmount, validate_amount
from exchange.services import RateBook
from formats.currencies import is_known_currency
from sharing import services as sharing

from .. import services as expense_services
from ..exceptions import (
    CategoryNotAvailable,
    ExpenseFoundTwice,
    ExpensePlanChanged,
    ImportRowNotAllowed,
    ImportTooLarge,
    InvalidRuleAmount,
    PaymentMethodNotAvailable,
    PlannedExpensePaidTwice,
    RecordedExpenseChanged,
    RuleDoesNothing,
    UnknownRuleCurrency,
    UnsafeRulePattern,
)
from ..models import Expense, PaymentMethod
from . import pipeline, rules, selectors
from .decoding import DecodedText, decode_as, is_guess
from .limits import MAX_ROWS, TOO_LONG, UnreadableFile
from .models import ImportedTransaction, ImportProfile, ImportRule, PendingImport
from .pipeline import RowDecision
from .reconciliation import existing_counts
from .rows import DUPLICATE, INCOME, INVALID, OUTSIDE, ImportRow, split_duplicates

NEW, SKIP, PAY, THERE = "new", "skip", "pay", "there"
# How long an upload waits for its confirmation after its last preview, and how many one person
# keeps waiting (a statement per account of the household, and one uploaded again).
PENDING_IMPORT_HOURS = 24
MAX_PENDING_IMPORTS = 5


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
    household) go first, and a person keeps at most MAX_PENDING_IMPORTS, the ones used last
    (a preview still open in another tab is not pushed out by a newer upload). A file whose code
    page had to be guessed is read in the one the payment method's last file was read in, when
    it reads in that one."""
    now = now or timezone.now()
    decoded = _in_remembered_encoding(decoded, payment_method)
    content = pipeline.pack_upload(decoded.raw)
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
    # The expiry moves with each preview (keep_using), so the latest expiry is the latest use.
    older = PendingImport.objects.filter(household=household, uploaded_by=uploaded_by).order_by(
        "-expires_at", "-pk"
    )[MAX_PENDING_IMPORTS:]
    PendingImport.objects.filter(pk__in=list(older.values_list("pk", flat=True))).delete()
    return pending


# The columns rows sent as JSON are kept in (keep_rows): a statement like any other, so the
# preview and the import read them through the same pipeline as a bank's file.
ROWS_HEADER = ("Date", "Description", "Amount", "Currency")
ROWS_FILENAME = "rows.json"


def keep_rows(
    *,
    household: Household,
    uploaded_by: User,
    cycle: Cycle,
    rows: list[dict],
    payment_method: PaymentMethod | None,
    now: datetime | None = None,
) -> PendingImport:
    """Keep rows a client parsed itself ({date, description, amount, currency}, money out)
    as a pending import: written as a CSV statement (ISO dates, money out as a negative
    amount) so that they are previewed, reconciled and imported exactly like an upload."""
    if len(rows) > MAX_ROWS:
        raise ImportTooLarge(TOO_LONG)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(ROWS_HEADER)
    for row in rows:
        amount = row["amount"]
        writer.writerow(
            (row["date"].isoformat(), row["description"], format(-amount, "f"), row["currency"])
        )
    raw = text.getvalue().encode("utf-8")
    return keep_upload(
        household=household,
        uploaded_by=uploaded_by,
        cycle=cycle,
        decoded=DecodedText(text=text.getvalue(), encoding="utf_8", raw=raw),
        filename=ROWS_FILENAME,
        payment_method=payment_method,
        now=now,
    )


def _in_remembered_encoding(decoded: DecodedText, payment_method: PaymentMethod | None):
    remembered = (selectors.remembered_mapping(payment_method) or {}).get("encoding", "")
    # Only one code page for another: UTF-8 or UTF-16 is never a guess.
    if not (is_guess(decoded.encoding) and is_guess(remembered)) or remembered == decoded.encoding:
        return decoded
    try:
        return decode_as(decoded.raw, remembered)
    except UnreadableFile:
        return decoded


def keep_using(*, pending: PendingImport, now: datetime | None = None) -> None:
    """An upload waits PENDING_IMPORT_HOURS from its latest preview, not from its upload."""
    expires_at = (now or timezone.now()) + timedelta(hours=PENDING_IMPORT_HOURS)
    PendingImport.objects.filter(pk=pending.pk).update(expires_at=expires_at)


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
    """What an import did: expenses created, planned expenses paid, rows found already there,
    and the rows left out."""

    created: int
    paid: int
    skipped_duplicates: int
    skipped_invalid: int
    skipped_income: int
    skipped_chosen: int
    already_there: int = 0
    skipped_outside: int = 0
    # The expenses written: created, paid (planned ones), linked (already there).
    created_ids: tuple[int, ...] = ()
    paid_ids: tuple[int, ...] = ()
    linked_ids: tuple[int, ...] = ()


def _cycle_id(decision: RowDecision, default: Cycle) -> int:
    """The cycle a row goes to: its own (placement.place), else the one the import is for."""
    return decision.row.cycle_id or default.pk


def _check_row(decision: RowDecision, *, cycle: Cycle) -> None:
    """The expense rules, checked again under the lock (the cycle may have changed since the
    preview): the same function add_expense uses."""
    row = decision.row
    if not row.importable or row.date is None or row.amount is None:
        raise ImportRowNotAllowed()
    if decision.action == THERE:
        return  # nothing is written to the expense itself
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


def _lock_cycles(wanted: list[RowDecision], *, default: Cycle) -> dict[int, Cycle]:
    """The cycle the import is for and each chosen row's, locked in the order of their keys
    (two imports lock alike and never wait on each other crosswise); a completed one is a 409."""
    ids = sorted({default.pk, *(_cycle_id(decision, default) for decision in wanted)})
    found = {c.pk: c for c in Cycle.objects.filter(household_id=default.household_id, pk__in=ids)}
    if len(found) != len(ids):
        raise CycleNotFound()
    return {pk: lock_open_cycle(found[pk]) for pk in ids}


def _lock_planned(
    decisions: list[RowDecision], *, cycles: dict[int, Cycle], default: Cycle
) -> dict[int, Expense]:
    wanted = [decision.pays for decision in decisions]
    if len(set(wanted)) != len(wanted):
        raise PlannedExpensePaidTwice()
    planned = {
        expense.pk: expense
        for expense in Expense.objects.select_for_update().filter(
            cycle_id__in=list(cycles), status=Expense.Status.PLANNED, pk__in=wanted
        )
    }
    for decision in decisions:
        expense = planned.get(decision.pays)
        if expense is None or expense.cycle_id != _cycle_id(decision, default):
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
    """Import a statement's rows, each into the open cycle holding its date (`cycle`, the one
    the import is for, takes rows that name none), in one transaction: a row that pays a
    planned expense marks it paid at the bank's amount and date (through the expenses service),
    a row already there is remembered as that expense, other chosen rows become paid expenses;
    rows already imported are left out (the bank's id, else date, amount, currency and
    description), and any row that breaks an expense rule refuses the whole import — nothing
    is half imported."""
    wanted = [d for d in decisions if d.action in (NEW, PAY, THERE) and d.row.importable]
    cycles = _lock_cycles(wanted, default=cycle)
    for decision in wanted:
        _check_row(decision, cycle=cycles[_cycle_id(decision, cycle)])
    fresh = _without_duplicates(decisions, wanted, cycles=cycles, default=cycle)
    payments = [d for d in fresh.wanted if d.action == PAY]
    additions = [d for d in fresh.wanted if d.action == NEW]
    links = [d for d in fresh.wanted if d.action == THERE]
    paid = _pay_planned(payments, cycles=cycles, default=cycle, by=created_by)
    created = _add_expenses(additions, cycles=cycles, default=cycle, by=created_by)
    linked = _link_recorded(links, cycles=cycles, default=cycle)
    ImportedTransaction.objects.bulk_create(paid + created + linked)
    if remember is not None:
        payment_method, settings = remember
        remember_mapping(payment_method=payment_method, settings=settings)
    statuses = Counter(decision.row.status for decision in decisions)
    return ImportResult(
        created=len(additions),
        paid=len(payments),
        skipped_duplicates=fresh.duplicates,
        skipped_invalid=statuses[INVALID],
        skipped_income=statuses[INCOME],
        skipped_chosen=fresh.chosen_skip,
        already_there=len(links),
        skipped_outside=statuses[OUTSIDE],
        created_ids=tuple(record.expense_id for record in created),
        paid_ids=tuple(record.expense_id for record in paid),
        linked_ids=tuple(record.expense_id for record in linked),
    )


@dataclass(frozen=True)
class _FreshDecisions:
    wanted: list[RowDecision]  # chosen and not already in the cycle
    duplicates: int
    chosen_skip: int  # rows that could be imported, left out by the household


def _without_duplicates(
    decisions: list[RowDecision],
    wanted: list[RowDecision],
    *,
    cycles: dict[int, Cycle],
    default: Cycle,
) -> _FreshDecisions:
    """Duplicates again, under the lock and the same way as the preview: every row that could
    be imported takes part, in the file's order, so the same rows come out as duplicates."""
    compared = [d.row for d in decisions if d.row.importable or d.row.status == DUPLICATE]
    held = selectors.cycle_records(
        household=default.household, cycle_ids=list(cycles), rows=compared
    )
    fresh_rows, duplicates = split_duplicates(
        compared, existing_counts(held.recorded, held.imported)
    )
    fresh_ids = {id(row) for row in fresh_rows}
    wanted_ids = {id(d.row) for d in wanted}
    return _FreshDecisions(
        wanted=[d for d in wanted if id(d.row) in fresh_ids],
        duplicates=len(duplicates),
        chosen_skip=sum(1 for row in fresh_rows if id(row) not in wanted_ids),
    )


def _pay_planned(
    payments: list[RowDecision], *, cycles: dict[int, Cycle], default: Cycle, by: User | None
) -> list[ImportedTransaction]:
    """Each planned expense a row pays, marked paid at the bank's amount and date."""
    planned = _lock_planned(payments, cycles=cycles, default=default)
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
        records.append(_record(default.household_id, expense, row))
    return records


def _add_expenses(
    additions: list[RowDecision], *, cycles: dict[int, Cycle], default: Cycle, by: User | None
) -> list[ImportedTransaction]:
    """The new rows as paid expenses, in one INSERT, each converted into the base currency
    where it must still fit (exchange.money)."""
    base_currency = default.household.base_currency
    # One book for every row: a fixed number of rate queries, whatever the file's length.
    book = RateBook(
        on_or_before=max(c.end_date for c in cycles.values()),
        since=min(c.start_date for c in cycles.values()),
    )
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
                cycle=cycles[_cycle_id(decision, default)],
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
    sharing.share_expenses(created, household=default.household, new=True)
    return [
        _record(default.household_id, expense, decision.row)
        for expense, decision in zip(created, additions, strict=True)
    ]


def _link_recorded(
    links: list[RowDecision], *, cycles: dict[int, Cycle], default: Cycle
) -> list[ImportedTransaction]:
    """Each row already there remembered as its expense, so that the same bank row is a
    duplicate next time; the expense itself is left as the household entered it."""
    wanted = [decision.already for decision in links]
    if len(set(wanted)) != len(wanted):
        raise ExpenseFoundTwice()
    found = {
        expense.pk: expense
        for expense in Expense.objects.filter(cycle_id__in=list(cycles), pk__in=wanted).exclude(
            status=Expense.Status.SKIPPED
        )
    }
    records = []
    for decision in links:
        expense = found.get(decision.already)
        if expense is None or expense.cycle_id != _cycle_id(decision, default):
            raise RecordedExpenseChanged()
        records.append(_record(default.household_id, expense, decision.row))
    return records


def _record(household_id: int, expense: Expense, row: ImportRow) -> ImportedTransaction:
    return ImportedTransaction(
        household_id=household_id,
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
