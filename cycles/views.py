from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import selectors as account_selectors
from accounts.scoping import get_for_household, household_required
from colony.errors import DomainError
from colony.htmx import redirect_after_write, wants_partial
from expenses import selectors as expense_selectors
from expenses.forms import ExpenseFilterForm, ExpenseForm

from . import selectors, services
from .exceptions import CycleAlreadyCompleted
from .forms import CycleForm, NewCycleForm
from .models import Cycle

CYCLES_PER_PAGE = 12
ADD_FORM_ID = "expense-add-form"
UPCOMING_EXPENSES = 8


def edit_form_id(expense) -> str:
    return f"expense-{expense.pk}-form"


def household_cycle(request, pk) -> Cycle:
    """The household's cycle (with its household, for the base currency), or 404."""
    return get_for_household(Cycle.objects.select_related("household"), request.household, pk=pk)


def new_expense_form(cycle, choices, *, after=None) -> ExpenseForm:
    """An empty add row; after an add it keeps the date, category and payment method of the
    last expense, shown as kept (and reset by one key), so a run of similar expenses needs only
    a description and an amount. The currency is never kept: a CHF expense must not silently
    make the next one CHF."""
    today = timezone.localdate()
    defaults = {
        "date": today if cycle.start_date <= today <= cycle.end_date else cycle.start_date,
        "currency": cycle.household.base_currency,
        "category": None,
        "payment_method": None,
    }
    kept = {}
    if after is not None:
        kept = {
            "date": after.date,
            "category": after.category_id,
            "payment_method": after.payment_method_id,
        }
        kept = {name: value for name, value in kept.items() if value != defaults[name]}
    form = ExpenseForm(
        cycle=cycle, choices=choices, initial={**defaults, **kept}, form_id=ADD_FORM_ID
    )
    return form.mark_carried(kept, defaults)


def cycle_page_context(
    request, cycle, *, choices=None, add_form=None, edit_form=None, pay_form=None
) -> dict:
    """Everything the cycle page and its table partial show; a constant number of queries."""
    choices = choices or expense_selectors.expense_choices(request.household)
    members = list(account_selectors.household_members(request.household))
    filter_form = ExpenseFilterForm(request.GET, choices=choices, members=members)
    filters = filter_form.filters()
    is_open = not cycle.is_completed
    # A row shown for editing (or with a refused paid amount) on a page without JS may be past
    # the first page: the page then starts with it.
    focus = edit_form if edit_form is not None else pay_form
    page = expense_selectors.cycle_expense_page(
        cycle,
        choices=choices,
        users=[membership.user for membership in members],
        after=expense_selectors.ExpenseCursor.parse(request.GET.get("after")),
        snapshot=expense_selectors.parse_snapshot(request.GET.get("upto")),
        first=focus.expense if focus is not None else None,
        **filters,
    )
    return {
        "cycle": cycle,
        "is_open": is_open,
        "totals": selectors.cycle_totals(cycle),
        "expenses": page.expenses,
        "page": page,
        # Where the rows in the table start: a "show more" answer adds to rows already shown.
        "shown_from": 1 if is_more_rows_request(request) else page.first_position,
        "filter_form": filter_form,
        "is_filtered": filter_form.is_filtered,
        "sort": filters["sort"],
        "add_form": (add_form or new_expense_form(cycle, choices)) if is_open else None,
        "edit_form": edit_form,
        "editing_pk": edit_form.expense.pk if edit_form is not None else None,
        "pay_form": pay_form,  # a refused "paid" amount, shown in its row
    }


def is_more_rows_request(request) -> bool:
    """The table's "show more" row asking (over HTMX) for the rows after the ones shown."""
    return bool(wants_partial(request) and request.method == "GET" and request.GET.get("after"))


def render_cycle_page(request, cycle, *, status=200, **forms):
    return render(
        request, "cycles/detail.html", cycle_page_context(request, cycle, **forms), status=status
    )


def apply_domain_error(form, error: DomainError) -> None:
    """Show a refused rule next to the field it is about (or above the form)."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, error.message)
    form.error_code = error.code


@household_required
def dashboard(request):
    household = request.household
    cycle = selectors.active_cycle(household)
    context = {
        "members": account_selectors.household_members(household),
        "pending_invite_count": account_selectors.pending_invites(household).count(),
        "cycle": cycle,
        "onboarding": selectors.onboarding_checklist(household),
    }
    if cycle is not None:
        context["totals"] = selectors.cycle_totals(cycle)
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
                "income": cycle.income,
            },
        )
        status = 200
    return render(request, "cycles/form.html", {"form": form, "cycle": cycle}, status=status)


@household_required
@vary_on_headers("HX-Request")
@require_GET
def cycle_detail(request, pk):
    cycle = household_cycle(request, pk)
    context = cycle_page_context(request, cycle)
    if wants_partial(request):
        if is_more_rows_request(request):
            # The next rows and a new "show more" row, in place of the one that asked.
            return render(request, "expenses/partials/_expense_rows.html", context)
        return render(request, "expenses/partials/_expense_table.html", context)
    return render(request, "cycles/detail.html", context)


@household_required
@require_POST
def cycle_activate(request, pk):
    cycle = services.activate_cycle(cycle=household_cycle(request, pk), by=request.user)
    return redirect_after_write(request, cycle, message=f"“{cycle.name}” is now the active cycle.")


@household_required
@require_POST
def cycle_complete(request, pk):
    cycle = services.complete_cycle(cycle=household_cycle(request, pk), by=request.user)
    return redirect_after_write(request, cycle, message=f"“{cycle.name}” is completed.")


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
