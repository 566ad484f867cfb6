"""API schemas of accounts: the token flow, the household and its members, API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from colony.api_schemas import Name, RequestSchema, Text

from .models import ApiToken, Membership

Role = Literal["owner", "member", "viewer"]


class TokenCreate(RequestSchema):
    email: Text = Field(max_length=254)
    password: Text = Field(max_length=4096)
    code: Text | None = Field(
        None,
        max_length=32,
        description="With two-factor log-in: the app's code or a recovery code.",
    )
    name: Text = Field("API token", max_length=100)
    expires_in_days: int = Field(90, ge=1, le=365)
    read_only: bool = True


class TokenCreated(Schema):
    """The new token, with its secret: shown this once, only its hash is kept."""

    id: int
    name: str
    token: str
    read_only: bool
    expires_at: datetime


class ApiTokenResponse(Schema):
    id: int
    name: str
    prefix: str
    read_only: bool
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    last_used_ip: str | None
    revoked_at: datetime | None
    is_usable: bool

    @staticmethod
    def resolve_is_usable(token: ApiToken) -> bool:
        return token.is_usable


class MemberResponse(Schema):
    id: int  # the membership's id
    user_id: int
    name: str
    email: str
    role: Role
    joined_at: datetime

    @staticmethod
    def resolve_name(membership: Membership) -> str:
        return membership.user.display_name

    @staticmethod
    def resolve_email(membership: Membership) -> str:
        return membership.user.email


class HouseholdResponse(Schema):
    id: int
    name: str
    base_currency: str
    created_at: datetime
    your_role: Role
    members: list[MemberResponse]


class MeUser(Schema):
    id: int
    email: str
    name: str


class MeHousehold(Schema):
    id: int
    name: str
    base_currency: str
    require_two_factor: bool


class NumberFormat(Schema):
    """How the household writes numbers and dates (Babel/CLDR), for a client that shows or
    reads amounts the way the pages do. The API itself always uses "1234.50" and ISO dates."""

    locale: str = Field(examples=["de_DE"])
    label: str
    group: str = Field(description="The grouping mark, e.g. ',' in en_US, '.' in de_DE.")
    decimal: str = Field(description="The decimal mark, e.g. '.' in en_US, ',' in de_DE.")
    example: str = Field(examples=["1.234,56"])
    date_example: str = Field(examples=["31.12.2026"])


class MeResponse(Schema):
    """Who is calling: the person, their role and household, the language of Colony's
    messages, the household's number format, and the token used (null with a session)."""

    user: MeUser
    role: Role
    can_write: bool = Field(description="False for a viewer or a read-only token.")
    household: MeHousehold
    language: str = Field(description="The language of Colony's messages (BCP 47).")
    number_format: NumberFormat
    token: ApiTokenResponse | None


class HouseholdUpdate(RequestSchema):
    name: Name = Field(max_length=100)
