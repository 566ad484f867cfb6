"""Fixtures shared by the budget app's tests (a test module may define its own instead)."""

import datetime
from decimal import Decimal

import pytest

from cycles.models import Cycle
from cycles.tests.factories import CycleFactory


@pytest.fixture
def cycle(household):
    """The household's active cycle: six weeks from 2026-01-01, 1,000.00 of income."""
    return CycleFactory(
        household=household,
        start_date=datetime.date(2026, 1, 1),
        income=Decimal("1000.00"),
        status=Cycle.Status.ACTIVE,
    )
