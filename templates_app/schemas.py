"""API schemas of expense templates."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from colony.api_schemas import Currency, Day, MoneyIn, Name, RequestSchema, Text, money

from .models import ExpenseTemplate

Frequency = Literal["weekly", "biweekly", "monthly", "per_cycle", "yearly"]


class TemplateResponse(Schema):
    """An expense template, or an income template (`is_income`: a salary; it makes an income
    line in each cycle and has no category nor payment method)."""

    id: int
    name: str
    amount: str
    currency: str
    is_income: bool
    category_id: int | None
    payment_method_id: int | None
    frequency: Frequency
    day_of_month: int | None
    start_date: dt.date
    end_date: dt.date | None
    is_active: bool
    note: str
    next_occurrence: dt.date | None = None
    monthly_equivalent: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_amount(template: ExpenseTemplate) -> str:
        return money(template.amount, template.currency)

    @staticmethod
    def resolve_next_occurrence(template: ExpenseTemplate) -> dt.date | None:
        return getattr(template, "next_occurrence", None)

    @staticmethod
    def resolve_monthly_equivalent(template: ExpenseTemplate) -> str | None:
        value = getattr(template, "monthly_equivalent", None)
        return None if value is None else money(value, template.currency)


class TemplateCreate(RequestSchema):
    name: Name = Field(max_length=200)
    amount: MoneyIn = Field(
        description="At most as many decimals as its currency has (none for JPY, three for BHD)."
    )
    currency: Currency
    is_income: bool = Field(False, description="Income (a salary) instead of an expense.")
    category_id: int | None = Field(
        None, description="Required for an expense template; an income template has none."
    )
    payment_method_id: int | None = None
    frequency: Frequency
    day_of_month: int | None = Field(
        None, ge=1, le=31, description="Required for a monthly template (31: a month's last day)."
    )
    start_date: Day
    end_date: Day | None = Field(None, description="Not before the start date.")
    is_active: bool = True
    note: Text = Field("", max_length=1000)


class TemplateUpdate(RequestSchema):
    """Only the fields sent change (`end_date`/`payment_method_id`/`day_of_month`: null clears)."""

    name: Name | None = Field(None, max_length=200)
    amount: MoneyIn | None = None
    currency: Currency | None = None
    is_income: bool | None = None
    category_id: int | None = None
    payment_method_id: int | None = None
    frequency: Frequency | None = None
    day_of_month: int | None = Field(None, ge=1, le=31)
    start_date: Day | None = None
    end_date: Day | None = None
    is_active: bool | None = None
    note: Text | None = Field(None, max_length=1000)


class TemplatePreviewResponse(Schema):
    """What the template makes in a cycle starting after the household's latest one."""

    start: dt.date
    end: dt.date
    count: int
    total: str
    currency: str
