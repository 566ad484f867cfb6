"""API schemas of cycles."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from colony.api_schemas import Day, MoneyIn, Text, money
from cycles.models import Cycle


def base_currency(context) -> str:
    return context["request"].household.base_currency


class CycleResponse(Schema):
    """A cycle with its totals in the household's base currency (skipped expenses and those
    awaiting a rate left out of the sums; `awaiting_rate_count` says how many wait)."""

    id: int
    name: str
    start_date: date
    end_date: date
    status: str
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


class CycleCreate(Schema):
    name: Text = Field("", max_length=100, description="Empty: named after its dates.")
    start_date: Day
    end_date: Day | None = Field(
        None, description="Empty: a 42-day cycle (the start and end day both count)."
    )
    income: MoneyIn = Field(description='In the household\'s base currency, e.g. "2500.00".')
    generate_from_templates: bool = False


class CycleUpdate(Schema):
    """Only the fields sent change."""

    name: Text | None = Field(None, max_length=100)
    start_date: Day | None = None
    end_date: Day | None = None
    # A cycle's income is the sum of its income lines: only the current value is accepted.
    income: MoneyIn | None = None


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


CycleStatus = Literal["draft", "active", "completed"]
