"""Measurements beyond the walked GET pages: the cycle table's next rows and the HTMX add."""

from __future__ import annotations

from django.urls import reverse

from . import BenchHousehold, register

ROWS_PER_PAGE = 50


@register("cycle page: next 50 rows (HTMX)", target_ms=15, items=ROWS_PER_PAGE)
def cycle_next_rows(bench: BenchHousehold):
    return bench.client.get(
        reverse("cycles:detail", args=[bench.cycle.pk]),
        {"after": bench.objects["rows_cursor"], "upto": bench.objects["rows_snapshot"]},
        HTTP_HX_REQUEST="true",
    )


@cycle_next_rows.prepare
def _rows_cursor(bench: BenchHousehold) -> None:
    rows = bench.cycle.expenses.order_by("date", "pk")
    last_of_first_page = rows[ROWS_PER_PAGE - 1]
    bench.objects["rows_cursor"] = f"{last_of_first_page.date.isoformat()}_{last_of_first_page.pk}"
    bench.objects["rows_snapshot"] = str(rows.order_by("-pk").values_list("pk", flat=True)[0])


BENCH_DESCRIPTION = "Bench coffee"


@register("HTMX add expense", target_ms=15)
def htmx_add(bench: BenchHousehold):
    cycle = bench.cycle
    return bench.client.post(
        reverse("cycles:expense_add", args=[cycle.pk]),
        {
            "description": BENCH_DESCRIPTION,
            "amount": "3.50",
            "currency": bench.household.base_currency,
            "date": cycle.start_date.isoformat(),
            "category": bench.objects["category"].pk,
            "status": "planned",
        },
        HTTP_HX_REQUEST="true",
    )


@htmx_add.cleanup
def _remove_added(bench: BenchHousehold) -> None:
    bench.cycle.expenses.filter(description=BENCH_DESCRIPTION).delete()
