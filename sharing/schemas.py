"""API schemas of shared money: an expense's split, balances, settlements."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Literal

from django.core.exceptions import ObjectDoesNotExist
from ninja import Field, Schema

from colony.api_schemas import Currency, Day, MoneyIn, RequestSchema, Text, money

from .models import Settlement
from .selectors import Balances

SplitKindName = Literal["equal", "shares", "income", "personal"]


class SplitIn(RequestSchema):
    """Who an expense is for; without it, the household's default split."""

    kind: SplitKindName
    members: list[int] | None = Field(
        None, max_length=50, description="For equal: a subset of members (default: everyone)."
    )
    shares: dict[str, str] | None = Field(
        None,
        max_length=50,
        description='For shares: weights per user id, e.g. {"3": "2", "4": "1"}.',
    )


class SplitOut(Schema):
    kind: str
    members: list[int]
    shares: dict[str, str]
    # Read-only: each member's computed share in the base currency.
    amounts: dict[str, str]
    # An income split with nobody's income known fell back to equal.
    fell_back_to_equal: bool


def split_json(expense, base_currency: str) -> dict | None:
    """An expense's split as the API reads it, from its `split` and `shares` (prefetched by the
    expense list: no query per row). None for an expense from before sharing."""
    stored = getattr(expense, "stored_split", None)
    if stored is not None:  # just written (sharing.services.share_expenses): no query
        split, shares = stored, expense.stored_shares
    else:
        try:
            split = expense.split
        except ObjectDoesNotExist:
            return None
        shares = expense.shares.all()
    return {
        "kind": split.kind,
        "members": list(split.chosen_members),
        "shares": dict(split.weights) if split.kind == "shares" else {},
        "amounts": {
            str(share.user_id): money(share.share, base_currency) for share in shares if share.share
        },
        "fell_back_to_equal": split.fell_back_to_equal,
    }


class MemberBalanceOut(Schema):
    user_id: int | None
    name: str
    paid: str
    share: str
    balance: str
    planned_balance: str


class TransferOut(Schema):
    from_user_id: int | None
    to_user_id: int | None
    amount: str


class BalancesResponse(Schema):
    currency: str
    members: list[MemberBalanceOut]
    settle_up: list[TransferOut]


def balances_json(balances: Balances) -> dict:
    currency = balances.currency
    return {
        "currency": currency,
        "members": [
            {
                "user_id": m.user_id,
                "name": m.name,
                "paid": money(m.paid, currency),
                "share": money(m.share, currency),
                "balance": money(m.balance, currency),
                "planned_balance": money(m.planned_balance, currency),
            }
            for m in balances.members
        ],
        "settle_up": [
            {
                "from_user_id": t.from_user_id,
                "to_user_id": t.to_user_id,
                "amount": money(t.amount, currency),
            }
            for t in balances.settle_up
        ],
    }


class SettlementCreate(RequestSchema):
    from_user_id: int
    to_user_id: int
    amount: MoneyIn
    currency: Currency
    date: Day
    note: Text = Field("", max_length=200)
    cycle_id: int | None = Field(None, description="Settles that cycle's balances.")
    balance: str | None = Field(
        None,
        pattern=r"^-?\d{1,15}(\.\d{1,3})?$",
        description="The payer's balance you saw (as a string); if it moved meanwhile "
        "(someone settled or paid), 409 SETTLEMENT_STALE.",
    )


class SettlementResponse(Schema):
    id: int
    from_user_id: int | None
    to_user_id: int | None
    amount: str
    currency: str
    date: dt.date
    note: str
    cycle_id: int | None
    settled_balance: str | None
    created_by_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_amount(settlement: Settlement) -> str:
        return money(settlement.amount, settlement.currency)

    @staticmethod
    def resolve_settled_balance(settlement: Settlement) -> str | None:
        return money(settlement.settled_balance, settlement.currency)
