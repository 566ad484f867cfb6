"""Measurements for `make bench` (found by colony.bench like admin.py): the API (list 100
expenses of the active cycle, create one and add 500 at once, upload a 500-row statement for
its preview, with a bearer token as a script would) and the preview of a 5,000-row bank
statement."""

from __future__ import annotations

import datetime
import tracemalloc
from decimal import Decimal
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
        "/api/v1/expenses", {"cycle_id": bench.cycle.pk, "limit": PAGE}, **_headers(bench)
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


BULK = 500
BULK_DESCRIPTION = "Bench API bulk"


@register("API: add 500 expenses at once (bulk)", target_ms=1000, items=BULK)
def api_bulk(bench: BenchHousehold):
    cycle = bench.cycle
    days = (cycle.end_date - cycle.start_date).days + 1
    item = {
        "cycle_id": cycle.pk,
        "description": BULK_DESCRIPTION,
        "currency": bench.household.base_currency,
        "category_id": bench.objects["category"].pk,
    }
    items = [
        {
            **item,
            "amount": f"{n % 90 + 1}.{n % 100:02d}",
            "date": (cycle.start_date + datetime.timedelta(days=n % days)).isoformat(),
        }
        for n in range(BULK)
    ]
    return bench.client.post(
        "/api/v1/expenses/bulk",
        {"items": items},
        content_type="application/json",
        **_headers(bench),
    )


api_bulk.prepare(_token)


@api_bulk.cleanup
def _remove_bulk(bench: BenchHousehold) -> None:
    bench.cycle.expenses.filter(description=BULK_DESCRIPTION).delete()
    bench.user.api_tokens.filter(name="bench").delete()


def statement_csv(cycle, rows: int = MAX_ROWS) -> bytes:
    """A card statement of `rows` purchases dated within the cycle (900 merchants)."""
    days = (cycle.end_date - cycle.start_date).days + 1
    lines = ["Transaction Date,Description,Amount"]
    for n in range(rows):
        day = cycle.start_date + datetime.timedelta(days=n % days)
        lines.append(f"{day:%m/%d/%Y},SHOP {n % 900} MARKET #{n % 37},-{n % 250 + 1}.{n % 100:02d}")
    return ("\n".join(lines) + "\n").encode()


API_STATEMENT_ROWS = 500


@register("API: upload a 500-row statement, its preview back", target_ms=1000, items=500)
def api_import_preview(bench: BenchHousehold):
    """What a sync script does: POST the file, get every row's proposed outcome."""
    file = SimpleUploadedFile(
        "bench-500.csv", statement_csv(bench.cycle, API_STATEMENT_ROWS), "text/csv"
    )
    return bench.client.post(
        f"/api/v1/cycles/{bench.cycle.pk}/imports", {"file": file}, **_headers(bench)
    )


api_import_preview.prepare(_token)


@api_import_preview.cleanup
def _remove_api_uploads(bench: BenchHousehold) -> None:
    from .imports.models import PendingImport

    PendingImport.objects.filter(uploaded_by=bench.user, filename="bench-500.csv").delete()
    bench.user.api_tokens.filter(name="bench").delete()


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


# -- the preview against a real history: ~3,000 distinct past descriptions ------------------------

_FIRST = ("bak", "zon", "mar", "vel", "tor", "lin", "ros", "dam", "kor", "pel")
_SECOND = ("kerij", "dijk", "hoven", "stra", "mond", "berg", "veld", "wijk", "land", "horst")
_THIRD = ("a", "o", "e", "i", "u", "ia", "eo", "ar", "en", "um")
_KINDS = ("market", "cafe", "pharmacy", "garage", "books", "bakery", "deli", "florist")
HISTORY_DESCRIPTIONS = 3_000


def merchant_name(n: int) -> str:
    """The n-th of 1,000 made-up merchant words ("Bakkeriju"), distinct after normalising."""
    return f"{_FIRST[n % 10]}{_SECOND[n // 10 % 10]}{_THIRD[n // 100 % 10]}".capitalize()


def past_descriptions(count: int = HISTORY_DESCRIPTIONS) -> list[str]:
    """`count` distinct descriptions (as normalised words) of a household's past expenses."""
    return [
        f"{merchant_name(n % 1000)} {_KINDS[n // 1000 % len(_KINDS)]} {n // 1000 + 1}".upper()
        for n in range(count)
    ]


def hostile_statement_csv(cycle, rows: int = MAX_ROWS) -> bytes:
    """A card statement of `rows` distinct descriptions: a third are past descriptions with a
    branch number (exact matches once normalised), a third past ones with an extra word (close
    matches), a third words the household never used (each compared with the whole history)."""
    days = (cycle.end_date - cycle.start_date).days + 1
    past = past_descriptions()
    lines = ["Transaction Date,Description,Amount"]
    for n in range(rows):
        day = cycle.start_date + datetime.timedelta(days=n % days)
        if n % 3 == 0:
            description = f"{past[n % len(past)]} #{n}"
        elif n % 3 == 1:
            description = f"{past[n % len(past)]} AMSTERDAM {n}"
        else:
            description = f"{merchant_name(n % 1000)}x {merchant_name(n // 7 % 1000)}y {n}"
        lines.append(f"{day:%m/%d/%Y},{description},-{n % 250 + 1}.{n % 100:02d}")
    return ("\n".join(lines) + "\n").encode()


def _history_cycle(bench: BenchHousehold):
    from cycles.models import Cycle

    return (
        Cycle.objects.filter(household=bench.household, status=Cycle.Status.COMPLETED)
        .order_by("-start_date")
        .first()
    )


def _remove_history(bench: BenchHousehold) -> None:
    from .models import Expense

    Expense.objects.filter(
        cycle=_history_cycle(bench), description__in=past_descriptions()
    ).delete()


@register(
    "import preview: 5,000 rows, 3,000 past descriptions",
    sizes=("1k", "100k"),
    target_ms=1000,
    items=MAX_ROWS,
)
def import_preview_history(bench: BenchHousehold):
    """The preview of a statement of 5,000 distinct descriptions in a household whose latest
    completed cycle holds 3,000 distinct descriptions: every suggestion is looked for."""
    return bench.client.get(
        reverse("expenses:import_preview", args=[bench.cycle.pk]),
        {"token": bench.objects["import_history_token"]},
    )


@import_preview_history.prepare
def _history_and_upload(bench: BenchHousehold) -> None:
    import time

    from django.utils import timezone

    from .models import Category, Expense

    _remove_history(bench)
    cycle = _history_cycle(bench)
    categories = list(Category.objects.filter(household=bench.household).order_by("pk"))
    Expense.objects.bulk_create(
        Expense(
            cycle=cycle,
            description=description,
            amount=Decimal("12.50"),
            planned_amount=Decimal("12.50"),
            currency=bench.household.base_currency,
            date=cycle.start_date,
            category=categories[n % len(categories)],
            status=Expense.Status.PAID,
            paid_on=cycle.start_date,
            base_amount=Decimal("12.50"),
            rate=Decimal("1"),
            rate_date=cycle.start_date,
            rate_source=Expense.RateSource.SAME_CURRENCY,
        )
        for n, description in enumerate(past_descriptions())
    )
    # Completed again (as reopening and completing would): what was counted of it is stale.
    type(cycle).objects.filter(pk=cycle.pk).update(completed_at=timezone.now())
    response = bench.client.post(
        reverse("expenses:import_upload", args=[bench.cycle.pk]),
        {"file": SimpleUploadedFile("bench-hostile.csv", hostile_statement_csv(bench.cycle))},
    )
    bench.objects["import_history_token"] = parse_qs(urlsplit(response["Location"]).query)["token"][
        0
    ]
    # A household's first preview (nothing of its history counted yet in this process).
    started = time.perf_counter()
    import_preview_history.request(bench)
    first_ms = (time.perf_counter() - started) * 1000
    print(f"  import preview with history ({bench.size}): first visit {first_ms:.0f} ms")


@import_preview_history.cleanup
def _history_removed(bench: BenchHousehold) -> None:
    _remove_history(bench)
