from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts.exceptions import NotHouseholdOwner
from accounts.scoping import get_for_household, household_required
from budget.selectors import budgets as budget_selectors
from colony.htmx import page_or_partial
from cycles.models import Cycle
from sharing import selectors as sharing_selectors

from . import charts, selectors
from .csv_export import streaming_csv
from .exceptions import InvalidExportRange
from .forms import ExportRangeForm
from .household_export import household_export


def _wants_excel(request) -> bool:
    """`?excel=1`: the CSV opens correctly in Excel (UTF-8 byte-order mark)."""
    return request.GET.get("excel") == "1"


@household_required
@require_GET
@vary_on_headers("HX-Request")
def overview(request):
    report = selectors.cycles_overview(
        household=request.household, range_key=request.GET.get("range", "")
    )
    context = {
        "report": report,
        "chart": charts.spending_chart(report),
        "range_choices": selectors.RANGE_CHOICES,
    }
    return page_or_partial(
        request,
        page="reports/overview.html",
        partial="reports/partials/_overview.html",
        context=context,
    )


@household_required
@require_GET
def cycle_report(request, cycle_pk):
    cycle = get_for_household(
        Cycle.objects.select_related("household"), request.household, pk=cycle_pk
    )
    report = selectors.cycle_report(cycle=cycle, base_currency=request.household.base_currency)
    budget_rows = budget_selectors.cycle_budget_vs_actual(cycle)
    return render(
        request,
        "reports/cycle.html",
        {
            "report": report,
            "chart": charts.category_chart(report),
            "budget_rows": budget_rows,
            "budget_chart": charts.budget_bars(budget_rows),
            "member_spending": sharing_selectors.member_spending(
                household=request.household, cycle=cycle
            ),
        },
    )


@household_required
@require_GET
def budgets(request):
    """Budget vs actual per category and per cycle, income expected vs received per cycle."""
    range_key = request.GET.get("range", "")
    if range_key not in selectors.RANGE_CHOICES:
        range_key = selectors.DEFAULT_RANGE
    report = budget_selectors.budget_report(
        request.household, limit=selectors.RANGE_CHOICES[range_key]
    )
    context = {
        "report": report,
        "chart": charts.budget_bars(report.categories),
        "range_key": range_key,
        "range_choices": selectors.RANGE_CHOICES,
    }
    return render(request, "reports/budgets.html", context)


@household_required
@require_GET
@vary_on_headers("HX-Request")
def forecast(request):
    report = selectors.forecast_next_cycle(household=request.household, today=timezone.localdate())
    return page_or_partial(
        request,
        page="reports/forecast.html",
        partial="reports/partials/_forecast.html",
        context={"forecast": report},
    )


@household_required
@require_GET
def cycle_export(request, cycle_pk):
    cycle = get_for_household(Cycle, request.household, pk=cycle_pk)
    sharers = sharing_selectors.sharers(request.household)
    return streaming_csv(
        selectors.expenses_for_export(household=request.household, cycle=cycle, sharers=sharers),
        sharers=sharers,
        base_currency=request.household.base_currency,
        filename=f"colony-{cycle.start_date:%Y-%m-%d}-{slugify(cycle.name) or 'cycle'}.csv",
        excel=_wants_excel(request),
    )


@household_required
@require_GET
def range_export(request):
    form = ExportRangeForm(request.GET)
    if not form.is_valid():
        raise InvalidExportRange(form.error_message())
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    sharers = sharing_selectors.sharers(request.household)
    return streaming_csv(
        selectors.expenses_for_export(
            household=request.household, start=start, end=end, sharers=sharers
        ),
        sharers=sharers,
        base_currency=request.household.base_currency,
        filename=f"colony-expenses-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.csv",
        excel=_wants_excel(request),
    )


@household_required
@require_GET
def household_export_zip(request):
    """The owner downloads everything the household holds (only their own household's)."""
    if not request.membership.is_owner:
        raise NotHouseholdOwner()
    household = request.household
    name = slugify(household.name) or "household"
    return FileResponse(
        household_export(household),
        as_attachment=True,
        filename=f"colony-{name}-{timezone.localdate():%Y-%m-%d}.zip",
        content_type="application/zip",
    )
