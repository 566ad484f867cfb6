"""API schemas of expenses: payment methods, categories and expenses."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import model_validator

from colony.api_schemas import Currency, Day, MoneyIn, Name, RateIn, RequestSchema, Text, money

from .models import MAX_EXTERNAL_ID, Expense, PaymentMethod
from .services.bulk import MAX_BULK_EXPENSES

PaymentMethodKind = Literal["card", "cash", "bank_account", "other"]


class PaymentMethodResponse(Schema):
    id: int
    name: str
    kind: PaymentMethodKind
    owner_id: int | None
    last4: str
    is_active: bool
    created_at: datetime
    label: str

    @staticmethod
    def resolve_label(method: PaymentMethod) -> str:
        return str(method)


class PaymentMethodCreate(RequestSchema):
    name: Name = Field(max_length=60)
    kind: PaymentMethodKind = "card"
    owner_id: int | None = None
    last4: str = Field("", pattern=r"^(\d{4})?$")
    is_active: bool = True


class PaymentMethodUpdate(RequestSchema):
    """Only the fields sent change."""

    name: Name | None = Field(None, max_length=60)
    kind: PaymentMethodKind | None = None
    owner_id: int | None = None
    last4: str | None = Field(None, pattern=r"^(\d{4})?$")
    is_active: bool | None = None


class CategoryResponse(Schema):
    id: int
    name: str
    is_archived: bool
    created_at: datetime


class CategoryCreate(RequestSchema):
    name: Name = Field(max_length=60)


class CategoryUpdate(RequestSchema):
    """Only the fields sent change."""

    name: Name | None = Field(None, max_length=60)
    is_archived: bool | None = None


# --- expenses -----------------------------------------------------------------------------------

ExpenseStatus = Literal["planned", "paid", "skipped"]
# Where the rate came from (exchange.models.RateSource); empty while awaiting a rate.
RateSourceName = Literal["same", "stored", "manual", ""]


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
    status: ExpenseStatus
    paid_on: dt.date | None
    note: str
    template_id: int | None
    occurrence_date: dt.date | None
    base_amount: str | None
    base_currency: str
    rate: str | None
    rate_date: dt.date | None
    rate_source: RateSourceName
    awaits_rate: bool
    created_by_id: int | None
    updated_by_id: int | None
    created_at: datetime
    updated_at: datetime
    external_id: str | None  # the client's own id, unique in the household


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


class ExpenseListItem(ExpenseFields):
    """The same fields, built by expense_json: a page of 100 expenses spent half its time in
    per-field resolvers."""


_PLAIN = tuple(
    name
    for name in ExpenseFields.model_fields
    if name
    not in {"amount", "planned_amount", "base_currency", "base_amount", "rate", "awaits_rate"}
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
    return data


class ExpenseCreateFields(RequestSchema):
    cycle_id: int
    description: Name = Field(max_length=200)
    amount: MoneyIn = Field(
        description="At most as many decimals as its currency has (none for JPY, three for BHD)."
    )
    currency: Currency
    date: Day = Field(description="Within the cycle's dates.")
    category_id: int
    payment_method_id: int | None = None
    status: Literal["planned", "paid"] | None = Field(
        None,
        description="Empty: paid when dated today or earlier, planned when dated later.",
    )
    note: Text = Field("", max_length=1000)
    rate: RateIn | None = Field(
        None,
        description="The rate the bank charged (1 unit in the base currency); empty: the "
        "stored rates convert it.",
    )


ExternalId = Annotated[
    Text,
    Field(
        min_length=1,
        max_length=MAX_EXTERNAL_ID,
        description="Your own id for the expense, unique in the household: sending the same "
        "one again is 409 EXTERNAL_ID_EXISTS (details.expense_id: the expense that has it).",
    ),
]


class ExpenseCreate(ExpenseCreateFields):
    external_id: ExternalId | None = None


class ExpensesBulkCreate(RequestSchema):
    """Up to 500 expenses, added all or none."""

    items: list[ExpenseCreate] = Field(min_length=1, max_length=MAX_BULK_EXPENSES)


class ExpensesBulkResponse(Schema):
    items: list[ExpenseListItem]


class ExpenseUpdate(RequestSchema):
    """Only the fields sent change; `rate: null` goes back to the stored rates."""

    description: Name | None = Field(None, max_length=200)
    amount: MoneyIn | None = None
    currency: Currency | None = None
    date: Day | None = None
    category_id: int | None = None
    payment_method_id: int | None = None
    status: ExpenseStatus | None = None
    note: Text | None = Field(None, max_length=1000)
    rate: RateIn | None = None


class PaymentUpdate(RequestSchema):
    """An explicit payment: paying again with the same values changes nothing."""

    amount: MoneyIn | None = Field(
        None,
        description="What was paid, in the expense's currency; empty: its amount (the plan, "
        "until it is paid).",
    )
    date: Day | None = Field(
        None,
        description="The day it was paid, within its cycle; empty: today, or its date when "
        "that has passed (once paid: the day it was paid).",
    )


class PaymentCreate(RequestSchema):
    amount: MoneyIn | None = Field(
        None, description="What was actually paid; empty: the planned amount."
    )


# A filter's old name (before 1.1) and the body field it is named after now.
FILTER_ALIASES = {
    "cycle": "cycle_id",
    "category": "category_id",
    "payment_method": "payment_method_id",
    "member": "created_by_id",
}


def _old_name(new: str):
    return Field(
        None,
        description=f"Old name of `{new}`, still understood.",
        json_schema_extra={"deprecated": True},
    )


class ExpenseFilters(Schema):
    """Named like the expense's own fields; the old names (`cycle`, `category`,
    `payment_method`, `member`) still work. Amounts are in each expense's own currency."""

    cycle_id: int | None = None
    category_id: int | None = None
    payment_method_id: int | None = None
    status: ExpenseStatus | None = None
    created_by_id: int | None = Field(None, description="The member who added it (user id).")
    date: Day | None = Field(None, description="Dated this day.")
    date_from: Day | None = None
    date_to: Day | None = None
    amount: MoneyIn | None = Field(None, description="This exact amount.")
    amount_min: MoneyIn | None = None
    amount_max: MoneyIn | None = None
    external_id: Text | None = Field(None, max_length=MAX_EXTERNAL_ID)
    search: Text | None = Field(None, max_length=100, description="Text in description or note.")
    sort: Literal["date", "-date"] = "date"
    cycle: int | None = _old_name("cycle_id")
    category: int | None = _old_name("category_id")
    payment_method: int | None = _old_name("payment_method_id")
    member: int | None = _old_name("created_by_id")

    @model_validator(mode="after")
    def _one_value_per_filter(self) -> ExpenseFilters:
        for old, new in FILTER_ALIASES.items():
            old_value, new_value = getattr(self, old), getattr(self, new)
            if old_value is not None and new_value is not None and old_value != new_value:
                raise ValueError(f"{new} and its old name {old} disagree: send one of them.")
        return self

    def selected(self) -> dict[str, Any]:
        """The filters as expenses.selectors takes them (its names are the old ones)."""
        renamed = set(FILTER_ALIASES.values())
        chosen = {name: getattr(self, name) for name in type(self).model_fields}
        chosen = {name: value for name, value in chosen.items() if name not in renamed}
        for old, new in FILTER_ALIASES.items():
            if chosen[old] is None:
                chosen[old] = getattr(self, new)
        return chosen
