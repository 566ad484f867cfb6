from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import selectors as account_selectors
from accounts.scoping import get_for_household, household_required
from colony.errors import DomainError
from colony.htmx import page_or_partial, partial_or_redirect, redirect_after_write, wants_partial
from cycles import selectors as cycle_selectors
from cycles.exceptions import BudgetsChanged, CycleAlreadyCompleted, InvalidStatusTransition
from cycles.models import Cycle, IncomeLine
from expenses import selectors as expense_selectors
from expenses.forms import ExpenseFilterForm, ExpenseForm

from . import selectors, services
from .forms import (
    BudgetForm,
    CompletionForm,
    CycleForm,
    ExpenseSearchForm,
    IncomeLineForm,
    NewCycleForm,
)
from .selectors import budgets as budget_selectors
from .selectors import income as income_selectors
from .selectors import lifecycle as lifecycle_selectors
from .selectors import search as search_selectors
from .selectors.search import ExpenseSearch
from .services import budgets as budget_services
from .services import income as income_services

CYCLES_PER_PAGE = 12
# The expense table's filters (ExpenseFilterForm), as the cycle page's URL carries them.
TABLE_FILTERS = ("category", "payment_method", "status", "member")
ADD_FORM_ID = "expense-add-form"
UPCOMING_EXPENSES = 8


def edit_form_id(expense) -> str:
    return f"expense-{expense.pk}-form"


def household_cycle(request, pk, *, for_page: bool = False, open_only: bool = False) -> Cycle:
    """The request household's cycle (cycles.selectors.household_cycle: 404, or 409 with
    `open_only` once completed); `for_page` also says whether a later cycle is completed (then
    it cannot be reopened)."""
    cycles = Cycle.objects.select_related("reopened_by")
    if for_page:
        cycles = cycles.annotate(has_later_completed=selectors.later_completed_exists())
    return cycle_selectors.household_cycle(
        request.household, pk, open_only=open_only, queryset=cycles
    )


def _can_reopen(request, cycle) -> bool:
    if not (cycle.is_completed and request.membership.is_owner):
        return False
    if hasattr(cycle, "has_later_completed"):
        return not cycle.has_later_completed
    return lifecycle_selectors.last_completed_cycle_id(cycle.household_id) == cycle.pk


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
    # The budget lines and the totals come from one query; lazy, so a table-only HTMX answer
    # (filters, "show more") does not run it.
    budget = SimpleLazyObject(lambda: budget_selectors.cycle_budget(cycle))
    return {
        "cycle": cycle,
        "is_open": is_open,
        "totals": SimpleLazyObject(lambda: budget.totals),
        "expenses": page.expenses,
        "page": page,
        # Where the rows in the table start: a "show more" answer adds to rows already shown.
        "shown_from": 1 if is_more_rows_request(request) else page.first_position,
        "filter_form": filter_form,
        "is_filtered": filter_form.is_filtered,
        # Next to the cycle's totals: what the filtered rows add up to (same query as the rows).
        "matched": page.matched if filter_form.is_filtered else None,
        "sort": filters["sort"],
        "add_form": (add_form or new_expense_form(cycle, choices)) if is_open else None,
        "edit_form": edit_form,
        "editing_pk": edit_form.expense.pk if edit_form is not None else None,
        "pay_form": pay_form,  # a refused "paid" amount, shown in its row
        "budget": budget,
        "income_lines": SimpleLazyObject(lambda: income_selectors.income_lines(cycle)),
        "income_form": new_income_form(cycle, members) if is_open else None,
        "can_reopen": _can_reopen(request, cycle),
    }


def matched_after_change(request, cycle, *, choices=None):
    """After a change made on the cycle page (HTMX), the totals of the rows its filters match,
    or None when the page is not filtered. The filters are in the page's URL, which the filter
    form pushes and htmx sends as HX-Current-URL; they are read with the table's own form, so
    the totals are of exactly the rows the page lists."""
    url = request.htmx.current_url_abs_path if request.htmx else None
    if not url:
        return None
    path, _, query = url.partition("?")
    if path != cycle.get_absolute_url() or not query:
        return None
    params = QueryDict(query)
    if not any(params.get(name) for name in TABLE_FILTERS):
        return None
    form = ExpenseFilterForm(
        params,
        choices=choices or expense_selectors.expense_choices(request.household),
        members=list(account_selectors.household_members(request.household)),
    )
    if not form.is_filtered:
        return None
    return expense_selectors.matched_totals(cycle, **form.filters())


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
    cycle = household_cycle(request, pk, for_page=True)
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


# --- budgets ------------------------------------------------------------------------------------


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


# --- income lines -------------------------------------------------------------------------------


def household_income_line(request, pk) -> IncomeLine:
    return get_for_household(
        IncomeLine.objects.select_related("cycle__household", "member"), request.household, pk=pk
    )


def new_income_form(cycle, members, data=None) -> IncomeLineForm:
    today = timezone.localdate()
    initial = {
        "expected_date": today if cycle.start_date <= today <= cycle.end_date else cycle.start_date,
        "currency": cycle.household.base_currency,
    }
    return IncomeLineForm(data, members=members, initial=initial)


def _income_section(request, cycle, *, form=None, status=200):
    """The income card, with the totals and budgets (whose "unassigned" follows the income) out
    of band: one request per action."""
    members = list(account_selectors.household_members(request.household))
    is_open = not cycle.is_completed
    cycle.refresh_from_db(fields=["income", "income_received"])  # the service just changed them
    budget = budget_selectors.cycle_budget(cycle)
    context = {
        "cycle": cycle,
        "is_open": is_open,
        "income_lines": income_selectors.income_lines(cycle),
        "income_form": (form or new_income_form(cycle, members)) if is_open else None,
        "budget": budget,
        "totals": budget.totals,
    }
    return render(request, "cycles/partials/_income_changed.html", context, status=status)


@household_required
@require_POST
def income_add(request, cycle_pk):
    cycle = household_cycle(request, cycle_pk)
    if cycle.is_completed:
        raise CycleAlreadyCompleted()
    members = list(account_selectors.household_members(request.household))
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
            if not request.htmx:
                return redirect_after_write(
                    request, cycle, message=f"Added income “{line.description}”."
                )
            return _income_section(request, cycle)
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
    members = list(account_selectors.household_members(request.household))
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
    if not request.htmx:
        state = "received" if line.is_received else "expected"
        message = f"“{line.description}” is {state}."
        return redirect_after_write(request, line.cycle, message=message)
    return _income_section(request, line.cycle)


@household_required
@require_POST
def income_delete(request, income_pk):
    line = household_income_line(request, income_pk)
    income_services.delete_income_line(line=line, by=request.user)
    if not request.htmx:
        message = f"Deleted income “{line.description}”."
        return redirect_after_write(request, line.cycle, message=message)
    return _income_section(request, line.cycle)


# --- search across cycles -----------------------------------------------------------------------

SEARCH_PER_PAGE = 40


@household_required
@require_GET
def expense_search(request):
    """Expenses of every cycle matching the query string, with the totals of all matches."""
    household = request.household
    choices = expense_selectors.expense_choices(household)
    members = list(account_selectors.household_members(household))
    form = ExpenseSearchForm(
        request.GET or None,
        categories=choices.categories,
        payment_methods=choices.payment_methods,
        members=members,
        base_currency=household.base_currency,
    )
    search = form.search() if form.is_bound else ExpenseSearch()
    matches = search_selectors.search_expenses(household, search)
    totals = search_selectors.search_totals(household, matches, search)
    pages = max(1, -(-totals.count // SEARCH_PER_PAGE))
    try:
        number = min(max(1, int(request.GET.get("page", 1))), pages)
    except ValueError:
        number = 1
    rows = search_selectors.search_page(
        matches, offset=(number - 1) * SEARCH_PER_PAGE, limit=SEARCH_PER_PAGE
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "search": search,
        "totals": totals,
        "rows": rows,
        "page_number": number,
        "pages": pages,
        "first_position": (number - 1) * SEARCH_PER_PAGE + 1,
        "query": query.urlencode(),
    }
    return render(request, "cycles/search.html", context)
