"""Reads of shared money: balances (per cycle and all-time), the settle-up plan, the history
of a household's shared expenses and settlements. Each is a fixed number of flat grouped
queries, however long the history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from accounts.models import Household, Membership, User

from .arithmetic import Transfer, settle_up_plan
from .models import ExpenseShare, ExpenseSplit, HouseholdSplit, Settlement, SplitKind

ZERO = Decimal(0)
FORMER_MEMBER = "A former member"

# Expense statuses as stored (the expenses app sits above this one).
PAID = "paid"
PLANNED = "planned"
SKIPPED = "skipped"


@dataclass
class MemberBalance:
    user_id: int | None
    name: str
    is_member: bool
    # What they paid and their share of what was paid (settlements apart), the base currency.
    paid: Decimal = ZERO
    share: Decimal = ZERO
    settled_out: Decimal = ZERO
    settled_in: Decimal = ZERO
    # The same for what is still planned (shown apart from the balance).
    planned_paid: Decimal = ZERO
    planned_share: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        """Positive: the household owes them; negative: they owe. Settlements they made raise
        it, those they received lower it."""
        return self.paid - self.share + self.settled_out - self.settled_in

    @property
    def planned_balance(self) -> Decimal:
        """The balance once every planned expense is paid as planned."""
        return self.balance + self.planned_paid - self.planned_share


@dataclass
class Balances:
    currency: str
    members: list[MemberBalance]
    settle_up: list[Transfer] = field(default_factory=list)
    names: dict[int | None, str] = field(default_factory=dict)

    def name_of(self, user_id: int | None) -> str:
        return self.names.get(user_id, FORMER_MEMBER)

    @property
    def is_settled(self) -> bool:
        return not self.settle_up

    def of(self, user_id: int | None) -> MemberBalance | None:
        return next((m for m in self.members if m.user_id == user_id), None)


def _scope(queryset: QuerySet, household: Household, cycle) -> QuerySet:
    queryset = queryset.filter(household_id=household.pk)
    return queryset if cycle is None else queryset.filter(cycle_id=cycle.pk)


def _name(user: User | None) -> str:
    return user.display_name if user is not None else FORMER_MEMBER


def balances(*, household: Household, cycle=None, members=None) -> Balances:
    """Each member's paid, share and balance (and planned balance) for one cycle, or all-time
    without `cycle`, with the settle-up plan. Current members always appear; one who left
    appears while they have history. Balances add up to exactly zero. Four queries at most;
    three with the household's `members` (memberships with their users) already loaded."""
    by_member: dict[int | None, MemberBalance] = {}
    if members is None:
        members = (
            Membership.objects.filter(household_id=household.pk)
            .select_related("user")
            .order_by("joined_at")
        )
    for membership in members:
        by_member[membership.user_id] = MemberBalance(
            membership.user_id, _name(membership.user), is_member=True
        )

    def member(user_id: int | None) -> MemberBalance:
        if user_id not in by_member:
            by_member[user_id] = MemberBalance(user_id, FORMER_MEMBER, is_member=False)
        return by_member[user_id]

    shares = (
        _scope(ExpenseShare.objects, household, cycle)
        .exclude(expense__status=SKIPPED)
        .values("user_id", "expense__status")
        .annotate(paid=Sum("paid"), share=Sum("share"))
        .order_by()
    )
    for row in shares:
        entry = member(row["user_id"])
        if row["expense__status"] == PAID:
            entry.paid += row["paid"]
            entry.share += row["share"]
        else:
            entry.planned_paid += row["paid"]
            entry.planned_share += row["share"]
    settlements = (
        _scope(Settlement.objects, household, cycle)
        .values("from_user_id", "to_user_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in settlements:
        member(row["from_user_id"]).settled_out += row["total"]
        member(row["to_user_id"]).settled_in += row["total"]
    former = [user_id for user_id, m in by_member.items() if not m.is_member and user_id]
    for user in User.objects.filter(pk__in=former) if former else ():
        by_member[user.pk].name = f"{user.display_name} (left)"
    rows = list(by_member.values())
    plan = settle_up_plan({m.user_id: m.balance for m in rows})
    return Balances(
        currency=household.base_currency,
        members=rows,
        settle_up=plan,
        names={m.user_id: m.name for m in rows},
    )


def member_balance(*, household: Household, user_id: int, cycle=None) -> Decimal:
    """One member's balance (what a settlement is checked against)."""
    paid_share = (
        _scope(ExpenseShare.objects, household, cycle)
        .filter(user_id=user_id, expense__status=PAID)
        .aggregate(paid=Sum("paid"), share=Sum("share"))
    )
    settled = _scope(Settlement.objects, household, cycle).aggregate(
        out=Sum("amount", filter=Q(from_user_id=user_id)),
        received=Sum("amount", filter=Q(to_user_id=user_id)),
    )
    return (
        (paid_share["paid"] or ZERO)
        - (paid_share["share"] or ZERO)
        + (settled["out"] or ZERO)
        - (settled["received"] or ZERO)
    )


def settlements(*, household: Household, cycle=None) -> QuerySet[Settlement]:
    return _scope(Settlement.objects, household, cycle).select_related("from_user", "to_user")


def shared_expense_history(*, household: Household, limit: int = 100) -> list[dict]:
    """The latest shared expenses (not skipped), each with who paid and every member's share:
    two queries."""
    rows = list(
        ExpenseShare.objects.filter(household_id=household.pk)
        .exclude(expense__status=SKIPPED)
        .order_by("-expense__date", "-expense_id")
        .values("expense_id")
        .distinct()[:limit]
        .values_list("expense_id", flat=True)
    )
    if not rows:
        return []
    history: dict[int, dict] = {}
    shares = (
        ExpenseShare.objects.filter(expense_id__in=rows)
        .select_related("expense__split", "user")
        .order_by("-expense__date", "-expense_id", "user_id")
    )
    for share in shares:
        entry = history.setdefault(
            share.expense_id,
            {
                "expense": share.expense,
                "split": share.expense.split,
                "paid_by": None,
                "shares": [],
            },
        )
        if share.paid:
            entry["paid_by"] = _name(share.user)
        entry["shares"].append((_name(share.user), share.share))
    return list(history.values())


def expense_splits(expense_ids: list[int]) -> dict[int, dict]:
    """The API's `split` of each expense: kind, chosen members, weights and the computed
    amounts, in two queries."""
    result: dict[int, dict] = {}
    for split in ExpenseSplit.objects.filter(expense_id__in=expense_ids):
        result[split.expense_id] = {
            "kind": split.kind,
            "members": split.chosen_members,
            "shares": split.weights if split.kind == SplitKind.SHARES else {},
            "amounts": {},
            "fell_back_to_equal": split.fell_back_to_equal,
        }
    amounts: dict[int, dict[str, str]] = defaultdict(dict)
    for expense_id, user_id, share in ExpenseShare.objects.filter(
        expense_id__in=expense_ids, share__gt=0
    ).values_list("expense_id", "user_id", "share"):
        amounts[expense_id][str(user_id)] = share
    for expense_id, split in result.items():
        split["amounts"] = amounts.get(expense_id, {})
    return result


def household_default_split(household: Household) -> HouseholdSplit | None:
    return HouseholdSplit.objects.filter(household_id=household.pk).first()


def chosen_payer_id(expense) -> int | None:
    """The expense's payer when someone chose them (not the payment method's owner, nor who
    added it): what the add row keeps for the next expense."""
    method = expense.payment_method
    default = method.owner_id if method is not None and method.owner_id else expense.created_by_id
    return None if expense.paid_by_id == default else expense.paid_by_id


def chosen_split_kind(expense) -> str:
    """The split kind someone chose for the expense just written ("" when it got the
    household's default): what the add row keeps for the next expense. No query: the
    service leaves the split it stored on the expense."""
    split = getattr(expense, "stored_split", None)
    return split.kind if split is not None and split.was_chosen else ""


# A household has a few members: the export's share columns stay few.
MAX_SHARERS = 50


def sharers(household: Household) -> list[tuple[int, str]]:
    """Everyone with a share column in an export: the members, and those who left with shares
    still in the household's history; one query."""
    people = (
        User.objects.filter(
            Q(membership__household_id=household.pk)
            | Q(pk__in=ExpenseShare.objects.filter(household_id=household.pk).values("user_id"))
        )
        .distinct()
        .order_by("pk")[:MAX_SHARERS]
    )
    return [(user.pk, user.display_name) for user in people]


@dataclass(frozen=True)
class MemberSpending:
    name: str
    paid_shared: Decimal  # what they paid of shared expenses
    share: Decimal  # their share of shared expenses
    personal: Decimal  # their personal expenses (counted in spending, in no balance)


def member_spending(*, household: Household, cycle) -> list[MemberSpending]:
    """The report's per-member view of a cycle's paid expenses: shared paid and share, and
    personal spending apart. Five queries."""
    shared = balances(household=household, cycle=cycle)
    personal = dict(
        ExpenseSplit.objects.filter(
            kind=SplitKind.PERSONAL,
            expense__cycle_id=cycle.pk,
            expense__status=PAID,
            expense__base_amount__isnull=False,
        )
        .values("expense__paid_by_id")
        .annotate(total=Sum("expense__base_amount"))
        .order_by()
        .values_list("expense__paid_by_id", "total")
    )
    return [
        MemberSpending(m.name, m.paid, m.share, personal.get(m.user_id, ZERO))
        for m in shared.members
    ]
