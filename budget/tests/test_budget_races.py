"""Two budget saves at the same moment on real PostgreSQL connections (tests/races.py): the
one that waits for the other's lock sees its write and is refused with 409 — the check is
made under the cycle lock every budget write takes, so no timing loses a write."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.tests.factories import HouseholdFactory, make_member, make_owner
from budget.services import budgets as budget_services
from cycles.models import CategoryBudget, Cycle
from cycles.tests.factories import CycleFactory
from expenses.tests.factories import CategoryFactory
from tests.races import logged_in, racing

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("htmx", [True, False])
def test_a_save_waiting_on_another_save_is_refused_with_409(htmx):
    home = HouseholdFactory(base_currency="USD")
    make_owner(home, email="olive@example.com")
    member = make_member(home, email="max@example.com")
    food = CategoryFactory(household=home, name="Food")
    cycle = CycleFactory(
        household=home, start_date=datetime.date(2026, 1, 1), status=Cycle.Status.ACTIVE
    )
    budget_services.set_budgets(cycle=cycle, amounts={food.pk: Decimal("100.00")})
    client = logged_in(member)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    url = reverse("cycles:budgets", args=[cycle.pk])
    seen = {f"seen_{food.pk}": "100.00", f"seen_rolls_over_{food.pk}": "0"}

    with transaction.atomic():
        # The other member's save, holding the cycle lock until it commits.
        budget_services.set_budgets(
            cycle=cycle, amounts={food.pk: Decimal("150.00")}, expected={food.pk: Decimal(100)}
        )
        with racing(lambda: client.post(url, {**seen, f"amount_{food.pk}": "90"}, **headers)) as (
            future,
        ):
            pass
    response = future.result(timeout=10)

    assert response.status_code == 409
    assert "Someone else saved these budgets" in response.content.decode()
    assert CategoryBudget.objects.get(cycle=cycle).amount == Decimal("150.00")
