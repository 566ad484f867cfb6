"""API routes of reports (read only): a cycle's summary and breakdowns, spending across cycles,
the next cycle's forecast, and a cycle's CSV export as a file."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from ninja import Query, Router

from accounts.scoping import get_for_household
from colony.api_schemas import COMMON_ERRORS, money
from cycles.models import Cycle

from . import selectors
from .csv_export import streaming_csv
from .schemas import CycleReportResponse, ForecastResponse, OverviewQuery, OverviewResponse

router = Router(tags=["reports"])


def _slices(slices, currency: str) -> list[dict]:
    return [
        {
            "id": row.key,
            "label": row.label,
            "total": money(row.total, currency),
            "count": row.count,
            "awaiting_rate": row.awaiting,
        }
        for row in slices
    ]


@router.get("/cycles/{int:cycle_pk}", response={200: CycleReportResponse, **COMMON_ERRORS})
def cycle_report(request: HttpRequest, cycle_pk: int):
    """A cycle's totals by category, payment method and member, planned against paid, and its
    five largest expenses (skipped expenses left out)."""
    cycle = get_for_household(Cycle, request.household, pk=cycle_pk)
    currency = request.household.base_currency
    report = selectors.cycle_report(cycle=cycle, base_currency=currency)
    return {
        "cycle_id": cycle.pk,
        "cycle_name": cycle.name,
        "currency": currency,
        "income": money(report.income, currency),
        "total": money(report.total, currency),
        "planned": money(report.planned, currency),
        "paid": money(report.paid, currency),
        "left": money(report.left, currency),
        "paid_planned": money(report.paid_planned, currency),
        "paid_difference": money(report.paid_difference, currency),
        "expense_count": report.expense_count,
        "awaiting_rate": report.awaiting_count,
        "by_category": _slices(report.by_category, currency),
        "by_payment_method": _slices(report.by_payment_method, currency),
        "by_member": _slices(report.by_member, currency),
        "largest": [
            {
                "id": expense.pk,
                "description": expense.description,
                "date": expense.date,
                "base_amount": money(expense.base_amount, currency),
            }
            for expense in report.largest
        ],
    }


@router.get("/cycles/{int:cycle_pk}/export.csv", response={200: None, **COMMON_ERRORS})
def cycle_export(request: HttpRequest, cycle_pk: int):
    """The cycle's expenses as a CSV file (the same file as the report page's download)."""
    cycle = get_for_household(Cycle, request.household, pk=cycle_pk)
    return streaming_csv(
        selectors.expenses_for_export(household=request.household, cycle=cycle),
        base_currency=request.household.base_currency,
        filename=f"colony-{cycle.start_date:%Y-%m-%d}-{slugify(cycle.name) or 'cycle'}.csv",
    )


@router.get("/overview", response={200: OverviewResponse, **COMMON_ERRORS})
def overview(request: HttpRequest, query: Query[OverviewQuery]):
    """Spending against income per cycle, category by cycle, averages, and each cycle's change
    against the one before, for the last 3, 6, 12 or all cycles."""
    report = selectors.cycles_overview(household=request.household, range_key=query.range)
    currency = report.base_currency
    return {
        "currency": currency,
        "range": report.range_key,
        "cycles": [
            {
                "cycle_id": row.cycle.pk,
                "name": row.cycle.name,
                "start_date": row.cycle.start_date,
                "end_date": row.cycle.end_date,
                "income": money(row.income, currency),
                "spent": money(row.spent, currency),
                "left": money(row.left, currency),
                "awaiting_rate": row.awaiting,
                "change_percent": None if row.change is None else format(row.change, "f"),
            }
            for row in report.cycles
        ],
        "categories": [
            {
                "label": row.label,
                "amounts": [money(amount, currency) for amount in row.amounts],
                "total": money(row.total, currency),
            }
            for row in report.categories
        ],
        "total_spent": money(report.total_spent, currency),
        "total_income": money(report.total_income, currency),
        "average_spent": money(report.average_spent, currency),
        "average_income": money(report.average_income, currency),
        "awaiting_rate": report.awaiting_count,
        "has_more": report.has_more,
    }


@router.get("/forecast", response={200: ForecastResponse, **COMMON_ERRORS})
def forecast(request: HttpRequest):
    """What the next cycle will probably cost: the active templates' occurrences plus the
    average spending without a template of the last cycles."""
    report = selectors.forecast_next_cycle(household=request.household, today=timezone.localdate())
    currency = report.base_currency
    return {
        "currency": currency,
        "start": report.start,
        "end": report.end,
        "expected": money(report.expected, currency),
        "from_templates": money(report.from_templates, currency),
        "usual_other": money(report.usual_other, currency),
        "history_cycles": report.history_cycles,
        "templates": [
            {
                "template_id": line.template.pk,
                "name": line.template.name,
                "category": line.template.category.name,
                "count": line.count,
                "currency": line.template.currency,
                "total": money(line.total, line.template.currency),
                "base_total": money(line.base_total, currency),
            }
            for line in report.templates
        ],
        "categories": [
            {
                "label": row.label,
                "template_count": row.template_count,
                "from_templates": money(row.from_templates, currency),
                "usual_other": money(row.usual_other, currency),
                "expected": money(row.expected, currency),
            }
            for row in report.categories
        ],
    }
