"""The CSV export's sharing columns: who paid, the split's kind and each member's share."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses import services as expense_services
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory
from reports.csv_export import HEADER
from sharing.services import SplitChoice

pytestmark = pytest.mark.django_db


def test_export_says_who_paid_and_each_members_share(
    owner_client, household, owner, member, django_assert_max_num_queries
):
    cycle = CycleFactory(household=household, status=Cycle.Status.ACTIVE)
    food = CategoryFactory(household=household, name="Food")
    expense_services.add_expense(
        cycle=cycle,
        created_by=owner,
        description="Groceries",
        amount=Decimal("10.00"),
        currency=household.base_currency,
        date=cycle.start_date,
        category=food,
        status=Expense.Status.PAID,
        paid_by=member,
        split=SplitChoice(kind="shares", shares={owner.pk: Decimal(2), member.pk: Decimal(1)}),
    )
    ExpenseFactory(cycle=cycle, category=food, description="Old row")  # from before sharing
    response = owner_client.get(reverse("reports:cycle_export", args=[cycle.pk]))
    body = b"".join(response.streaming_content).decode()
    rows = {row["description"]: row for row in csv.DictReader(io.StringIO(body))}
    assert list(HEADER)[-2:] == ["paid_by", "split"]
    assert body.splitlines()[0].endswith(
        f"paid_by,split,share: {owner.display_name},share: {member.display_name}"
    )
    shared = rows["Groceries"]
    assert (shared["paid_by"], shared["split"]) == (member.display_name, "shares")
    assert shared[f"share: {owner.display_name}"] == "6.67"
    assert shared[f"share: {member.display_name}"] == "3.33"
    old = rows["Old row"]
    assert (old["paid_by"], old["split"], old[f"share: {owner.display_name}"]) == ("", "", "")
