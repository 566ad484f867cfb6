"""A cycle's income lines: add, edit, received or not, delete."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors as account_selectors
from accounts.scoping import get_for_household, household_required
from colony.errors import DomainError
from colony.htmx import partial_or_redirect, redirect_after_write, wants_partial
from cycles.exceptions import CycleAlreadyCompleted
from cycles.models import IncomeLine

from ..forms import IncomeLineForm
from ..selectors import budgets as budget_selectors
from ..selectors import income as income_selectors
from ..services import income as income_services
from .page import (
    apply_domain_error,
    household_cycle,
    new_income_form,
)


def household_income_line(request, pk) -> IncomeLine:
    return get_for_household(
        IncomeLine.objects.select_related("cycle__household", "member"), request.household, pk=pk
    )


INCOME_CHANGED = "cycles/partials/_income_changed.html"


def _income_section(request, cycle, *, form=None, status=200):
    return render(
        request, INCOME_CHANGED, _income_context(request, cycle, form=form), status=status
    )


def _income_context(request, cycle, *, form=None) -> dict:
    """The income card, with the totals and budgets (whose "unassigned" follows the income) out
    of band: one request per action."""
    members = account_selectors.member_list(request.household)
    is_open = not cycle.is_completed
    cycle.refresh_from_db(fields=["income", "income_received"])  # the service just changed them
    budget = budget_selectors.cycle_budget(cycle)
    return {
        "cycle": cycle,
        "is_open": is_open,
        "income_lines": income_selectors.income_lines(cycle),
        "income_form": (form or new_income_form(cycle, members)) if is_open else None,
        "show_income_form": is_open,
        "budget": budget,
        "totals": budget.totals,
    }


def _income_changed(request, cycle, *, message: str):
    """After a write: HTMX gets the income card (and the totals out of band), a plain form post
    the message and the cycle page."""
    return partial_or_redirect(
        request, INCOME_CHANGED, lambda: _income_context(request, cycle), to=cycle, message=message
    )


@household_required
@require_POST
def income_add(request, cycle_pk):
    cycle = household_cycle(request, cycle_pk, open_only=True)
    members = account_selectors.member_list(request.household)
    form = new_income_form(cycle, members, data=request.POST)
    if form.is_valid():
        try:
            line = income_services.add_income_line(
                cycle=cycle,
                is_received=form.cleaned_data["is_received"],
                created_by=request.user,
                **form.service_fields(),
            )
        except DomainError as error:
            if error.status != 422:
                raise
            apply_domain_error(form, error)
        else:
            return _income_changed(request, cycle, message=f"Added income “{line.description}”.")
    if wants_partial(request):
        return _income_section(request, cycle, form=form, status=422)
    return render(
        request, "cycles/income_form.html", {"cycle": cycle, "form": form, "line": None}, status=422
    )


@household_required
@require_http_methods(["GET", "POST"])
def income_edit(request, income_pk):
    line = household_income_line(request, income_pk)
    cycle = line.cycle
    if cycle.is_completed:
        raise CycleAlreadyCompleted()
    members = account_selectors.member_list(request.household)
    if request.method == "POST":
        form = IncomeLineForm(request.POST, members=members, form_id=f"income-{line.pk}-form")
        if form.is_valid():
            try:
                income_services.update_income_line(
                    line=line, updated_by=request.user, **form.service_fields()
                )
            except DomainError as error:
                if error.status != 422:
                    raise
                apply_domain_error(form, error)
            else:
                return redirect_after_write(request, cycle, message="Income saved.")
        status = 422
    else:
        form = IncomeLineForm(
            members=members,
            form_id=f"income-{line.pk}-form",
            initial={
                "description": line.description,
                "amount": line.amount_for_input,
                "currency": line.currency,
                "expected_date": line.expected_date,
                "member": line.member_id,
            },
        )
        status = 200
    context = {"cycle": cycle, "form": form, "line": line}
    return render(request, "cycles/income_form.html", context, status=status)


@household_required
@require_POST
def income_receive(request, income_pk):
    """Received ↔ expected."""
    line = household_income_line(request, income_pk)
    line = income_services.set_income_received(
        line=line, is_received=not line.is_received, by=request.user
    )
    state = "received" if line.is_received else "expected"
    return _income_changed(request, line.cycle, message=f"“{line.description}” is {state}.")


@household_required
@require_POST
def income_delete(request, income_pk):
    line = household_income_line(request, income_pk)
    income_services.delete_income_line(line=line, by=request.user)
    return _income_changed(request, line.cycle, message=f"Deleted income “{line.description}”.")
