"""API routes of shared money: balances of a cycle and of the household, settlements."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from accounts.scoping import get_for_household
from colony.api_schemas import COMMON_ERRORS, WRITE_ERRORS, PageQuery, page_of, paginate
from cycles.selectors import household_cycle

from . import selectors, services
from .models import Settlement
from .schemas import BalancesResponse, SettlementCreate, SettlementResponse, balances_json

# Mounted at the API's root: its paths sit under /cycles/{id}/ and /household/.
balances_router = Router(tags=["balances"])
settlements_router = Router(tags=["settlements"])


@balances_router.get(
    "/cycles/{int:cycle_id}/balances", response={200: BalancesResponse, **COMMON_ERRORS}
)
def cycle_balances(request: HttpRequest, cycle_id: int):
    """Each member's paid, share and balance in the cycle (base currency; they add up to
    zero), and the settle-up plan (at most one transfer fewer than members)."""
    cycle = household_cycle(request.household, cycle_id)
    return balances_json(selectors.balances(household=request.household, cycle=cycle))


@balances_router.get("/household/balances", response={200: BalancesResponse, **COMMON_ERRORS})
def household_balances(request: HttpRequest):
    """All-time balances of the household's members (those who left, while they have
    history) and the settle-up plan."""
    return balances_json(selectors.balances(household=request.household))


@settlements_router.get("", response={200: page_of(SettlementResponse), **COMMON_ERRORS})
def settlement_list(request: HttpRequest, page: Query[PageQuery]):
    """The household's settlements, newest first."""
    return paginate(selectors.settlements(household=request.household), page)


@settlements_router.post("", response={201: SettlementResponse, **WRITE_ERRORS})
def settlement_create(request: HttpRequest, payload: SettlementCreate):
    """Record money one member gave another (422: to oneself, with someone outside the
    household, zero, or not in the base currency; 409: `balance` moved meanwhile)."""
    cycle = None
    if payload.cycle_id is not None:
        cycle = household_cycle(request.household, payload.cycle_id)
    settlement = services.record_settlement(
        household=request.household,
        by=request.user,
        from_user_id=payload.from_user_id,
        to_user_id=payload.to_user_id,
        amount=payload.amount,
        currency=payload.currency,
        on_date=payload.date,
        note=payload.note,
        cycle=cycle,
        expected_balance=None if payload.balance is None else Decimal(payload.balance),
    )
    return Status(201, settlement)


@settlements_router.get("/{int:pk}", response={200: SettlementResponse, **COMMON_ERRORS})
def settlement_detail(request: HttpRequest, pk: int):
    return get_for_household(Settlement, request.household, pk=pk)


@settlements_router.delete("/{int:pk}", response={204: None, **WRITE_ERRORS})
def settlement_delete(request: HttpRequest, pk: int):
    services.delete_settlement(
        settlement=get_for_household(Settlement, request.household, pk=pk), by=request.user
    )
    return Status(204, None)
