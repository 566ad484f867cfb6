"""API routes of cycles: create (optionally from templates), change, activate, complete,
delete, totals — through budget.services, like the pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from accounts.scoping import get_for_household
from colony.api_schemas import (
    COMMON_ERRORS,
    WRITE_ERRORS,
    PageQuery,
    money,
    page_of,
    paginate,
    sent_fields,
)
from cycles.exceptions import IncomeIsLines
from cycles.models import Cycle

from . import selectors, services
from .schemas import (
    CycleCreate,
    CycleResponse,
    CycleStatus,
    CycleTotalsResponse,
    CycleUpdate,
    GenerateResponse,
)

router = Router(tags=["cycles"])


class CycleFilters(Schema):
    status: CycleStatus | None = None


def _cycle(request: HttpRequest, pk: int) -> Cycle:
    """The household's cycle with its totals, or 404."""
    return get_for_household(
        selectors.cycles_with_totals(request.household), request.household, pk=pk
    )


@router.get("", response={200: page_of(CycleResponse), **COMMON_ERRORS})
def cycle_list(request: HttpRequest, page: Query[PageQuery], filters: Query[CycleFilters]):
    """The household's cycles, newest first, each with its totals (one query a page)."""
    cycles = selectors.cycles_with_totals(request.household)
    if filters.status:
        cycles = cycles.filter(status=filters.status)
    return paginate(cycles, page)


@router.post("", response={201: CycleResponse, **WRITE_ERRORS})
def cycle_create(request: HttpRequest, payload: CycleCreate):
    """A draft cycle; `generate_from_templates` adds the expenses the active templates make."""
    cycle = services.create_cycle(
        household=request.household,
        name=payload.name,
        start_date=payload.start_date,
        end_date=payload.end_date,
        income=payload.income,
        generate_from_templates=payload.generate_from_templates,
        created_by=request.user,
    )
    return Status(201, _cycle(request, cycle.pk))


@router.get("/{int:pk}", response={200: CycleResponse, **COMMON_ERRORS})
def cycle_detail(request: HttpRequest, pk: int):
    return _cycle(request, pk)


@router.patch("/{int:pk}", response={200: CycleResponse, **WRITE_ERRORS})
def cycle_update(request: HttpRequest, pk: int, payload: CycleUpdate):
    """Change the fields sent of a cycle that is not completed."""
    cycle = _cycle(request, pk)
    sent = sent_fields(payload)
    if sent.get("income") is not None and sent["income"] != cycle.income:
        raise IncomeIsLines()
    services.update_cycle(
        cycle=cycle,
        name=sent["name"] if sent.get("name") is not None else cycle.name,
        start_date=sent.get("start_date") or cycle.start_date,
        end_date=sent.get("end_date") or cycle.end_date,
        updated_by=request.user,
    )
    return _cycle(request, pk)


@router.delete("/{int:pk}", response={204: None, **WRITE_ERRORS})
def cycle_delete(request: HttpRequest, pk: int):
    """Delete a draft cycle with its expenses (else 409 CYCLE_NOT_DELETABLE)."""
    services.delete_cycle(cycle=_cycle(request, pk), by=request.user)
    return Status(204, None)


@router.post("/{int:pk}/activate", response={200: CycleResponse, **WRITE_ERRORS})
def cycle_activate(request: HttpRequest, pk: int):
    """A draft cycle becomes the household's one active cycle."""
    services.activate_cycle(cycle=_cycle(request, pk), by=request.user)
    return _cycle(request, pk)


@router.post("/{int:pk}/complete", response={200: CycleResponse, **WRITE_ERRORS})
def cycle_complete(request: HttpRequest, pk: int):
    """The active cycle is closed: from then on it and its expenses are read-only."""
    services.complete_cycle(cycle=_cycle(request, pk), by=request.user)
    return _cycle(request, pk)


@router.post("/{int:pk}/generate", response={200: GenerateResponse, **WRITE_ERRORS})
def cycle_generate(request: HttpRequest, pk: int):
    """Add the active templates' occurrences the cycle does not have yet (each once)."""
    added = services.generate_expenses_from_templates(
        cycle=_cycle(request, pk), created_by=request.user
    )
    return {"added": added, "cycle": _cycle(request, pk)}


@router.get("/{int:pk}/totals", response={200: CycleTotalsResponse, **COMMON_ERRORS})
def cycle_totals(request: HttpRequest, pk: int):
    """Income, planned, paid, remaining and balance in the base currency, from one query."""
    cycle = _cycle(request, pk)
    totals = selectors.cycle_totals(cycle)
    currency = totals.currency
    return {
        "currency": currency,
        "income": money(totals.income, currency),
        "planned": money(totals.planned, currency),
        "paid": money(totals.paid, currency),
        "remaining": money(totals.remaining, currency),
        "balance": money(totals.balance, currency),
        "paid_planned": money(totals.paid_planned, currency),
        "paid_difference": money(totals.paid_difference, currency),
        "awaiting_rate": totals.awaiting_rate,
        "expense_count": totals.expense_count,
        "skipped_count": totals.skipped_count,
        "spent_percent": totals.spent_percent,
        "overspent": totals.overspent,
    }
