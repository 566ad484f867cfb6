"""The cycle page on a household's first visit, beside its repeat visits.

A hosted instance serves many households from workers that are recycled often: most requests
are the first this worker serves for their household. Nothing Colony keeps between requests
may make that first visit dearer than a repeat (target: first ÷ repeat ≤ 1.3). This seeds
FIRST_VISITS households shaped like the 1k one, each new to this process, then requests each
one's cycle page twice through a fresh client: the first request is its first visit, the
second its repeat. Run after the other measurements, so the process is warm (templates
compiled, connection open) and only what is per household can differ.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

FIRST_VISITS = 15
TARGET_MS = 15.0
RATIO_LIMIT = 1.3


@dataclass
class FirstVisits:
    first_p50: float
    repeat_p50: float
    households: int

    @property
    def ratio(self) -> float:
        return self.first_p50 / self.repeat_p50 if self.repeat_p50 else 0.0

    def problems(self) -> list[str]:
        found = []
        if self.first_p50 > TARGET_MS:
            found.append(f"first visit p50 {self.first_p50:.1f} ms > {TARGET_MS:g}")
        if self.ratio > RATIO_LIMIT:
            found.append(f"first ÷ repeat {self.ratio:.2f} > {RATIO_LIMIT}")
        return found


def _timed_get(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return elapsed


def measure_first_visits(total: int) -> FirstVisits:
    from django.test import Client
    from django.urls import reverse

    from .seed import bench_household

    firsts, repeats = [], []
    for number in range(FIRST_VISITS):
        user, household = bench_household(f"first-{number:02d}", total)
        cycle = household.cycles.get(status="active")
        client = Client()
        client.force_login(user)
        # The person is already using Colony (on other workers): the first request after a
        # log-in refreshes the session's idle expiry (a write), which is no part of drawing a
        # household's page. The manifest passes the same middleware and reads no household data.
        client.get(reverse("manifest"))
        path = cycle.get_absolute_url()
        firsts.append(_timed_get(client, path))
        repeats.append(_timed_get(client, path))
    return FirstVisits(statistics.median(firsts), statistics.median(repeats), FIRST_VISITS)


def print_first_visits(result: FirstVisits) -> None:
    problems = result.problems()
    verdict = "; ".join(problems) if problems else "ok"
    print(
        f"\nThe cycle page (1,000 expenses) on a household's first visit, "
        f"{result.households} households new to this process:\n"
        f"  first visit p50 {result.first_p50:.1f} ms · repeat p50 {result.repeat_p50:.1f} ms · "
        f"first ÷ repeat {result.ratio:.2f} (targets: first ≤ {TARGET_MS:g} ms, "
        f"ratio ≤ {RATIO_LIMIT})  {verdict}"
    )
