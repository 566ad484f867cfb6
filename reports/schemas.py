"""API schemas of reports: amounts in the household's base currency, as strings."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema


class SliceResponse(Schema):
    """One row of a breakdown (a category, payment method or member)."""

    id: int | None
    label: str
    total: str
    count: int
    awaiting_rate: int


class LargestExpense(Schema):
    id: int
    description: str
    date: dt.date
    base_amount: str


class CycleReportResponse(Schema):
    cycle_id: int
    cycle_name: str
    currency: str
    income: str
    total: str
    planned: str
    paid: str
    left: str
    paid_planned: str
    paid_difference: str
    expense_count: int
    awaiting_rate: int
    by_category: list[SliceResponse]
    by_payment_method: list[SliceResponse]
    by_member: list[SliceResponse]
    largest: list[LargestExpense]


class CycleSummaryResponse(Schema):
    cycle_id: int
    name: str
    start_date: dt.date
    end_date: dt.date
    income: str
    spent: str
    left: str
    awaiting_rate: int
    change_percent: str | None


class CategoryAcrossResponse(Schema):
    label: str
    amounts: list[str]  # one per cycle, in the order of `cycles`
    total: str


class OverviewResponse(Schema):
    currency: str
    range: Literal["3", "6", "12", "all"]
    cycles: list[CycleSummaryResponse]  # oldest first
    categories: list[CategoryAcrossResponse]
    total_spent: str
    total_income: str
    average_spent: str
    average_income: str
    awaiting_rate: int
    has_more: bool


class OverviewQuery(Schema):
    range: Literal["3", "6", "12", "all"] = Field("6", description="How many recent cycles.")


class TemplateForecastResponse(Schema):
    template_id: int
    name: str
    category: str
    count: int
    currency: str
    total: str  # in the template's currency
    base_total: str | None  # null: no rate yet, left out of the totals


class CategoryForecastResponse(Schema):
    label: str
    template_count: int
    from_templates: str
    usual_other: str
    expected: str


class ForecastResponse(Schema):
    currency: str
    start: dt.date
    end: dt.date
    expected: str
    from_templates: str
    usual_other: str
    history_cycles: int
    templates: list[TemplateForecastResponse]
    categories: list[CategoryForecastResponse]
