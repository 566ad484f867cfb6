"""`make bench` walks the URLconf like the isolation matrix: every GET page must be reachable
from a bench household, and every registered measurement must run. No timing here (timings
belong to the bench); this only keeps the bench from breaking when a URL or app is added."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.module_loading import autodiscover_modules

from colony.bench import (
    REGISTRY,
    SIZES,
    BenchHousehold,
    builtin,  # noqa: F401 — registers the built-in measurements
    register,
)
from colony.bench.pages import bench_objects, get_pages, upload_statement
from colony.bench.seed import _history_cycles, seed_household, seeded_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench():
    user, household = seed_household(
        "1k", 120, active=60, per_history_cycle=30, min_history_cycles=2
    )
    client = Client()
    client.force_login(user)
    return BenchHousehold(
        size="1k",
        expense_count=120,
        user=user,
        household=household,
        client=client,
        objects=bench_objects(user, household),
    )


def test_seeded_household_has_its_history_in_completed_cycles(bench):
    cycles = list(bench.household.cycles.order_by("start_date"))
    assert [c.status for c in cycles] == ["completed", "completed", "active"]
    assert [c.expenses.count() for c in cycles] == [30, 30, 60]


def test_every_household_has_twelve_completed_cycles_at_least():
    """So that a page of "the last twelve cycles" shows twelve in each (the ratio is history's)."""
    assert _history_cycles(1_000, 1_000, 2_500) == [25] * 12
    assert _history_cycles(10_000, 1_000, 2_500) == [750] * 12
    assert len(_history_cycles(100_000, 1_000, 2_500)) == 40
    assert sum(_history_cycles(100_000, 1_000, 2_500)) == 99_000
    assert seeded_count(1_000) == 1_300


def test_every_get_page_is_filled_and_answers(bench):
    token = upload_statement(bench)
    cycle = bench.cycle
    anonymous = Client()
    pages = get_pages(bench)
    assert {"cycles:detail", "cycles:list", "reports:overview", "dashboard"} <= {
        page.route for page in pages
    }
    for page in pages:
        path = page.path.format(start=cycle.start_date, end=cycle.end_date, import_token=token)
        client = anonymous if page.anonymous else bench.client
        headers = {"HTTP_HX_REQUEST": "true"} if page.htmx else {}
        response = client.get(path, **headers)
        assert response.status_code in {200, 302, 405}, (page.label, response.status_code)


def test_every_registered_measurement_runs(bench):
    autodiscover_modules("bench")
    # The small household stands in for every size a measurement asks for.
    for measurement in REGISTRY.values():
        if measurement.setup is not None:
            measurement.setup(bench)
        response = measurement.request(bench)
        assert response.status_code < 400, (measurement.label, response.status_code)
        if measurement.teardown is not None:
            measurement.teardown(bench)


def test_a_measurement_for_an_unknown_household_size_is_refused():
    with pytest.raises(ValueError, match="unknown bench sizes"):
        register("nowhere", sizes=("1m",))
    assert "1m" not in SIZES
