"""Measurements for `make bench` (found by colony.bench like admin.py): the API (list 100
expenses of the active cycle and create one, with a bearer token as a script would) and the
preview of a 5,000-row bank statement."""

from __future__ import annotations

import datetime
import tracemalloc
from urllib.parse import parse_qs, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from colony.bench import BenchHousehold, register

from .imports.limits import MAX_ROWS

API_DESCRIPTION = "Bench API coffee"
PAGE = 100


def _headers(bench: BenchHousehold) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {bench.objects['api_secret']}"}


def _token(bench: BenchHousehold) -> None:
    from accounts.services import create_api_token

    _, secret = create_api_token(user=bench.user, name="bench", expires_in_days=1, read_only=False)
    bench.objects["api_secret"] = secret


@register("API: list 100 expenses of a cycle", target_ms=15, items=PAGE)
def api_list(bench: BenchHousehold):
    return bench.client.get(
        "/api/v1/expenses", {"cycle": bench.cycle.pk, "limit": PAGE}, **_headers(bench)
    )


api_list.prepare(_token)


@register("API: create an expense", target_ms=15)
def api_create(bench: BenchHousehold):
    cycle = bench.cycle
    return bench.client.post(
        "/api/v1/expenses",
        {
            "cycle_id": cycle.pk,
            "description": API_DESCRIPTION,
            "amount": "3.50",
            "currency": bench.household.base_currency,
            "date": cycle.start_date.isoformat(),
            "category_id": bench.objects["category"].pk,
        },
        content_type="application/json",
        **_headers(bench),
    )


api_create.prepare(_token)


@api_create.cleanup
def _remove_created(bench: BenchHousehold) -> None:
    bench.cycle.expenses.filter(description=API_DESCRIPTION).delete()
    bench.user.api_tokens.filter(name="bench").delete()


def statement_csv(cycle, rows: int = MAX_ROWS) -> bytes:
    """A card statement of `rows` purchases dated within the cycle (900 merchants)."""
    days = (cycle.end_date - cycle.start_date).days + 1
    lines = ["Transaction Date,Description,Amount"]
    for n in range(rows):
        day = cycle.start_date + datetime.timedelta(days=n % days)
        lines.append(f"{day:%m/%d/%Y},SHOP {n % 900} MARKET #{n % 37},-{n % 250 + 1}.{n % 100:02d}")
    return ("\n".join(lines) + "\n").encode()


@register("import preview: 5,000-row statement", target_ms=1000, items=MAX_ROWS)
def import_preview(bench: BenchHousehold):
    """Read, reconciled with the plan, rules and history applied, first 100 rows rendered."""
    return bench.client.get(
        reverse("expenses:import_preview", args=[bench.cycle.pk]),
        {"token": bench.objects["import_5k_token"]},
    )


@import_preview.prepare
def _upload(bench: BenchHousehold) -> None:
    response = bench.client.post(
        reverse("expenses:import_upload", args=[bench.cycle.pk]),
        {"file": SimpleUploadedFile("bench-5k.csv", statement_csv(bench.cycle), "text/csv")},
    )
    bench.objects["import_5k_token"] = parse_qs(urlsplit(response["Location"]).query)["token"][0]
    # Memory: the peak of Python allocations during one preview (the upload is read once).
    tracemalloc.start()
    import_preview.request(bench)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  import preview ({bench.size}): peak Python memory {peak / 2**20:.1f} MiB")
