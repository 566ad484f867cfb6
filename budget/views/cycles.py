"""The dashboard and the cycles: list, create, edit, the cycle page, activate, complete,
reopen, delete, generate from templates."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import selectors as account_selectors
from accounts.scoping import household_required
from colony.errors import DomainError
from colony.htmx import redirect_after_write, wants_partial
from cycles.exceptions import CycleAlreadyCompleted, InvalidStatusTransition
from cycles.models import Cycle
from expenses import selectors as expense_selectors
from sharing import selectors as sharing_selectors

from .. import selectors, services
from ..forms import (
    CompletionForm,
    CycleForm,
    NewCycleForm,
)
from ..selectors import budgets as budget_selectors
from ..selectors import lifecycle as lifecycle_selectors
from .page import (
    CYCLES_PER_PAGE,
    UPCOMING_EXPENSES,
    apply_domain_error,
    cycle_page_context,
    household_cycle,
    is_more_rows_request,
)


@household_required
def dashboard(request):
    household = request.household
    cycle = selectors.active_cycle(household)
    context = {
        "members": account_selectors.household_members(household),
        "pending_invite_count": account_selectors.pending_invites(household).count(),
        "cycle": cycle,
        "onboarding": selectors.onboarding_checklist(household),
        "household_balances": sharing_selectors.balances(household=household),
    }
    if cycle is not None:
        context["budget"] = budget_selectors.cycle_budget(cycle)
        context["totals"] = context["budget"].totals
        context["is_open"] = True
    if cycle is None:
        # Never "no active cycle" while a cycle for today waits as a draft: offer to start it.
        context["current_draft"] = selectors.current_draft_cycle(
            household, today=timezone.localdate()
        )
    else:
        context["upcoming"] = expense_selectors.upcoming_planned_expenses(
            cycle, limit=UPCOMING_EXPENSES
        )
    return render(request, "dashboard/dashboard.html", context)


@household_required
@require_GET
def cycle_list(request):
    paginator = Paginator(selectors.cycles_with_totals(request.household), CYCLES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "cycles/list.html", {"page": page, "cycles": page.object_list})


@household_required
@require_http_methods(["GET", "POST"])
def cycle_create(request):
    base_currency = request.household.base_currency
    if request.method == "POST":
        form = NewCycleForm(request.POST, base_currency=base_currency)
        if form.is_valid():
            try:
                cycle = services.create_cycle(
                    household=request.household, created_by=request.user, **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
                status = error.status
            else:
                if cycle.started:
                    messages.info(
                        request,
                        "Its dates include today and no other cycle was active, "
                        "so it is now the active cycle.",
                    )
                return redirect_after_write(
                    request, cycle, message=f"Cycle “{cycle.name}” created."
                )
        else:
            status = 422
    else:
        defaults = selectors.new_cycle_defaults(request.household, today=timezone.localdate())
        # The name is not pre-filled: left empty it is derived from the dates as saved, so
        # changing the dates cannot leave a stale name behind. The placeholder shows the form.
        form = NewCycleForm(
            base_currency=base_currency,
            initial={"start_date": defaults.start_date, "end_date": defaults.end_date},
        )
        form.fields["name"].widget.attrs["placeholder"] = defaults.name
        status = 200
    return render(request, "cycles/form.html", {"form": form, "cycle": None}, status=status)


@household_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request, pk):
    cycle = household_cycle(request, pk)
    if cycle.is_completed:
        raise CycleAlreadyCompleted()
    base_currency = request.household.base_currency
    if request.method == "POST":
        form = CycleForm(request.POST, base_currency=base_currency)
        if form.is_valid():
            try:
                services.update_cycle(cycle=cycle, updated_by=request.user, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
                status = error.status
            else:
                return redirect_after_write(request, cycle, message="Cycle saved.")
        else:
            status = 422
    else:
        form = CycleForm(
            base_currency=base_currency,
            initial={
                "name": cycle.name,
                "start_date": cycle.start_date,
                "end_date": cycle.end_date,
            },
        )
        status = 200
    return render(request, "cycles/form.html", {"form": form, "cycle": cycle}, status=status)


@household_required
@vary_on_headers("HX-Request")
@require_GET
def cycle_detail(request, pk):
    # Only the whole page shows whether the cycle can be reopened (an extra subquery).
    cycle = household_cycle(request, pk, for_page=not wants_partial(request))
    context = cycle_page_context(request, cycle)
    if wants_partial(request):
        if is_more_rows_request(request):
            # The next rows and a new "show more" row, in place of the one that asked.
            return render(request, "expenses/partials/_expense_rows.html", context)
        # The table, and the filtered totals beside the cycle's totals out of band.
        return render(request, "cycles/partials/_expense_table_changed.html", context)
    return render(request, "cycles/detail.html", context)


@household_required
@require_POST
def cycle_activate(request, pk):
    cycle = services.activate_cycle(cycle=household_cycle(request, pk), by=request.user)
    return redirect_after_write(request, cycle, message=f"“{cycle.name}” is now the active cycle.")


@household_required
@require_http_methods(["GET", "POST"])
def cycle_complete(request, pk):
    """The review (what is still open) and the choice for unpaid expenses, then completion."""
    cycle = household_cycle(request, pk)
    if cycle.status != Cycle.Status.ACTIVE:
        raise InvalidStatusTransition()
    review = lifecycle_selectors.completion_review(cycle)
    data = request.POST if request.method == "POST" else None
    form = CompletionForm(data, can_move=review.can_move)
    if request.method == "POST" and form.is_valid():
        cycle = services.complete_cycle(
            cycle=cycle, by=request.user, unpaid=form.cleaned_data["unpaid"]
        )
        if cycle.started_next is not None:
            messages.info(
                request,
                f"“{cycle.started_next.name}” includes today, so it is now the active cycle.",
            )
        return redirect_after_write(request, cycle, message=f"“{cycle.name}” is completed.")
    status = 422 if request.method == "POST" else 200
    context = {"cycle": cycle, "review": review, "form": form}
    return render(request, "cycles/complete.html", context, status=status)


@household_required
@require_POST
def cycle_reopen(request, pk):
    cycle = services.reopen_cycle(cycle=household_cycle(request, pk), by=request.user)
    if cycle.paused is not None:
        messages.info(request, f"“{cycle.paused.name}” went back to draft meanwhile.")
    return redirect_after_write(request, cycle, message=f"“{cycle.name}” is open again.")


@household_required
@require_POST
def cycle_delete(request, pk):
    cycle = household_cycle(request, pk)
    services.delete_cycle(cycle=cycle, by=request.user)
    return redirect_after_write(request, "cycles:list", message=f"Cycle “{cycle.name}” deleted.")


@household_required
@require_POST
def cycle_generate(request, pk):
    cycle = household_cycle(request, pk)
    added = services.generate_expenses_from_templates(cycle=cycle, created_by=request.user)
    if added:
        message = f"{added} expense{'s' if added != 1 else ''} added from templates."
        return redirect_after_write(request, cycle, message=message)
    return redirect_after_write(
        request,
        cycle,
        message="Every template expense is already in this cycle.",
        level=messages.INFO,
    )
