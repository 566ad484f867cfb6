"""`python -m colony.bench`: seed (or reuse) the bench households, measure, print.

It prints numbers and judges them against the targets, but only fails (exit 1) when it cannot
measure: a page the URL walker cannot fill, or a request that errors (5xx).
"""

from __future__ import annotations

import os
import re
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from colony.dbcheck import ensure_database

from . import REGISTRY, SIZES, BenchHousehold

ROOT = Path(__file__).resolve().parent.parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "40"))
MIN_RUNS = 5
# Seconds spent on one page in one household at most (slow all-time exports stop early).
# Whole milliseconds, like the rate client's timeouts: the project parses no floats.
BUDGET_MS = int(os.environ.get("BENCH_BUDGET_MS", "4000"))
# Only the measurements whose label matches (a regular expression), while working on a page.
ONLY = re.compile(os.environ.get("BENCH_ONLY", ""))
HISTORY_RATIO_LIMIT = 1.5
PAGE_TARGET_MS = 30.0
# Targets stricter (or looser) than PAGE_TARGET_MS, by label.
TARGETS_MS = {
    "cycles:detail": 15.0,
    "cycles:detail (filtered)": 15.0,
    "reports:overview (all time: the 5-year report)": 80.0,
    "reports:household_export (all time)": None,
}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colony.settings.bench")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclass
class Sample:
    status: int
    queries: int
    bytes: int
    p50: float
    p95: float
    runs: int
    # CPU time of this process alone (the Django side, no SQL server, no waiting for a core):
    # steadier than wall time on a loaded machine, for before/after comparisons.
    cpu_p50: float = 0.0


@dataclass
class Row:
    label: str
    target_ms: float | None
    all_time: bool
    items: int | None = None
    samples: dict[str, Sample] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        first, last = self.samples.get("1k"), self.samples.get("100k")
        if first is None or last is None or first.p50 == 0:
            return None
        return last.p50 / first.p50

    @property
    def judged(self) -> Sample | None:
        """Targets are for the biggest household measured."""
        for size in reversed(SIZES):
            if size in self.samples:
                return self.samples[size]
        return None

    def problems(self) -> list[str]:
        found = []
        judged = self.judged
        if judged and self.target_ms is not None and judged.p50 > self.target_ms:
            found.append(f"p50 {judged.p50:.1f} ms > {self.target_ms:g} ms")
        if not self.all_time and self.ratio is not None and self.ratio > HISTORY_RATIO_LIMIT:
            found.append(f"history ratio {self.ratio:.2f} > {HISTORY_RATIO_LIMIT}")
        return found


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _body_size(response) -> int:
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def measure(requests: dict[str, Callable[[], object]]) -> dict[str, Sample]:
    """Time each of `requests` (one per household): warm, then up to RUNS rounds within
    BUDGET_MS per household. The households take turns in each round, so a burst of load
    from elsewhere on the machine slows them alike and their ratio stays fair. Queries and
    bytes are the last response's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    slow = False
    for request in requests.values():
        started = time.perf_counter()
        _body_size(request())
        if (time.perf_counter() - started) * 1000 > BUDGET_MS / 2:
            slow = True  # an all-time export: one warm-up and the fewest runs will do
            continue
        _body_size(request())
    least = 3 if slow else MIN_RUNS
    timings: dict[str, list[float]] = {size: [] for size in requests}
    cpu: dict[str, list[float]] = {size: [] for size in requests}
    last = {}
    spent_from = time.perf_counter()
    budget_ms = BUDGET_MS * len(requests)
    for round_number in range(RUNS):
        sizes = list(requests)
        turn = round_number % len(sizes)
        for size in sizes[turn:] + sizes[:turn]:
            with CaptureQueriesContext(connection) as captured:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = requests[size]()
                body = _body_size(response)  # a streamed body is produced while it is read
                timings[size].append((time.perf_counter() - started) * 1000)
                cpu[size].append((time.process_time() - cpu_started) * 1000)
            last[size] = (response.status_code, len(captured), body)
        if round_number + 1 >= least and (time.perf_counter() - spent_from) * 1000 > budget_ms:
            break
    samples = {}
    for size, (status, queries, body) in last.items():
        p50, p95 = _percentiles(timings[size])
        samples[size] = Sample(
            status, queries, body, p50, p95, len(timings[size]), statistics.median(cpu[size])
        )
    return samples


def prepare_households() -> dict[str, BenchHousehold]:
    from django.test import Client

    from .pages import bench_objects
    from .seed import bench_household, seeded_count

    households = {}
    for size, total in SIZES.items():
        started = time.perf_counter()
        user, household = bench_household(size, total)
        client = Client()
        client.force_login(user)
        households[size] = BenchHousehold(
            size=size,
            expense_count=seeded_count(total),
            user=user,
            household=household,
            client=client,
            objects=bench_objects(user, household),
        )
        print(
            f"household {size:>4}: {seeded_count(total):>7,} expenses, "
            f"{household.cycles.count():>2} cycles, ready in {time.perf_counter() - started:.1f}s",
            flush=True,
        )
    return households


def measure_pages(households: dict[str, BenchHousehold]) -> list[Row]:
    from django.test import Client

    from .pages import get_pages, upload_statement

    anonymous = Client()
    rows: dict[str, Row] = {}
    requests: dict[str, dict[str, Callable[[], object]]] = {}
    for size, bench in households.items():
        cycle = bench.cycle
        fill = {
            "start": cycle.start_date,
            "end": cycle.end_date,
            "import_token": upload_statement(bench),
        }
        for page in get_pages(bench):
            rows.setdefault(
                page.label,
                Row(page.label, TARGETS_MS.get(page.label, PAGE_TARGET_MS), page.all_time),
            )
            path = page.path.format(**fill)
            client = anonymous if page.anonymous else bench.client
            headers = {"HTTP_HX_REQUEST": "true"} if page.htmx else {}
            requests.setdefault(page.label, {})[size] = (
                lambda client=client, path=path, headers=headers: client.get(path, **headers)
            )
    rows = {label: row for label, row in rows.items() if ONLY.search(label)}
    for label, row in rows.items():
        row.samples = measure(requests[label])
        print(".", end="", flush=True)
    print()
    # A GET that answers 405 is not a GET page (an API path serving only other methods).
    return [row for row in rows.values() if row.judged.status != 405]


def measure_registered(households: dict[str, BenchHousehold]) -> list[Row]:
    rows = []
    for measurement in REGISTRY.values():
        if not ONLY.search(measurement.label):
            continue
        row = Row(measurement.label, measurement.target_ms, measurement.all_time, measurement.items)
        benches = [households[size] for size in measurement.sizes]
        if measurement.setup is not None:
            for bench in benches:
                measurement.setup(bench)
        try:
            row.samples = measure(
                {
                    bench.size: lambda bench=bench, m=measurement: m.request(bench)
                    for bench in benches
                }
            )
        finally:
            if measurement.teardown is not None:
                for bench in benches:
                    measurement.teardown(bench)
        print(".", end="", flush=True)
        rows.append(row)
    print()
    return rows


def _cell(sample: Sample | None, attribute: str, spec: str) -> str:
    return "-" if sample is None else format(getattr(sample, attribute), spec)


def print_table(title: str, rows: list[Row]) -> None:
    sizes = list(SIZES)
    header = (
        f"{'':<50}{'':>7}{'queries':^18}{'p50 ms':^24}{'p95 ms':>8}{'cpu ms':>7}{'bytes':>9}"
        f"{'B/item':>8}{'ratio':>7}{'target':>8}  verdict"
    )
    print(f"\n{title}\n{header}")
    print(
        f"{'page':<50}{'status':>7}"
        + "".join(f"{s:>6}" for s in sizes)
        + "".join(f"{s:>8}" for s in sizes)
        + f"{'100k':>8}{'100k':>7}{'100k':>9}{'':>8}{'100k/1k':>7}{'p50':>8}"
    )
    for row in rows:
        judged = row.judged
        statuses = {sample.status for sample in row.samples.values()}
        status = "/".join(str(s) for s in sorted(statuses))
        per_item = f"{judged.bytes / row.items:.0f}" if row.items and judged else ""
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
        target = "-" if row.target_ms is None else f"≤{row.target_ms:g}"
        problems = row.problems()
        verdict = "; ".join(problems) if problems else "ok"
        if row.all_time:
            verdict += " (all-time: ratio not judged)"
        print(
            f"{row.label[:49]:<50}{status:>7}"
            + "".join(f"{_cell(row.samples.get(s), 'queries', 'd'):>6}" for s in sizes)
            + "".join(f"{_cell(row.samples.get(s), 'p50', '.1f'):>8}" for s in sizes)
            + f"{_cell(judged, 'p95', '.1f'):>8}{_cell(judged, 'cpu_p50', '.1f'):>7}"
            + f"{_cell(judged, 'bytes', ',d'):>9}{per_item:>8}"
            + f"{ratio:>7}{target:>8}  {verdict}"
        )


def markdown_table(rows: list[Row]) -> str:
    """The same numbers as a Markdown table (for the README), when BENCH_MARKDOWN names a file."""
    lines = [
        "| page | queries | p50 ms 1k | p50 ms 10k | p50 ms 100k | p95 ms 100k | KB 100k "
        "| 100k/1k | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        judged = row.judged
        p50 = [_cell(row.samples.get(size), "p50", ".1f") for size in SIZES]
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
        if row.all_time:
            ratio += " (all time)"
        target = "" if row.target_ms is None else f"≤ {row.target_ms:g}"
        if row.problems():
            target += " **missed**"
        lines.append(
            f"| {row.label} | {judged.queries} | {' | '.join(p50)} | {judged.p95:.1f} "
            f"| {judged.bytes / 1024:.1f} | {ratio} | {target} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/colony_bench")
    os.environ["DATABASE_URL"] = url
    ensure_database(url)
    _setup_django()
    from django.core.management import call_command
    from django.utils.module_loading import autodiscover_modules

    from . import builtin  # noqa: F401 — registers the built-in measurements
    from .first_visit import measure_first_visits, print_first_visits
    from .pages import UnfilledRoute
    from .throughput import print_throughput

    autodiscover_modules("bench")
    call_command("migrate", verbosity=0, interactive=False)
    households = prepare_households()
    try:
        pages = measure_pages(households)
    except UnfilledRoute as error:
        print(f"\nFAILED: {error}")
        return 1
    registered = measure_registered(households)
    first_visits = measure_first_visits(SIZES["1k"])
    print_table("Every GET page (walked from the URLconf)", pages)
    print_table("Registered measurements", registered)
    print_first_visits(first_visits)
    rows = pages + registered
    errors = [
        f"{row.label} answered {sample.status} in the {size} household"
        for row in rows
        for size, sample in row.samples.items()
        if sample.status >= 500
    ]
    missed = [f"{row.label}: {'; '.join(row.problems())}" for row in rows if row.problems()]
    missed += [f"cycle page, first visit: {problem}" for problem in first_visits.problems()]
    if os.environ.get("BENCH_MARKDOWN"):
        Path(os.environ["BENCH_MARKDOWN"]).write_text(markdown_table(rows))
    print_throughput(households["100k"])
    load = os.getloadavg()[0]
    print(f"\nload average (1 min) at the end: {load:.2f} on {os.cpu_count()} cores")
    if missed:
        print("\nTargets missed:\n  " + "\n  ".join(missed))
    if errors:
        print("\nFAILED (server errors):\n  " + "\n  ".join(errors))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
