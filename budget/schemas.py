"""API schemas of cycles."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import model_validator

from colony.api_schemas import (
    Currency,
    Day,
    MoneyIn,
    MoneyOrZeroIn,
    Name,
    RequestSchema,
    Text,
    money,
)
from cycles.exceptions import IncomeIsLines
from cycles.models import Cycle, IncomeLine

CycleStatus = Literal["draft", "active", "completed"]


def base_currency(context) -> str:
    return context["request"].household.base_currency


class CycleResponse(Schema):
    """A cycle with its totals in the household's base currency (skipped expenses and those
    awaiting a rate left out of the sums; `awaiting_rate_count` says how many wait)."""

    id: int
    name: str
    start_date: date
    end_date: date
    status: CycleStatus
    currency: str
    income: str
    planned_total: str
    paid_total: str
    balance: str
    awaiting_rate_count: int
    created_at: datetime
    activated_at: datetime | None
    completed_at: datetime | None

    @staticmethod
    def resolve_currency(cycle: Cycle, context) -> str:
        return base_currency(context)

    @staticmethod
    def resolve_income(cycle: Cycle, context) -> str:
        return money(cycle.income, base_currency(context))

    @staticmethod
    def resolve_planned_total(cycle: Cycle, context) -> str:
        return money(cycle.planned_total, base_currency(context))

    @staticmethod
    def resolve_paid_total(cycle: Cycle, context) -> str:
        return money(cycle.paid_total, base_currency(context))

    @staticmethod
    def resolve_balance(cycle: Cycle, context) -> str:
        return money(cycle.balance, base_currency(context))


class CycleCreate(RequestSchema):
    name: Text = Field("", max_length=100, description="Empty: named after its dates.")
    start_date: Day
    end_date: Day | None = Field(
        None, description="Empty: a 42-day cycle (the start and end day both count)."
    )
    income: MoneyOrZeroIn = Field(description='In the household\'s base currency, e.g. "2500.00".')
    generate_from_templates: bool = False


class CycleUpdate(RequestSchema):
    """Only the fields sent change. A cycle's income is the sum of its income lines
    (/cycles/{id}/income): sending `income` here is refused with 422 INCOME_IS_LINES."""

    name: Text | None = Field(None, max_length=100)
    start_date: Day | None = None
    end_date: Day | None = Field(
        None, description="After the start date; a cycle lasts at most 45 days (both ends count)."
    )

    @model_validator(mode="before")
    @classmethod
    def _income_is_lines(cls, data: Any) -> Any:
        # Not a field (it never changes here), yet a client that sends the cycle back as read
        # hears why rather than only that `income` is unknown.
        if isinstance(data, dict) and "income" in data:
            raise IncomeIsLines()
        return data


class CycleTotalsResponse(Schema):
    currency: str
    income: str
    planned: str
    paid: str
    remaining: str
    balance: str
    paid_planned: str
    paid_difference: str
    awaiting_rate: int
    expense_count: int
    skipped_count: int
    spent_percent: int
    overspent: bool


class GenerateResponse(Schema):
    added: int
    cycle: CycleResponse


UnpaidChoice = Literal["keep", "skip", "move"]


class CycleComplete(Schema):
    unpaid: UnpaidChoice = Field(
        "keep",
        description="The planned, unpaid expenses: keep them in the completed cycle, skip them, "
        "or move them to the next cycle.",
    )


# --- category budgets ---------------------------------------------------------------------------


class BudgetLineResponse(Schema):
    """One category in the cycle, in the base currency: `available` = budget + rollover -
    planned (below zero: `over`)."""

    category_id: int
    name: str
    is_archived: bool
    rolls_over: bool
    budget: str | None  # null: no budget in this cycle (zero is a budget)
    rollover: str
    planned: str
    paid: str
    available: str
    over: bool
    over_by: str


class CycleBudgetResponse(Schema):
    """Every category of the household with its budget in the cycle, and the header numbers:
    income, budgeted, unassigned (income - budgeted; below zero, over-assigned)."""

    cycle_id: int
    currency: str
    income: str
    budgeted: str
    unassigned: str
    unbudgeted_spending: str
    lines: list[BudgetLineResponse]


class BudgetSet(RequestSchema):
    category_id: int
    amount: MoneyOrZeroIn | None = Field(description="null removes the category's budget.")
    rolls_over: bool | None = Field(
        None, description="Whether what is left carries into the next cycle; absent: unchanged."
    )


class BudgetSeen(RequestSchema):
    """What the client read before changing (GET …/budgets): if what is saved differs, the
    write is refused with 409 BUDGETS_CHANGED and nothing changes."""

    category_id: int
    amount: MoneyOrZeroIn | None
    rolls_over: bool | None = None


class BudgetsUpdate(RequestSchema):
    budgets: list[BudgetSet] = Field(max_length=1000)
    expected: list[BudgetSeen] | None = Field(
        None,
        max_length=1000,
        description="Optional: the budgets as read. Absent: the budgets sent are written "
        "whatever was saved meanwhile.",
    )


class BudgetsCopied(Schema):
    copied: int
    budgets: CycleBudgetResponse


class BudgetsFilled(Schema):
    added: int
    budgets: CycleBudgetResponse


# --- income lines -------------------------------------------------------------------------------


class IncomeResponse(Schema):
    """Income of a cycle: its amount in its own currency, and in the base currency at the rate
    stored with it (`base_amount` null: awaiting a rate, left out of the cycle's income)."""

    id: int
    cycle_id: int
    description: str
    amount: str
    currency: str
    expected_date: dt.date
    is_received: bool
    received_on: dt.date | None
    member_id: int | None
    template_id: int | None
    occurrence_date: dt.date | None
    base_amount: str | None
    base_currency: str
    rate: str | None
    rate_date: dt.date | None
    rate_source: Literal["same", "stored", "manual", ""]
    awaits_rate: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_amount(line: IncomeLine) -> str:
        return money(line.amount, line.currency)

    @staticmethod
    def resolve_base_currency(line: IncomeLine, context) -> str:
        return base_currency(context)

    @staticmethod
    def resolve_base_amount(line: IncomeLine, context) -> str | None:
        return money(line.base_amount, base_currency(context))

    @staticmethod
    def resolve_rate(line: IncomeLine) -> str | None:
        return None if line.rate is None else format(line.rate.normalize(), "f")

    @staticmethod
    def resolve_awaits_rate(line: IncomeLine) -> bool:
        return line.awaits_rate


class IncomeCreate(RequestSchema):
    description: Name = Field(max_length=200)
    amount: MoneyIn = Field(
        description="At most as many decimals as its currency has (none for JPY, three for BHD)."
    )
    currency: Currency
    expected_date: Day = Field(description="Within the cycle's dates.")
    member_id: int | None = Field(None, description="Whose income: a member of the household.")
    is_received: bool = False


class IncomeUpdate(RequestSchema):
    """Only the fields sent change; `member_id: null` says it is no one's in particular."""

    description: Name | None = Field(None, max_length=200)
    amount: MoneyIn | None = None
    currency: Currency | None = None
    expected_date: Day | None = None
    member_id: int | None = None


class IncomeReceived(RequestSchema):
    received: bool
    received_on: Day | None = Field(None, description="Empty: today (when `received`).")
