"""API schemas of expenses: payment methods, categories and expenses."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from colony.api_schemas import Day, MoneyIn, RateIn, Text, money
from sharing.schemas import SplitIn, SplitOut, split_json

from .models import Expense, PaymentMethod

PaymentMethodKind = Literal["card", "cash", "bank_account", "other"]


class PaymentMethodResponse(Schema):
    id: int
    name: str
    kind: str
    owner_id: int | None
    last4: str
    is_active: bool
    created_at: datetime
    label: str

    @staticmethod
    def resolve_label(method: PaymentMethod) -> str:
        return str(method)


class PaymentMethodCreate(Schema):
    name: Text = Field(max_length=60)
    kind: PaymentMethodKind = "card"
    owner_id: int | None = None
    last4: str = Field("", pattern=r"^(\d{4})?$")
    is_active: bool = True


class PaymentMethodUpdate(Schema):
    """Only the fields sent change."""

    name: Text | None = Field(None, max_length=60)
    kind: PaymentMethodKind | None = None
    owner_id: int | None = None
    last4: str | None = Field(None, pattern=r"^(\d{4})?$")
    is_active: bool | None = None


class CategoryResponse(Schema):
    id: int
    name: str
    is_archived: bool
    created_at: datetime


class CategoryCreate(Schema):
    name: Text = Field(max_length=60)


class CategoryUpdate(Schema):
    """Only the fields sent change."""

    name: Text | None = Field(None, max_length=60)
    is_archived: bool | None = None


# --- expenses -----------------------------------------------------------------------------------

ExpenseStatus = Literal["planned", "paid", "skipped"]


def _base_currency(context) -> str:
    return context["request"].household.base_currency


class ExpenseFields(Schema):
    """An expense: its amount in its own currency, and in the household's base currency at the
    rate stored with it (`base_amount` null: awaiting a rate, left out of the totals)."""

    id: int
    version: int  # also the ETag; send it as If-Match to refuse a stale change (409)
    cycle_id: int
    description: str
    amount: str
    planned_amount: str | None
    currency: str
    date: dt.date
    category_id: int
    payment_method_id: int | None
    status: str
    paid_on: dt.date | None
    note: str
    template_id: int | None
    occurrence_date: dt.date | None
    base_amount: str | None
    base_currency: str
    rate: str | None
    rate_date: dt.date | None
    rate_source: str
    awaits_rate: bool
    # Who paid, and who it was for (null: an expense from before sharing, in no balance).
    paid_by_id: int | None
    split: SplitOut | None
    created_by_id: int | None
    updated_by_id: int | None
    created_at: datetime
    updated_at: datetime


class ExpenseResponse(ExpenseFields):
    """One expense, read from the model (see expense_json for the list)."""

    @staticmethod
    def resolve_amount(expense: Expense) -> str:
        return money(expense.amount, expense.currency)

    @staticmethod
    def resolve_planned_amount(expense: Expense) -> str | None:
        return money(expense.planned_amount, expense.currency)

    @staticmethod
    def resolve_base_currency(expense: Expense, context) -> str:
        return _base_currency(context)

    @staticmethod
    def resolve_base_amount(expense: Expense, context) -> str | None:
        return money(expense.base_amount, _base_currency(context))

    @staticmethod
    def resolve_rate(expense: Expense) -> str | None:
        return None if expense.rate is None else format(expense.rate.normalize(), "f")

    @staticmethod
    def resolve_awaits_rate(expense: Expense) -> bool:
        return expense.awaits_rate

    @staticmethod
    def resolve_split(expense: Expense, context) -> dict | None:
        return split_json(expense, _base_currency(context))


class ExpenseListItem(ExpenseFields):
    """The same fields, built by expense_json: a page of 100 expenses spent half its time in
    per-field resolvers."""


_PLAIN = tuple(
    name
    for name in ExpenseFields.model_fields
    if name
    not in {
        "amount",
        "planned_amount",
        "base_currency",
        "base_amount",
        "rate",
        "awaits_rate",
        "split",
    }
)


def expense_json(expense: Expense, base_currency: str) -> dict:
    """What ExpenseResponse's resolvers give, as a plain dict (one place for both)."""
    data = {name: getattr(expense, name) for name in _PLAIN}
    data["amount"] = ExpenseResponse.resolve_amount(expense)
    data["planned_amount"] = ExpenseResponse.resolve_planned_amount(expense)
    data["base_currency"] = base_currency
    data["base_amount"] = money(expense.base_amount, base_currency)
    data["rate"] = ExpenseResponse.resolve_rate(expense)
    data["awaits_rate"] = expense.awaits_rate
    data["split"] = split_json(expense, base_currency)
    return data


class ExpenseCreate(Schema):
    cycle_id: int
    description: Text = Field(max_length=200)
    amount: MoneyIn
    currency: Text = Field(min_length=3, max_length=3, examples=["EUR"])
    date: Day
    category_id: int
    payment_method_id: int | None = None
    status: Literal["planned", "paid"] = "planned"
    note: Text = Field("", max_length=1000)
    rate: RateIn | None = Field(
        None,
        description="The rate the bank charged (1 unit in the base currency); empty: the "
        "stored rates convert it.",
    )
    paid_by_id: int | None = Field(
        None, description="The member who paid; empty: the payment method's owner, else you."
    )
    split: SplitIn | None = None


class ExpenseUpdate(Schema):
    """Only the fields sent change; `rate: null` goes back to the stored rates."""

    description: Text | None = Field(None, max_length=200)
    amount: MoneyIn | None = None
    currency: Text | None = Field(None, min_length=3, max_length=3)
    date: Day | None = None
    category_id: int | None = None
    payment_method_id: int | None = None
    status: ExpenseStatus | None = None
    note: Text | None = Field(None, max_length=1000)
    rate: RateIn | None = None
    paid_by_id: int | None = None
    split: SplitIn | None = None


class PaymentCreate(Schema):
    amount: MoneyIn | None = Field(
        None, description="What was actually paid; empty: the planned amount."
    )


class ExpenseFilters(Schema):
    cycle: int | None = None
    category: int | None = None
    payment_method: int | None = None
    status: ExpenseStatus | None = None
    member: int | None = Field(None, description="The member who added it (user id).")
    date_from: Day | None = None
    date_to: Day | None = None
    search: Text | None = Field(None, max_length=100, description="Text in description or note.")
    sort: Literal["date", "-date"] = "date"
