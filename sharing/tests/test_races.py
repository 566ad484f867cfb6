"""Two members settling the same debt at once, on real PostgreSQL connections
(tests/races.py): one settlement is recorded, the other is a 409, never two and never a 500."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import Household
from accounts.tests.factories import HouseholdFactory, make_member, make_owner
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses import services as expense_services
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory
from sharing import selectors
from sharing.models import Settlement
from tests.races import logged_in, racing

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_members_settling_the_same_debt_at_once_record_it_once():
    home = HouseholdFactory(base_currency="USD")
    olive = make_owner(home, email="olive@example.com", first_name="Olive")
    max_ = make_member(home, email="max@example.com", first_name="Max")
    cycle = CycleFactory(
        household=home, start_date=datetime.date(2026, 1, 1), status=Cycle.Status.ACTIVE
    )
    expense_services.add_expense(
        cycle=cycle,
        created_by=olive,
        description="Groceries",
        amount=Decimal("100.00"),
        currency="USD",
        date=cycle.start_date,
        category=CategoryFactory(household=home, name="Food"),
        status=Expense.Status.PAID,
    )
    # Both pages showed "Max owes Olive 50.00" with Max's balance of -50.00.
    data = {
        "from_user": max_.pk,
        "to_user": olive.pk,
        "amount": "50.00",
        "balance": "-50.00",
        "back": "balances",
    }
    url = reverse("sharing:settle")
    clients = [logged_in(olive), logged_in(max_)]
    with transaction.atomic():
        # Hold the household's lock, as a settlement being recorded does, until both wait.
        Household.objects.select_for_update().get(pk=home.pk)
        with racing(*(lambda c=c: c.post(url, data) for c in clients)) as futures:
            pass
    statuses = sorted(f.result().status_code for f in futures)
    assert statuses == [302, 409]
    assert Settlement.objects.count() == 1
    balances = selectors.balances(household=home)
    assert [m.balance for m in balances.members] == [0, 0]
