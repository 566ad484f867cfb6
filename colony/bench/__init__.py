"""`python -m colony.bench` (or `make bench`): how fast Colony is, and whether history slows it.

The benchmark seeds three households (about 1,000, 10,000 and 100,000 expenses; each has an
active cycle of 1,000 expenses, the rest is history in at least twelve completed cycles: see
seed.py), then measures every GET page
of the URLconf (walked like the isolation matrix walks it) and every measurement registered by
an app, in each household: p50/p95 server time, SQL queries, response bytes, and the ratio of
p50 at 100k to p50 at 1k (the cost of history). Then requests/second of the cycle page against a
bare view under gunicorn (wrk).

Apps add measurements in a `bench.py` module of their own (found like `admin.py`)::

    from colony.bench import register

    @register("API expenses: create", sizes=("100k",), target_ms=15)
    def api_create(bench):
        return bench.client.post(f"/api/v1/cycles/{bench.cycle.pk}/expenses", ...)

    @api_create.cleanup
    def _(bench):
        bench.cycle.expenses.filter(description="Bench coffee").delete()

The function gets a `BenchHousehold` (its logged-in client, the household, its active cycle,
one of each object) and makes one request; it is called many times and timed. `setup` (once per
household, before timing) can add data the measurement needs; `cleanup` (once, after) removes
what the requests added. Nothing here runs under pytest: timings belong to the bench only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SIZES: dict[str, int] = {"1k": 1_000, "10k": 10_000, "100k": 100_000}


@dataclass
class BenchHousehold:
    """One seeded household, ready to be requested as its owner."""

    size: str  # "1k", "10k", "100k"
    expense_count: int
    user: Any
    household: Any
    client: Any  # django.test.Client, logged in as `user`
    objects: dict[str, Any]  # one of each object, keyed like tests/urlwalk.World.objects

    @property
    def cycle(self):
        """The active cycle (1,000 expenses in every household)."""
        return self.objects["cycle"]


@dataclass
class Measurement:
    label: str
    request: Callable[[BenchHousehold], Any]
    sizes: tuple[str, ...] = tuple(SIZES)
    target_ms: float | None = None
    # An all-time report grows with history by definition: its ratio is shown, not judged.
    all_time: bool = False
    setup: Callable[[BenchHousehold], None] | None = None
    teardown: Callable[[BenchHousehold], None] | None = None
    # Bytes are divided by this to print bytes per item (e.g. rows of a partial).
    items: int | None = None
    extra: dict = field(default_factory=dict)

    def cleanup(self, function: Callable[[BenchHousehold], None]):
        """Decorator: run `function` once after this measurement's timed requests."""
        self.teardown = function
        return function

    def prepare(self, function: Callable[[BenchHousehold], None]):
        """Decorator: run `function` once per household before the timed requests."""
        self.setup = function
        return function


REGISTRY: dict[str, Measurement] = {}


def register(
    label: str,
    *,
    sizes: tuple[str, ...] = tuple(SIZES),
    target_ms: float | None = None,
    all_time: bool = False,
    items: int | None = None,
):
    """Decorator: add a measurement to `make bench` (see the module docstring)."""
    unknown = set(sizes) - set(SIZES)
    if unknown:
        raise ValueError(f"unknown bench sizes {sorted(unknown)}; use {list(SIZES)}")

    def add(function: Callable[[BenchHousehold], Any]) -> Measurement:
        if label in REGISTRY:
            raise ValueError(f"bench measurement {label!r} is registered twice")
        measurement = Measurement(
            label=label,
            request=function,
            sizes=sizes,
            target_ms=target_ms,
            all_time=all_time,
            items=items,
        )
        REGISTRY[label] = measurement
        return measurement

    return add
