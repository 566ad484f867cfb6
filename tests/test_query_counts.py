"""Every GET page runs the same number of SQL queries for a household with 10 expenses as for
one with 200 expenses and four times the cycles: a page's cost must not grow with history.

The pages come from the URL walker (the same list `make bench` measures), so a new page is
covered as soon as it exists. Timings are the bench's business; this counts queries only.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from colony.bench import BenchHousehold
from colony.bench.pages import bench_objects, get_pages, upload_statement
from colony.bench.seed import seed_household

pytestmark = pytest.mark.django_db


def _household(size: str, total: int, *, active: int, per_history_cycle: int) -> BenchHousehold:
    user, household = seed_household(
        size, total, active=active, per_history_cycle=per_history_cycle, min_history_cycles=1
    )
    client = Client()
    client.force_login(user)
    return BenchHousehold(
        size=size,
        expense_count=total,
        user=user,
        household=household,
        client=client,
        objects=bench_objects(user, household),
    )


def _query_counts(bench: BenchHousehold) -> dict[str, tuple[int, int]]:
    """{page: (status, queries)} for every GET page, as its owner (or logged out)."""
    cycle = bench.cycle
    token = upload_statement(bench)
    anonymous = Client()
    counts = {}
    for page in get_pages(bench):
        path = page.path.format(start=cycle.start_date, end=cycle.end_date, import_token=token)
        client = anonymous if page.anonymous else bench.client
        headers = {"HTTP_HX_REQUEST": "true"} if page.htmx else {}
        client.get(path, **headers)  # sessions and caches settle on the first request
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, **headers)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        counts[page.label] = (response.status_code, len(captured))
    return counts


def test_no_page_runs_more_queries_for_a_longer_history():
    small = _household("1k", 10, active=5, per_history_cycle=1)  # 5 old cycles
    large = _household("10k", 200, active=80, per_history_cycle=6)  # 20 old cycles
    assert (small.household.cycles.count(), large.household.cycles.count()) == (6, 21)
    before, after = _query_counts(small), _query_counts(large)
    assert before.keys() == after.keys()
    grown = {
        label: f"{before[label][1]} → {after[label][1]} queries"
        for label in before
        if after[label][1] != before[label][1]
    }
    assert not grown, f"Pages whose query count grows with history: {grown}"
    # Filtered, the cycle page shows the filtered totals from the query that counts the rows.
    assert after["cycles:detail (filtered)"] == after["cycles:detail"]
    statuses = {label: status for label, (status, _) in after.items()}
    assert set(statuses.values()) <= {200, 302}, statuses
