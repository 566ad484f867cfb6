"""A cycle's category budgets: the form (409 when another member saved meanwhile), the
panel, copy from the previous cycle, usual amounts."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.scoping import household_required
from colony.errors import DomainError
from colony.htmx import page_or_partial, partial_or_redirect, wants_partial
from cycles.exceptions import BudgetsChanged, CycleAlreadyCompleted

from ..forms import (
    BudgetForm,
)
from ..selectors import budgets as budget_selectors
from ..services import budgets as budget_services
from .page import (
    apply_domain_error,
    household_cycle,
)


def _budget_panel_context(cycle) -> dict:
    return {
        "cycle": cycle,
        "is_open": not cycle.is_completed,
        "budget": budget_selectors.cycle_budget(cycle),
    }


def _budget_panel_or_redirect(request, cycle, *, message: str):
    return partial_or_redirect(
        request,
        "cycles/partials/_budgets.html",
        lambda: _budget_panel_context(cycle),
        to=cycle,
        message=message,
    )


@household_required
@require_http_methods(["GET", "POST"])
def cycle_budgets(request, pk):
    """The budget form: one amount per category, saved together (one request)."""
    cycle = household_cycle(request, pk)
    if cycle.is_completed:
        raise CycleAlreadyCompleted()
    budget = budget_selectors.cycle_budget(cycle)
    usual = budget_selectors.usual_budgets(cycle)
    base_currency = cycle.household.base_currency
    data = request.POST if request.method == "POST" else None
    form = BudgetForm(data, lines=budget.form_lines, base_currency=base_currency, usual=usual)
    status, conflict = 200, None
    if form.is_bound:
        if form.is_valid():
            try:
                budget_services.set_budgets(
                    cycle=cycle,
                    amounts=form.amounts(),
                    rolls_over=form.rolls_over(),
                    expected=form.expected(),
                    expected_rolls_over=form.expected_rolls_over(),
                    by=request.user,
                )
            except BudgetsChanged as error:
                # Someone saved since this form was opened: show what is saved now (with what
                # this person typed next to the changed ones) and let them save again.
                conflict = _budget_conflict(form, error, budget.form_lines)
                budget = budget_selectors.cycle_budget(cycle)
                form = BudgetForm(lines=budget.form_lines, base_currency=base_currency, usual=usual)
                status = error.status
            except DomainError as error:
                if error.status != 422:
                    raise
                apply_domain_error(form, error)
                status = 422
            else:
                return _budget_panel_or_redirect(request, cycle, message="Budgets saved.")
        else:
            status = 422
    return page_or_partial(
        request,
        page="cycles/budgets.html",
        partial="cycles/partials/_budget_form.html",
        context={"cycle": cycle, "form": form, "budget": budget, "conflict": conflict},
        status=status,
    )


def _budget_conflict(form: BudgetForm, error: BudgetsChanged, lines) -> dict:
    """The refusal's message and the categories saved meanwhile: name, what is saved now and
    what this person typed."""
    names = {line.category_id: line.name for line in lines}
    typed = form.amounts()
    changes = [
        {
            "name": names.get(pk, "A category"),
            "saved": amount,
            "saved_rolls_over": rolls_over,
            "typed": typed.get(pk),
        }
        for pk, (amount, rolls_over) in error.current.items()
    ]
    return {"code": error.code, "message": error.message, "changes": changes}


@household_required
@require_GET
def cycle_budgets_panel(request, pk):
    """The budget panel alone (the form's Cancel); a plain request goes to the cycle page."""
    cycle = household_cycle(request, pk)
    if not wants_partial(request):
        return redirect(cycle)
    return render(request, "cycles/partials/_budgets.html", _budget_panel_context(cycle))


@household_required
@require_POST
def cycle_budgets_copy(request, pk):
    cycle = household_cycle(request, pk)
    copied = budget_services.copy_budgets_from_previous(cycle=cycle, by=request.user)
    message = f"{copied} budget{'s' if copied != 1 else ''} copied."
    return _budget_panel_or_redirect(request, cycle, message=message)


@household_required
@require_POST
def cycle_budgets_usual(request, pk):
    cycle = household_cycle(request, pk)
    added = budget_services.apply_usual_budgets(cycle=cycle, by=request.user)
    message = f"{added} usual budget{'s' if added != 1 else ''} filled in."
    return _budget_panel_or_redirect(request, cycle, message=message)
