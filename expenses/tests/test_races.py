"""An expense deleted by one member while another changes it: the change is a 404 with a
message, never a failed save (500). Real concurrent PostgreSQL connections (tests/races.py)."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.tests.factories import HouseholdFactory, make_member, make_owner
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import ExpenseFactory
from tests.races import logged_in, racing

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def expense():
    home = HouseholdFactory(base_currency="USD")
    make_owner(home, email="olive@example.com")
    cycle = CycleFactory(
        household=home, start_date=datetime.date(2026, 1, 1), status=Cycle.Status.ACTIVE
    )
    return ExpenseFactory(
        cycle=cycle, description="Water bill", amount=Decimal("50.00"), currency="USD"
    )


EDIT = {
    "date": "2026-01-03",
    "description": "Water bill (March)",
    "amount": "50.00",
    "currency": "USD",
    "status": "planned",
    "note": "",
}


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("cycles:expense_toggle_paid", {"amount": "63.20"}),
        ("cycles:expense_skip", {}),
        ("cycles:expense_edit", EDIT),
        ("cycles:expense_delete", {}),
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_changing_an_expense_another_member_is_deleting_is_a_404(expense, url_name, data, htmx):
    member = make_member(expense.cycle.household, email="max@example.com")
    client = logged_in(member)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    if url_name == "cycles:expense_edit":
        data = {**data, "category": expense.category_id}
    url = reverse(url_name, args=[expense.pk])

    with transaction.atomic():
        Expense.objects.filter(pk=expense.pk).delete()  # the other member's delete, not committed
        with racing(lambda: client.post(url, data, **headers)) as (future,):
            pass
    response = future.result(timeout=10)

    assert response.status_code == 404
    assert "This expense was deleted" in response.content.decode()
    assert not Expense.objects.filter(pk=expense.pk).exists()
