"""The cycle admin shows income lines, budgets and the status log, and leaves them (and the
income totals they make) to the app's services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory, verified_client
from budget.services import income as income_services
from cycles.models import CategoryBudget
from cycles.tests.factories import CycleFactory
from expenses.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_cycle_admin_shows_income_lines_and_budgets_read_only(household):
    client = verified_client(UserFactory(is_staff=True, is_superuser=True))
    cycle = CycleFactory(household=household, income=Decimal(0))
    income_services.add_income_line(
        cycle=cycle,
        description="Admin-visible salary",
        amount=Decimal("1200.00"),
        currency="USD",
        expected_date=cycle.start_date,
    )
    food = CategoryFactory(household=household, name="Food")
    CategoryBudget.objects.create(cycle=cycle, category=food, amount=Decimal("321.00"))
    body = client.get(reverse("admin:cycles_cycle_change", args=[cycle.pk])).content.decode()
    assert "Admin-visible salary" in body and "321.000" in body
    assert 'name="income"' not in body  # the sum of the lines, not a field to type into
