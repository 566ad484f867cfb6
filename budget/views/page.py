"""The cycle page's one home: its context (rows, forms, budgets, income), the add and edit
form factories, row ids, and the one way to render it, used by the cycle and expense views."""

import datetime

from django.http import QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts import selectors as account_selectors
from colony.errors import DomainError
from colony.htmx import wants_partial
from cycles import selectors as cycle_selectors
from cycles.models import Cycle
from expenses import selectors as expense_selectors
from expenses import services as expense_services
from expenses.forms import ExpenseFilterForm, ExpenseForm

from ..forms import IncomeLineForm
from ..selectors import budgets as budget_selectors
from ..selectors import income as income_selectors
from ..selectors import lifecycle as lifecycle_selectors

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
    return cycle_selectors.household_cycle(
        request.household, pk, open_only=open_only, for_page=for_page
    )


def _can_reopen(request, cycle) -> bool:
    if not (cycle.is_completed and request.membership.is_owner):
        return False
    if hasattr(cycle, "has_later_completed"):
        return not cycle.has_later_completed
    return lifecycle_selectors.last_completed_cycle_id(cycle.household_id) == cycle.pk


def new_expense_form(cycle, choices, *, after=None) -> ExpenseForm:
    """An empty add row; after an add it keeps the date, category and payment method of the
    last expense, shown as carried over (and reset by one key), so a run of similar expenses
    needs only a description and an amount. The currency is never carried: a CHF expense must
    not silently make the next one CHF."""
    defaults = {
        "date": _day_in(cycle),
        "currency": cycle.household.base_currency,
        "category": None,
        "payment_method": None,
    }
    carried = {}
    if after is not None:
        carried = {
            "date": after.date,
            "category": after.category_id,
            "payment_method": after.payment_method_id,
        }
        carried = {name: value for name, value in carried.items() if value != defaults[name]}
    initial = {**defaults, **carried}
    # The status the service gives a new expense of that day (paid once the day has come),
    # shown so the person sees it; it follows the date until they pick one (colony.js).
    initial["status"] = expense_services.status_for_date(initial["date"])
    form = ExpenseForm(cycle=cycle, choices=choices, initial=initial, form_id=ADD_FORM_ID)
    form.status_follows_date(today=timezone.localdate())
    return form.mark_carried(carried, defaults)


def _day_in(cycle) -> datetime.date:
    """The day an empty form proposes: today while the cycle runs, else its first day."""
    today = timezone.localdate()
    return today if cycle.start_date <= today <= cycle.end_date else cycle.start_date


def cycle_page_context(
    request, cycle, *, choices=None, add_form=None, edit_form=None, pay_form=None, shown=None
) -> dict:
    """Everything the cycle page and its table partial show; a constant number of queries."""
    choices = choices or expense_selectors.expense_choices(request.household)
    members = account_selectors.member_list(request.household)
    filter_form = ExpenseFilterForm(request.GET, choices=choices, members=members)
    filters = filter_form.filters()
    is_open = not cycle.is_completed
    # A row shown for editing (or with a refused paid amount) on a page without JS, or the
    # expense a link opens (`shown`, e.g. a search result), may be past the first page: the page
    # then starts with it.
    focus = edit_form if edit_form is not None else pay_form
    page = expense_selectors.cycle_expense_page(
        cycle,
        choices=choices,
        users=[membership.user for membership in members],
        after=expense_selectors.ExpenseCursor.parse(request.GET.get("after")),
        snapshot=expense_selectors.parse_snapshot(request.GET.get("upto")),
        first=focus.expense if focus is not None else shown,
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
        # Lazy: a table-only HTMX answer for a viewer never builds it.
        "add_form": (
            (add_form or SimpleLazyObject(lambda: new_expense_form(cycle, choices)))
            if is_open
            else None
        ),
        "edit_form": edit_form,
        "editing_pk": edit_form.expense.pk if edit_form is not None else None,
        "pay_form": pay_form,  # a refused "paid" amount, shown in its row
        "budget": budget,
        "income_lines": SimpleLazyObject(lambda: income_selectors.income_lines(cycle)),
        "income_form": (
            SimpleLazyObject(lambda: new_income_form(cycle, members)) if is_open else None
        ),
        "show_income_form": is_open,
        # Lazy: a table-only HTMX answer never shows it (nor asks the database).
        "can_reopen": SimpleLazyObject(lambda: _can_reopen(request, cycle)),
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
        members=account_selectors.member_list(request.household),
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


def new_income_form(cycle, members, data=None) -> IncomeLineForm:
    initial = {
        "expected_date": _day_in(cycle),
        "currency": cycle.household.base_currency,
    }
    return IncomeLineForm(data, members=members, initial=initial)
