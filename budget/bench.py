"""Bench measurements of the cycles app (collected by `make bench`, see colony.bench): the
cycle page with budgets, rollover and income lines, and the search across cycles."""

from __future__ import annotations

from decimal import Decimal

from colony.bench import register

BENCH_INCOME = ("Bench salary", "Bench side job")


@register("Cycle page with budgets and income (1,000 expenses)", target_ms=30)
def cycle_page_with_budgets(bench):
    return bench.client.get(f"/cycles/{bench.cycle.pk}/")


@cycle_page_with_budgets.prepare
def _budgets_and_income(bench):
    """Every category gets a budget (half of them roll over) and the cycle two income lines."""
    from cycles.models import CategoryBudget, IncomeLine
    from expenses.models import Category

    cycle = bench.cycle
    categories = list(Category.objects.filter(household=bench.household))
    Category.objects.filter(pk__in=[c.pk for c in categories[::2]]).update(rolls_over=True)
    CategoryBudget.objects.bulk_create(
        [CategoryBudget(cycle=cycle, category=c, amount=Decimal("400")) for c in categories],
        ignore_conflicts=True,
    )
    IncomeLine.objects.bulk_create(
        [
            IncomeLine(
                cycle=cycle,
                description=description,
                amount=Decimal("2600"),
                currency=bench.household.base_currency,
                expected_date=cycle.start_date,
                base_amount=Decimal("2600"),
                rate=Decimal(1),
                rate_date=cycle.start_date,
                rate_source=IncomeLine.RateSource.SAME_CURRENCY,
            )
            for description in BENCH_INCOME
        ]
    )


@cycle_page_with_budgets.cleanup
def _(bench):
    from cycles.models import CategoryBudget, IncomeLine

    CategoryBudget.objects.filter(cycle=bench.cycle).delete()
    IncomeLine.objects.filter(cycle=bench.cycle, description__in=BENCH_INCOME).delete()


@register("Search: text across every cycle", target_ms=50)
def search_text(bench):
    return bench.client.get("/cycles/search/", {"q": "expense 4242"})


@register("Search: amount range, category and status", target_ms=50)
def search_filters(bench):
    category = bench.objects["category"]
    return bench.client.get(
        "/cycles/search/",
        {"amount_min": "10", "amount_max": "60", "category": category.pk, "status": "paid"},
    )
