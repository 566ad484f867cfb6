"""API measurements for `make bench` (found by colony.bench like admin.py): list 100 expenses of
the active cycle and create one, with a bearer token as a script would."""

from __future__ import annotations

from colony.bench import BenchHousehold, register

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
