"""The cycle core every app uses: one way to find a household's cycle (404 for another's, 409
for a completed one with open_only), the cycle length, and the next cycle's start."""

import datetime

import pytest
from django.http import Http404

from cycles.exceptions import CycleAlreadyCompleted
from cycles.models import DEFAULT_CYCLE_DAYS, MAX_CYCLE_DAYS, Cycle, cycle_end
from cycles.selectors import household_cycle, next_cycle_start
from cycles.tests.factories import CycleFactory

pytestmark = pytest.mark.django_db


def test_household_cycle_is_404_for_another_household_and_409_when_completed_and_open_only(
    household, other_household
):
    ours = CycleFactory(household=household, status=Cycle.Status.COMPLETED)
    theirs = CycleFactory(household=other_household)
    assert household_cycle(household, ours.pk) == ours
    with pytest.raises(Http404):
        household_cycle(household, theirs.pk)
    with pytest.raises(Http404):
        household_cycle(household, 10**9)
    with pytest.raises(CycleAlreadyCompleted):
        household_cycle(household, ours.pk, open_only=True)


def test_a_cycle_counts_its_first_and_last_day():
    start = datetime.date(2026, 1, 1)
    assert cycle_end(start) == datetime.date(2026, 2, 11)
    cycle = Cycle(start_date=start, end_date=cycle_end(start))
    assert cycle.days == DEFAULT_CYCLE_DAYS == 42
    assert Cycle(start_date=start, end_date=cycle_end(start, MAX_CYCLE_DAYS)).days == 45


def test_next_cycle_starts_the_day_after_the_latest_or_today(household):
    today = datetime.date(2026, 5, 1)
    assert next_cycle_start(household, today=today) == today
    CycleFactory(
        household=household,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 2, 11),
    )
    assert next_cycle_start(household, today=today) == datetime.date(2026, 2, 12)
