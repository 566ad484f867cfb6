"""API schemas of expenses: payment methods, categories and expenses."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from colony.api_schemas import Text

from .models import PaymentMethod

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
