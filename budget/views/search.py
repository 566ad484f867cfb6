"""Search across every cycle of the household."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import selectors as account_selectors
from accounts.scoping import household_required
from expenses import selectors as expense_selectors

from ..forms import (
    ExpenseSearchForm,
)
from ..selectors import search as search_selectors
from ..selectors.search import ExpenseSearch

SEARCH_PER_PAGE = 40


@household_required
@require_GET
def expense_search(request):
    """Expenses of every cycle matching the query string, with the totals of all matches."""
    household = request.household
    choices = expense_selectors.expense_choices(household)
    members = account_selectors.member_list(household)
    form = ExpenseSearchForm(
        request.GET or None,
        categories=choices.categories,
        payment_methods=choices.payment_methods,
        members=members,
        base_currency=household.base_currency,
    )
    search = form.search() if form.is_bound else ExpenseSearch()
    matches = search_selectors.search_expenses(household, search)
    refused = form.refuses_a_criterion
    if refused:
        # Nothing is listed (the field error says why) rather than everything without the
        # refused criterion; the totals are those of the empty list, not the kept ones.
        matches = matches.none()
    totals = search_selectors.search_totals(household, matches, None if refused else search)
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
