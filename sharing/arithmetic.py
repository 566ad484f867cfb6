"""The pure arithmetic of shared money: shares by the largest-remainder method and the
settle-up plan. No database; the services and selectors feed it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


def largest_remainder(
    total: Decimal, weights: dict[int, Decimal], quantum: Decimal
) -> dict[int, Decimal]:
    """`total` divided in proportion to `weights` in whole `quantum`s: each gets the floor of
    its exact part, and the units left over go one each to the largest remainders (ties to the
    lower id), so the parts add up exactly to `total`. Weights are > 0; `total` is a whole
    number of quanta."""
    units = int(total / quantum)
    weight_sum = sum(Fraction(w) for w in weights.values())
    exact = {member: Fraction(units) * Fraction(w) / weight_sum for member, w in weights.items()}
    parts = {member: value.numerator // value.denominator for member, value in exact.items()}
    left = units - sum(parts.values())
    by_remainder = sorted(exact, key=lambda member: (-(exact[member] - parts[member]), member))
    for member in by_remainder[:left]:
        parts[member] += 1
    return {member: quantum * count for member, count in parts.items()}


@dataclass(frozen=True)
class Transfer:
    from_user_id: int | None
    to_user_id: int | None
    amount: Decimal


def settle_up_plan(balances: dict[int | None, Decimal]) -> list[Transfer]:
    """Transfers that bring every balance to zero, at most n - 1 for n members with a balance:
    the largest debtor pays the largest creditor, and each transfer settles one of them.
    Balances add up to zero."""
    debtors = sorted(
        ((-amount, member) for member, amount in balances.items() if amount < 0),
        key=lambda item: (-item[0], _order(item[1])),
    )
    creditors = sorted(
        ((amount, member) for member, amount in balances.items() if amount > 0),
        key=lambda item: (-item[0], _order(item[1])),
    )
    plan = []
    d = c = 0
    debts = [owed for owed, _ in debtors]
    credits = [owed for owed, _ in creditors]
    while d < len(debtors) and c < len(creditors):
        amount = min(debts[d], credits[c])
        plan.append(Transfer(debtors[d][1], creditors[c][1], amount))
        debts[d] -= amount
        credits[c] -= amount
        if debts[d] == 0:
            d += 1
        if credits[c] == 0:
            c += 1
    return plan


def _order(member: int | None) -> int:
    return -1 if member is None else member
