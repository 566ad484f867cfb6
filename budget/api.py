"""API routes of cycles: create (optionally from templates), change, activate, complete,
reopen, delete, totals, their category budgets and income lines — through budget.services,
like the pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from accounts.models import User
from accounts.scoping import get_for_household
from colony.api_schemas import (
    COMMON_ERRORS,
    WRITE_ERRORS,
    Day,
    PageQuery,
    money,
    page_of,
    paginate,
    patch_merge,
)
from cycles.exceptions import BudgetsChanged
from cycles.models import Cycle, IncomeLine

from . import selectors, services
from .schemas import (
    BudgetsCopied,
    BudgetsFilled,
    BudgetsUpdate,
    CycleBudgetResponse,
    CycleComplete,
    CycleCreate,
    CycleResponse,
    CycleStatus,
    CycleTotalsResponse,
    CycleUpdate,
    GenerateResponse,
    IncomeCreate,
    IncomeReceived,
    IncomeResponse,
    IncomeUpdate,
)
from .selectors import budgets as budget_selectors
from .selectors import income as income_selectors
from .services import budgets as budget_services
from .services import income as income_services

router = Router(tags=["cycles"])
income_router = Router(tags=["income"])


class CycleFilters(Schema):
    status: CycleStatus | None = None
    contains: Day | None = Field(
        None, description="The cycle whose days include this date (start and end included)."
    )


def _cycle(request: HttpRequest, pk: int) -> Cycle:
    """The household's cycle with its totals, or 404."""
    return get_for_household(
        selectors.cycles_with_totals(request.household), request.household, pk=pk
    )


@router.get("", response={200: page_of(CycleResponse), **COMMON_ERRORS})
def cycle_list(request: HttpRequest, page: Query[PageQuery], filters: Query[CycleFilters]):
    """The household's cycles, newest first, each with its totals (one query a page);
    `contains=2026-03-14` finds the cycle that date falls in."""
    cycles = selectors.cycles_for_api(
        request.household, status=filters.status, contains=filters.contains
    )
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
    services.update_cycle(
        cycle=cycle,
        **patch_merge(payload, cycle, fields=("name", "start_date", "end_date")),
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
def cycle_complete(request: HttpRequest, pk: int, choice: Query[CycleComplete]):
    """The active cycle is closed: from then on it and its expenses are read-only. Its planned,
    unpaid expenses are kept (`?unpaid=keep`, the default), skipped (`skip`), or moved to the
    next cycle (`move`; 409 NO_NEXT_CYCLE when there is none); a draft cycle whose dates
    include today then starts. A query parameter, so a bare POST keeps working as before."""
    services.complete_cycle(cycle=_cycle(request, pk), by=request.user, unpaid=choice.unpaid)
    return _cycle(request, pk)


@router.post("/{int:pk}/reopen", response={200: CycleResponse, **WRITE_ERRORS})
def cycle_reopen(request: HttpRequest, pk: int):
    """An owner reopens the household's last completed cycle: it is active again, and a later
    active cycle goes back to draft (403 ONLY_OWNER_MAY_REOPEN, 409 NOT_LAST_COMPLETED_CYCLE)."""
    services.reopen_cycle(cycle=_cycle(request, pk), by=request.user)
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


# --- category budgets ---------------------------------------------------------------------------


def _plain_cycle(request: HttpRequest, pk: int) -> Cycle:
    cycle = get_for_household(Cycle, request.household, pk=pk)
    cycle.household = request.household
    return cycle


def _budget_response(cycle: Cycle) -> dict:
    """The cycle's budget lines and header numbers, money as strings in the base currency."""
    budget = budget_selectors.cycle_budget(cycle)
    currency = budget.currency
    return {
        "cycle_id": cycle.pk,
        "currency": currency,
        "income": money(budget.income, currency),
        "budgeted": money(budget.budgeted, currency),
        "unassigned": money(budget.unassigned, currency),
        "unbudgeted_spending": money(budget.unbudgeted_spending, currency),
        "lines": [
            {
                "category_id": line.category_id,
                "name": line.name,
                "is_archived": line.is_archived,
                "rolls_over": line.rolls_over,
                "budget": money(line.budget, currency),
                "rollover": money(line.rollover, currency),
                "planned": money(line.planned, currency),
                "paid": money(line.paid, currency),
                "available": money(line.available, currency),
                "over": line.is_over,
                "over_by": money(line.over_by, currency),
            }
            for line in budget.lines
        ],
    }


@router.get("/{int:pk}/budgets", response={200: CycleBudgetResponse, **COMMON_ERRORS})
def cycle_budgets(request: HttpRequest, pk: int):
    """Every category of the household with its budget, rollover, planned, paid and available
    in the cycle (one query), and income, budgeted and unassigned."""
    return _budget_response(_plain_cycle(request, pk))


@router.put("/{int:pk}/budgets", response={200: CycleBudgetResponse, **WRITE_ERRORS})
def cycle_budgets_set(request: HttpRequest, pk: int, payload: BudgetsUpdate):
    """Set several budgets at once (`amount: null` removes one; categories not sent keep
    theirs). With `expected` (the budgets as read), a budget saved meanwhile by someone else
    refuses the whole write with 409 BUDGETS_CHANGED, its current values in `details`."""
    cycle = _plain_cycle(request, pk)
    expected = payload.expected or []
    try:
        budget_services.set_budgets(
            cycle=cycle,
            amounts={row.category_id: row.amount for row in payload.budgets},
            rolls_over={
                row.category_id: row.rolls_over
                for row in payload.budgets
                if row.rolls_over is not None
            },
            expected={row.category_id: row.amount for row in expected} if expected else None,
            expected_rolls_over={
                row.category_id: row.rolls_over for row in expected if row.rolls_over is not None
            },
            by=request.user,
        )
    except BudgetsChanged as error:
        currency = request.household.base_currency
        error.details = {
            "current": [
                {"category_id": pk, "amount": money(amount, currency), "rolls_over": flag}
                for pk, (amount, flag) in error.current.items()
            ]
        }
        raise
    return _budget_response(cycle)


@router.post("/{int:pk}/budgets/copy-previous", response={200: BudgetsCopied, **WRITE_ERRORS})
def cycle_budgets_copy(request: HttpRequest, pk: int):
    """Copy the budgets of the latest earlier cycle that has any (409 NO_PREVIOUS_BUDGETS)."""
    cycle = _plain_cycle(request, pk)
    copied = budget_services.copy_budgets_from_previous(cycle=cycle, by=request.user)
    return {"copied": copied, "budgets": _budget_response(cycle)}


@router.post("/{int:pk}/budgets/usual", response={200: BudgetsFilled, **WRITE_ERRORS})
def cycle_budgets_usual(request: HttpRequest, pk: int):
    """Give each active category without a budget its usual amount (the most frequent of the
    last six cycles)."""
    cycle = _plain_cycle(request, pk)
    added = budget_services.apply_usual_budgets(cycle=cycle, by=request.user)
    return {"added": added, "budgets": _budget_response(cycle)}


# --- income lines -------------------------------------------------------------------------------


def _member(user_id: int | None) -> User | None:
    # Not loaded: the service checks the id belongs to a member of the household.
    return None if user_id is None else User(pk=user_id)


def _income(request: HttpRequest, pk: int) -> IncomeLine:
    line = get_for_household(
        IncomeLine.objects.select_related("cycle", "member"), request.household, pk=pk
    )
    line.cycle.household = request.household
    return line


@router.get("/{int:pk}/income", response={200: page_of(IncomeResponse), **COMMON_ERRORS})
def income_list(request: HttpRequest, pk: int, page: Query[PageQuery]):
    """The cycle's income lines by expected date (two queries a page)."""
    cycle = _plain_cycle(request, pk)
    return paginate(income_selectors.income_lines_for_api(cycle), page)


@router.post("/{int:pk}/income", response={201: IncomeResponse, **WRITE_ERRORS})
def income_create(request: HttpRequest, pk: int, payload: IncomeCreate):
    """Add income to a cycle that is not completed, converted at the stored rate for its
    expected date (none stored yet: it awaits one, out of the cycle's income)."""
    line = income_services.add_income_line(
        cycle=_plain_cycle(request, pk),
        description=payload.description,
        amount=payload.amount,
        currency=payload.currency,
        expected_date=payload.expected_date,
        member=_member(payload.member_id),
        is_received=payload.is_received,
        created_by=request.user,
    )
    return Status(201, _income(request, line.pk))


@income_router.get("/{int:pk}", response={200: IncomeResponse, **COMMON_ERRORS})
def income_detail(request: HttpRequest, pk: int):
    return _income(request, pk)


@income_router.patch("/{int:pk}", response={200: IncomeResponse, **WRITE_ERRORS})
def income_update(request: HttpRequest, pk: int, payload: IncomeUpdate):
    """Change the fields sent; a new amount, currency or date takes a new rate snapshot."""
    line = _income(request, pk)
    income_services.update_income_line(
        line=line,
        **patch_merge(
            payload,
            line,
            fields=("description", "amount", "currency", "expected_date", "member"),
            clearable={"member_id"},
            load={"member_id": _member},
        ),
        updated_by=request.user,
    )
    return _income(request, pk)


@income_router.delete("/{int:pk}", response={204: None, **WRITE_ERRORS})
def income_delete(request: HttpRequest, pk: int):
    income_services.delete_income_line(line=_income(request, pk), by=request.user)
    return Status(204, None)


@income_router.post("/{int:pk}/received", response={200: IncomeResponse, **WRITE_ERRORS})
def income_received(request: HttpRequest, pk: int, payload: IncomeReceived):
    """Mark income received (today, or `received_on`) or expected again."""
    income_services.set_income_received(
        line=_income(request, pk),
        is_received=payload.received,
        received_on=payload.received_on,
        by=request.user,
    )
    return _income(request, pk)
