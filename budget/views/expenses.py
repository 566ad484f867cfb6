"""The cycle page's expense actions. Each answers HTMX with the changed row(s) plus the totals
out of band (one request per action), and a plain form post with a redirect back to the page."""

from django.contrib import messages
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.scoping import get_for_household, household_required
from colony.errors import DomainError, Unprocessable
from colony.htmx import partial_or_redirect, wants_partial
from cycles.exceptions import CycleAlreadyCompleted
from expenses import selectors, services
from expenses.exceptions import ExpenseChanged
from expenses.forms import ExpenseForm, PaymentForm, VersionForm
from expenses.models import Expense

from ..selectors import budgets as budget_selectors
from .page import (
    ADD_FORM_ID,
    apply_domain_error,
    cycle_balances,
    edit_form_id,
    household_cycle,
    matched_after_change,
    new_expense_form,
    render_cycle_page,
)


def _household_expense(request, pk) -> Expense:
    return get_for_household(selectors.expenses_for_rows(), request.household, pk=pk)


def _open_expense(request, pk) -> Expense:
    """The household's expense, refused with 409 when its cycle is completed."""
    expense = _household_expense(request, pk)
    if expense.cycle.is_completed:
        raise CycleAlreadyCompleted()
    return expense


def _edit_form(expense, choices, data=None) -> ExpenseForm:
    initial = {
        name: getattr(
            expense, f"{name}_id" if name in {"category", "payment_method", "paid_by"} else name
        )
        for name in ExpenseForm.base_fields
        if name != "split"  # "As it is" unless the person picks another
    }
    # Only a rate typed by hand is shown for editing; a stored one is the exchange's.
    initial["rate"] = expense.rate.normalize() if expense.has_manual_rate else None
    initial["amount"] = expense.amount_for_input
    return ExpenseForm(
        data,
        cycle=expense.cycle,
        choices=choices,
        expense=expense,
        initial=initial,
        form_id=edit_form_id(expense),
    )


def _budget_and_totals(cycle, *, members=None) -> dict:
    """The budgets and the totals shown out of band after a change, from one query, and who
    owes whom (sharing: three queries, two with the `members` already loaded)."""
    budget = budget_selectors.cycle_budget(cycle)
    return {
        "budget": budget,
        "totals": budget.totals,
        "cycle_balances": cycle_balances(cycle, members=members),
    }


def _row_with_totals(request, expense, *, message: str):
    """HTMX: the changed row (none once deleted) and the totals out of band; a plain post:
    the message and back to the cycle page."""
    cycle = expense.cycle

    def context():
        return {
            "expense": None if expense.pk is None else expense,
            "cycle": cycle,
            "is_open": not cycle.is_completed,
            "matched": matched_after_change(request, cycle),
            **_budget_and_totals(cycle),
        }

    return partial_or_redirect(
        request, "expenses/partials/_expense_changed.html", context, to=cycle, message=message
    )


def _changed_meanwhile(request, error: ExpenseChanged, cycle):
    """A change made from a stale row: 409 with the expense as it is now and the reason; HTMX
    swaps the current row in place of the stale one, shows the message in #messages and the
    totals and budgets as they are now (the change made meanwhile moved them too)."""
    if not wants_partial(request):
        messages.error(request, error.message)
        return render_cycle_page(request, cycle, status=error.status)
    expense = selectors.expenses_for_rows().get(pk=error.expense_id)
    return render(
        request,
        "expenses/partials/_expense_stale.html",
        {
            "expense": expense,
            "cycle": expense.cycle,
            "is_open": not expense.cycle.is_completed,
            "code": error.code,
            "message": error.message,
            "matched": matched_after_change(request, expense.cycle),
            **_budget_and_totals(expense.cycle),
        },
        status=error.status,
    )


def _expected_version(request) -> int | None:
    form = VersionForm(request.POST)
    if not form.is_valid():
        raise Unprocessable("This page is out of date: reload it.", code="BAD_VERSION")
    return form.cleaned_data["version"]


@household_required
@require_POST
def expense_add(request, cycle_pk):
    cycle = household_cycle(request, cycle_pk, open_only=True)
    choices = selectors.expense_choices(request.household)
    form = ExpenseForm(request.POST, cycle=cycle, choices=choices, form_id=ADD_FORM_ID)
    if form.is_valid():
        try:
            expense = services.add_expense(
                cycle=cycle, created_by=request.user, **form.service_fields()
            )
        except DomainError as error:
            if error.status != 422:
                raise
            apply_domain_error(form, error)
        else:
            return partial_or_redirect(
                request,
                "expenses/partials/_expense_added.html",
                lambda: {
                    "expense": expense,
                    "cycle": cycle,
                    "is_open": True,
                    "add_form": new_expense_form(cycle, choices, after=expense).autofocus(),
                    "matched": matched_after_change(request, cycle, choices=choices),
                    **_budget_and_totals(cycle, members=choices.members),
                },
                to=cycle,
                message=f"Added “{expense.description}”.",
            )
    if wants_partial(request):
        return render(
            request,
            "expenses/partials/_expense_add_row.html",
            {"add_form": form.autofocus(), "cycle": cycle},
            status=422,
        )
    return render_cycle_page(request, cycle, choices=choices, add_form=form, status=422)


@household_required
@require_GET
def expense_row(request, pk):
    """One expense: its row (HTMX), or the cycle page starting with it, the link a search result
    opens (anchored to the row, #expense-<pk>)."""
    expense = _household_expense(request, pk)
    if not wants_partial(request):
        return render_cycle_page(request, expense.cycle, shown=expense)
    cycle = expense.cycle
    return render(
        request,
        "expenses/partials/_expense_row.html",
        {"expense": expense, "cycle": cycle, "is_open": not cycle.is_completed},
    )


@household_required
@require_http_methods(["GET", "POST"])
def expense_edit(request, pk):
    expense = _open_expense(request, pk)
    choices = selectors.expense_choices(request.household)
    if request.method == "GET":
        form = _edit_form(expense, choices)
        if wants_partial(request):
            return render(
                request,
                "expenses/partials/_expense_edit_row.html",
                {"edit_form": form.autofocus(), "expense": expense, "cycle": expense.cycle},
            )
        return render_cycle_page(request, expense.cycle, choices=choices, edit_form=form)
    form = _edit_form(expense, choices, data=request.POST)
    if form.is_valid():
        try:
            expense = services.update_expense(
                expense=expense, updated_by=request.user, **form.service_fields()
            )
        except ExpenseChanged as error:
            return _changed_meanwhile(request, error, expense.cycle)
        except DomainError as error:
            if error.status != 422:
                raise
            apply_domain_error(form, error)
        else:
            return _row_with_totals(request, expense, message=f"Saved “{expense.description}”.")
    if wants_partial(request):
        return render(
            request,
            "expenses/partials/_expense_edit_row.html",
            {"edit_form": form.autofocus(), "expense": expense, "cycle": expense.cycle},
            status=422,
        )
    return render_cycle_page(request, expense.cycle, choices=choices, edit_form=form, status=422)


@household_required
@require_POST
def expense_toggle_paid(request, pk):
    """Planned → paid at the amount posted (the actual one; the planned one when none is), or
    paid → planned."""
    expense = _open_expense(request, pk)
    form = PaymentForm(request.POST, expense=expense)
    if not form.is_valid():
        if wants_partial(request):
            return render(
                request,
                "expenses/partials/_expense_row.html",
                {"expense": expense, "cycle": expense.cycle, "is_open": True, "pay_form": form},
                status=422,
            )
        return render_cycle_page(request, expense.cycle, pay_form=form, status=422)
    try:
        expense = services.toggle_paid(
            expense=expense,
            by=request.user,
            actual_amount=form.cleaned_data["amount"],
            expected_version=form.cleaned_data["version"],
        )
    except ExpenseChanged as error:
        return _changed_meanwhile(request, error, expense.cycle)
    state = "paid" if expense.is_paid else "planned"
    return _row_with_totals(request, expense, message=f"“{expense.description}” is {state}.")


def _row_action(request, pk, change, message: str):
    """Skip, restore and delete, one shape: the household's open expense, the service `change`
    at the version the row showed (409 with the row as it is now when stale), then the row and
    the totals. `message` names the expense with {}."""
    expense = _open_expense(request, pk)
    try:
        changed = change(
            expense=expense, by=request.user, expected_version=_expected_version(request)
        )
    except ExpenseChanged as error:
        return _changed_meanwhile(request, error, expense.cycle)
    # A deleted expense comes back as None: its row is replaced by nothing, only the totals.
    shown = changed if changed is not None else expense
    return _row_with_totals(request, shown, message=message.format(expense.description))


@household_required
@require_POST
def expense_skip(request, pk):
    return _row_action(request, pk, services.skip_expense, "Skipped “{}” this time.")


@household_required
@require_POST
def expense_restore(request, pk):
    return _row_action(request, pk, services.restore_expense, "Restored “{}”.")


@household_required
@require_POST
def expense_delete(request, pk):
    return _row_action(request, pk, services.delete_expense, "Deleted “{}”.")
