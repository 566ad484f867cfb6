"""Writes and rules of shared money: an expense's split and shares, the household's default
split, settlements. Expense services call `share_expense` after every write of an expense;
writers that add many at once (generation from templates, the bank import, rates that arrive
later) call `share_expenses`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q, Sum

from accounts.models import Household, Membership, User
from accounts.roles import ensure_can_write
from cycles.models import Cycle, IncomeLine
from exchange.money import validate_amount
from formats.currencies import quantum_for

from .arithmetic import largest_remainder
from .exceptions import (
    PayerNotMember,
    SettlementInvalid,
    SettlementStale,
    SplitInvalid,
)
from .models import ExpenseShare, ExpenseSplit, HouseholdSplit, Settlement, SplitKind
from .selectors import member_balance

# Bad input is refused before any work: a split names at most this many members, and a weight
# is a positive number up to MAX_WEIGHT.
MAX_SPLIT_MEMBERS = 50
MAX_WEIGHT = Decimal(1_000_000)


@dataclass(frozen=True)
class SplitChoice:
    """Who an expense is for, as chosen: `members` (a subset, for equal; empty = everyone) or
    `shares` (weights per member id, for shares)."""

    kind: str = SplitKind.EQUAL
    members: tuple[int, ...] = ()
    shares: dict[int, Decimal] = field(default_factory=dict)


def parse_split(raw: dict | None) -> SplitChoice | None:
    """A split as the API and forms send it (`{"kind", "members", "shares"}`, ids and weights
    possibly as strings) → SplitChoice, or SplitInvalid (422)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise SplitInvalid()
    kind = raw.get("kind")
    if kind not in SplitKind.values:
        raise SplitInvalid("The split's kind is equal, shares, income or personal.")
    members = raw.get("members") or []
    shares = raw.get("shares") or {}
    if not isinstance(members, list | tuple) or not isinstance(shares, dict):
        raise SplitInvalid()
    if len(members) > MAX_SPLIT_MEMBERS or len(shares) > MAX_SPLIT_MEMBERS:
        raise SplitInvalid("A split names at most 50 members.")
    try:
        member_ids = tuple(sorted({int(member) for member in members}))
        weights = {int(member): Decimal(str(weight)) for member, weight in shares.items()}
    except (TypeError, ValueError, InvalidOperation) as error:
        raise SplitInvalid() from error
    for weight in weights.values():
        if not weight.is_finite() or not Decimal(0) < weight <= MAX_WEIGHT:
            raise SplitInvalid("Each share is a number above 0 and at most 1,000,000.")
    if kind == SplitKind.SHARES and not weights:
        raise SplitInvalid("Give each member's share (for example 2 and 1).")
    return SplitChoice(kind=kind, members=member_ids, shares=weights)


def split_as_dict(split: SplitChoice) -> dict:
    return {
        "kind": split.kind,
        "members": list(split.members),
        "shares": {str(member): str(weight) for member, weight in split.shares.items()},
    }


def _member_ids(household_id: int) -> list[int]:
    return list(
        Membership.objects.filter(household_id=household_id)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def check_split(split: SplitChoice | None, *, household_id: int) -> None:
    """Everyone a split names is a current member of the household."""
    if split is None:
        return
    named = set(split.members) | set(split.shares)
    if named - set(_member_ids(household_id)):
        raise SplitInvalid()


def check_payer(payer: User | None, *, household_id: int, current_payer_id: int | None = None):
    """The payer is a member of the household (one who left may stay on their old expenses)."""
    if payer is None or payer.pk == current_payer_id:
        return
    if not Membership.objects.filter(household_id=household_id, user_id=payer.pk).exists():
        raise PayerNotMember()


def default_split(household_id: int) -> SplitChoice:
    """The household's default split (an owner sets it), else equal between everyone."""
    stored = HouseholdSplit.objects.filter(household_id=household_id).first()
    if stored is None:
        return SplitChoice()
    return SplitChoice(
        kind=stored.kind,
        shares={int(member): Decimal(weight) for member, weight in stored.weights.items()},
    )


@transaction.atomic
def set_default_split(*, household: Household, by: User, split: SplitChoice) -> HouseholdSplit:
    """An owner sets the split new expenses get when none is chosen."""
    membership = Membership.objects.filter(household=household, user=by).first()
    if membership is None or not membership.is_owner:
        ensure_can_write(None)
    if split.members:
        raise SplitInvalid("The default split is for everyone; choose members per expense.")
    check_split(split, household_id=household.pk)
    stored, _ = HouseholdSplit.objects.update_or_create(
        household=household,
        defaults={
            "kind": split.kind,
            "weights": {str(member): str(weight) for member, weight in split.shares.items()},
        },
    )
    return stored


def _incomes(cycle_ids: set[int], member_ids: list[int]) -> dict[int, dict[int, Decimal]]:
    """Each member's income received in each cycle, in the base currency (income lines'
    "whose")."""
    rows = (
        IncomeLine.objects.filter(
            cycle_id__in=cycle_ids,
            member_id__in=member_ids,
            is_received=True,
            base_amount__isnull=False,
        )
        .values("cycle_id", "member_id")
        .annotate(total=Sum("base_amount"))
    )
    incomes: dict[int, dict[int, Decimal]] = {}
    for row in rows:
        if row["total"] > 0:
            incomes.setdefault(row["cycle_id"], {})[row["member_id"]] = row["total"]
    return incomes


def _resolve(split: SplitChoice, *, members: list[int], income: dict[int, Decimal]) -> ExpenseSplit:
    """The weights a chosen split stands for now (stored with the expense)."""
    resolved = ExpenseSplit(kind=split.kind, chosen_members=list(split.members))
    if split.kind == SplitKind.SHARES:
        weights = {member: weight for member, weight in split.shares.items() if member in members}
        if not weights:
            weights = dict.fromkeys(members, Decimal(1))
    elif split.kind == SplitKind.INCOME:
        weights = dict(income)
        if not weights:
            weights = dict.fromkeys(members, Decimal(1))
            resolved.fell_back_to_equal = True
    elif split.kind == SplitKind.PERSONAL:
        weights = {}
    else:
        chosen = [member for member in split.members if member in members] or members
        weights = dict.fromkeys(chosen, Decimal(1))
    resolved.weights = {str(member): str(weight) for member, weight in weights.items()}
    return resolved


def _shares_of(expense, split: ExpenseSplit, household: Household) -> list[ExpenseShare]:
    """The expense's rows: the payer's paid amount and each member's share. None for a
    personal expense, one awaiting a rate (no base amount yet) or one without a payer."""
    if (
        split.kind == SplitKind.PERSONAL
        or expense.base_amount is None
        or expense.paid_by_id is None
        or not split.weights
    ):
        return []
    weights = {int(member): Decimal(weight) for member, weight in split.weights.items()}
    parts = largest_remainder(expense.base_amount, weights, quantum_for(household.base_currency))
    rows = []
    for member in sorted(set(parts) | {expense.paid_by_id}):
        rows.append(
            ExpenseShare(
                household_id=household.pk,
                cycle_id=expense.cycle_id,
                expense_id=expense.pk,
                user_id=member,
                paid=expense.base_amount if member == expense.paid_by_id else Decimal(0),
                share=parts.get(member, Decimal(0)),
            )
        )
    return rows


def share_expense(
    *, expense, household: Household, split: SplitChoice | None = None, new: bool = False
) -> None:
    """Store the expense's split (the one chosen; else the one it has; else the household's
    default) and its shares from its base amount and payer. Called inside the expense's own
    transaction after every write of it (`new`: just inserted, nothing stored to replace)."""
    share_expenses(
        [expense], household=household, splits={expense.pk: split} if split else None, new=new
    )


def share_expenses(
    expenses: Iterable,
    *,
    household: Household,
    splits: dict[int, SplitChoice] | None = None,
    new: bool = False,
) -> None:
    """`share_expense` for many expenses of one household at once (constant queries): those
    without a stored split get the chosen or the household's default one (`new`: all just
    inserted). Each expense keeps the split stored as `stored_split`."""
    expenses = [expense for expense in expenses if expense.pk is not None]
    if not expenses:
        return
    splits = splits or {}
    ids = [expense.pk for expense in expenses]
    stored = {} if new else ExpenseSplit.objects.in_bulk(ids)
    needing = [e for e in expenses if e.pk in splits or e.pk not in stored]
    if needing:
        members = _member_ids(household.pk)
        fallback = default_split(household.pk)
        income_cycles = {
            e.cycle_id for e in needing if (splits.get(e.pk) or fallback).kind == SplitKind.INCOME
        }
        incomes = _incomes(income_cycles, members) if income_cycles else {}
        replaced = [e.pk for e in needing if e.pk in stored]
        new_splits = []
        for expense in needing:
            resolved = _resolve(
                splits.get(expense.pk) or fallback,
                members=members,
                income=incomes.get(expense.cycle_id, {}),
            )
            resolved.expense_id = expense.pk
            resolved.was_chosen = expense.pk in splits
            stored[expense.pk] = resolved
            new_splits.append(resolved)
        if replaced:
            ExpenseSplit.objects.filter(expense_id__in=replaced).delete()
        ExpenseSplit.objects.bulk_create(new_splits)
    rows = []
    for expense in expenses:
        expense.stored_split = stored[expense.pk]
        expense.stored_shares = _shares_of(expense, stored[expense.pk], household)
        rows.extend(expense.stored_shares)
    if not new:
        ExpenseShare.objects.filter(expense_id__in=ids).delete()
    ExpenseShare.objects.bulk_create(rows)


# --- settlements --------------------------------------------------------------------------------


def _has_history(household_id: int, user_id: int) -> bool:
    """A member, or one who left with expenses or settlements still in the household's
    balances (the settle-up plan can still include them)."""
    return (
        Membership.objects.filter(household_id=household_id, user_id=user_id).exists()
        or ExpenseShare.objects.filter(household_id=household_id, user_id=user_id).exists()
        or Settlement.objects.filter(household_id=household_id)
        .filter(Q(from_user_id=user_id) | Q(to_user_id=user_id))
        .exists()
    )


@transaction.atomic
def record_settlement(
    *,
    household: Household,
    by: User,
    from_user_id: int,
    to_user_id: int,
    amount: Decimal,
    currency: str,
    on_date: date,
    note: str = "",
    cycle: Cycle | None = None,
    expected_balance: Decimal | None = None,
) -> Settlement:
    """Record money one member gave another, in the base currency: between two different
    people of the household, for more than zero, by someone who may write. With
    `expected_balance` (the payer's balance the person saw) a balance moved meanwhile is a
    409, so two people settling at once never record the same transfer twice."""
    ensure_can_write(Membership.objects.filter(household=household, user=by).first())
    # Settlements of one household are recorded one at a time: the balance checked below is
    # the one the new settlement is written against.
    Household.objects.select_for_update(no_key=True).filter(pk=household.pk).values_list("pk").get()
    if from_user_id == to_user_id:
        raise SettlementInvalid("A settlement is between two different members.")
    if not (_has_history(household.pk, from_user_id) and _has_history(household.pk, to_user_id)):
        raise SettlementInvalid("A settlement is between two members of the household.")
    if (currency or "").upper() != household.base_currency:
        raise SettlementInvalid(
            f"Settle in the household's currency, {household.base_currency}.",
            code="SETTLEMENT_CURRENCY",
        )
    validate_amount(amount, household.base_currency)
    current = member_balance(household=household, user_id=from_user_id, cycle=cycle)
    if expected_balance is not None and current != expected_balance:
        raise SettlementStale()
    if cycle is None:
        cycle = (
            Cycle.objects.filter(
                household=household, start_date__lte=on_date, end_date__gte=on_date
            )
            .order_by("-start_date")
            .first()
        )
    return Settlement.objects.create(
        household=household,
        cycle=cycle,
        from_user_id=from_user_id,
        to_user_id=to_user_id,
        amount=amount,
        currency=household.base_currency,
        date=on_date,
        note=(note or "").strip()[:200],
        settled_balance=current,
        created_by=by,
    )


@transaction.atomic
def delete_settlement(*, settlement: Settlement, by: User) -> None:
    """A settlement recorded by mistake is removed (by someone who may write)."""
    ensure_can_write(
        Membership.objects.filter(household_id=settlement.household_id, user=by).first()
    )
    Household.objects.select_for_update(no_key=True).filter(pk=settlement.household_id).values_list(
        "pk"
    ).get()
    Settlement.objects.filter(pk=settlement.pk).delete()
