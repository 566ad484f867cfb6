"""A statement that spans cycles (issue 25 #3): each row goes into the open cycle holding its
date; rows of a completed cycle or of no cycle are listed as such, not as errors; the preview
counts rows per cycle — through the upload, the preview and the confirmation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cycles.exceptions import CycleAlreadyCompleted
from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.imports import services
from expenses.imports.models import PendingImport
from expenses.imports.selectors.preview import import_preview
from expenses.models import Category, Expense
from expenses.tests.factories import ExpenseFactory

from .test_import_features import confirm, open_preview, proposal, upload
from .test_views import flash_messages, token_of

pytestmark = pytest.mark.django_db

# A card's monthly export, from the bank's statement date to the next one.
CARD = b"""Transaction Date,Post Date,Description,Category,Type,Amount
10/30/2026,10/31/2026,HALLOWEEN STORE,Shopping,Sale,-25.00
11/29/2026,11/30/2026,WHOLE FOODS #102,Groceries,Sale,-54.10
12/03/2026,12/04/2026,SHELL OIL 57442,Gas,Sale,-41.20
12/30/2026,12/31/2026,GYM MEMBERSHIP,Health,Sale,-30.00
01/05/2027,01/06/2027,ALLIANZ INSURANCE,Bills,Sale,-120.00
01/08/2027,01/09/2027,BLUE BOTTLE BAKERY,Food,Sale,-5.75
01/09/2027,01/10/2027,PAYMENT THANK YOU,,Payment,300.00
"""


@pytest.fixture
def november(household):
    return CycleFactory(
        household=household,
        name="November",
        start_date=datetime.date(2026, 11, 1),
        end_date=datetime.date(2026, 11, 30),
        status=Cycle.Status.COMPLETED,
        completed_at=timezone.now(),
    )


@pytest.fixture
def december(household, november):
    return CycleFactory(
        household=household,
        name="December",
        start_date=datetime.date(2026, 12, 1),
        end_date=datetime.date(2026, 12, 31),
        status=Cycle.Status.ACTIVE,
    )


@pytest.fixture
def january(household, december):
    return CycleFactory(
        household=household,
        name="January",
        start_date=datetime.date(2027, 1, 1),
        end_date=datetime.date(2027, 1, 31),
        status=Cycle.Status.DRAFT,
    )


def planned(cycle, description, amount, on):
    return ExpenseFactory(
        cycle=cycle,
        description=description,
        amount=Decimal(amount),
        date=on,
        category=Category.objects.get(household=cycle.household, name="Other"),
    )


@pytest.fixture
def insurance(january):
    return planned(january, "Insurance", "120.00", datetime.date(2027, 1, 5))


@pytest.fixture
def gym(january):
    # Two days after the December gym row: close enough in date, but in another cycle.
    return planned(january, "Gym membership", "30.00", datetime.date(2027, 1, 1))


def test_each_row_is_proposed_in_the_cycle_holding_its_date(
    owner_client, november, december, january, insurance, gym
):
    page = open_preview(owner_client, december, CARD)
    body = page.content.decode()
    cycles = [proposal(page, line).row.cycle_id for line in range(2, 9)]
    assert cycles == [
        None,
        november.pk,
        december.pk,
        december.pk,
        january.pk,
        january.pk,
        january.pk,  # money in, left out, but in January all the same
    ]
    assert [proposal(page, line).row.status for line in range(2, 9)] == [
        "outside",
        "outside",
        "import",
        "import",
        "import",
        "import",
        "income",
    ]
    assert [proposal(page, line).outcome for line in range(2, 9)] == [
        "outside",
        "outside",
        "new",
        "new",
        "pay",
        "new",
        "income",
    ]
    assert proposal(page, 2).row.problems == (
        "Outside every cycle: no cycle of the household holds this date.",
    )
    assert proposal(page, 3).row.problems == ("In November, a completed cycle.",)
    # Listed as left out, not as errors.
    assert page.status_code == 200
    assert page.context["counts"]["invalid"] == 0
    assert '<span data-count="outside">2 outside the open cycles</span>' in body
    assert "Left out: In November, a completed cycle." in body
    # January's insurance is paid by January's row; December's gym row pays no January plan.
    assert (proposal(page, 6).action, proposal(page, 6).pays.pk) == ("pay", insurance.pk)
    assert (proposal(page, 5).action, proposal(page, 5).options) == ("new", [])
    shares = body.split('id="import-cycles"')[1].split("</ul>")[0]
    assert "November (Nov 1 – Nov 30, 2026):" in shares
    assert "completed, 1 row left out" in shares
    assert "December (Dec 1 – Dec 31, 2026):" in shares
    assert "2 new, 0 paying planned expenses, 0 already there, 0 left out" in shares
    assert "January (Jan 1 – Jan 31, 2027):" in shares
    assert "1 new, 1 paying planned expenses, 0 already there, 1 left out" in shares
    assert "Outside every cycle: 1 row left out" in shares
    assert "Import 3 new expenses, mark 1 paid" in body


def test_confirming_imports_each_row_into_its_own_cycle(
    owner_client, november, december, january, insurance, gym
):
    page = open_preview(owner_client, december, CARD)
    response = confirm(owner_client, december, page)
    assert response.status_code == 302
    assert sorted(december.expenses.values_list("description", "date")) == [
        ("GYM MEMBERSHIP", datetime.date(2026, 12, 30)),
        ("SHELL OIL 57442", datetime.date(2026, 12, 3)),
    ]
    assert sorted(january.expenses.values_list("description", "status", "amount")) == [
        ("BLUE BOTTLE BAKERY", Expense.Status.PAID, Decimal("5.75")),
        ("Gym membership", Expense.Status.PLANNED, Decimal("30.00")),
        ("Insurance", Expense.Status.PAID, Decimal("120.00")),
    ]
    assert not november.expenses.exists()
    message = flash_messages(owner_client.get(response["Location"]))[0]
    assert message.startswith("Imported 3 expenses and marked 1 planned expense paid")
    assert "2 rows outside the open cycles left out." in message


def test_a_statement_uploaded_from_the_next_cycle_fills_the_one_before_too(
    owner_client, november, december, january
):
    page = open_preview(owner_client, january, CARD)
    assert confirm(owner_client, january, page).status_code == 302
    assert december.expenses.count() == 2
    assert january.expenses.count() == 2


def test_a_planned_expense_of_another_cycle_than_the_rows_is_refused(
    owner_client, december, january, gym
):
    page = open_preview(owner_client, december, CARD)
    response = confirm(owner_client, december, page, **{"row-5-do": f"pay-{gym.pk}"})
    assert response.status_code == 422
    assert "Line 5: that planned expense is not in the row’s cycle." in response.content.decode()
    assert Expense.objects.filter(status=Expense.Status.PAID).count() == 0


def test_rows_of_a_cycle_completed_meanwhile_are_left_out_at_the_confirmation(
    owner_client, december, january
):
    page = open_preview(owner_client, december, CARD)
    assert proposal(page, 7).action == "new"
    Cycle.objects.filter(pk=january.pk).update(status=Cycle.Status.COMPLETED)
    response = confirm(owner_client, december, page)
    assert response.status_code == 302
    assert december.expenses.count() == 2
    assert not january.expenses.exists()
    message = flash_messages(owner_client.get(response["Location"]))[0]
    assert "4 rows outside the open cycles left out." in message


def test_the_service_refuses_a_row_whose_cycle_was_completed_under_it(
    owner_client, owner, december, january
):
    token = token_of(upload(owner_client, december, CARD))
    preview = import_preview(pending=PendingImport.objects.get(token=token), cycle=december)
    Cycle.objects.filter(pk=january.pk).update(status=Cycle.Status.COMPLETED)
    with pytest.raises(CycleAlreadyCompleted):
        services.import_statement(cycle=december, decisions=preview.decisions(), created_by=owner)
    assert not Expense.objects.exists()


def test_dates_at_the_ends_of_the_calendar_are_left_out_not_a_500(owner_client, december):
    statement = (
        b"Date,Description,Amount\n"
        b"0001-01-01,FIRST DAY EVER,-1.00\n"
        b"2026-12-03,SHELL OIL 57442,-41.20\n"
        b"9999-12-31,LAST DAY EVER,-2.00\n"
    )
    page = open_preview(owner_client, december, statement)
    assert page.status_code == 200
    assert [proposal(page, line).row.status for line in (2, 3, 4)] == [
        "outside",
        "import",
        "outside",
    ]
    assert confirm(owner_client, december, page).status_code == 302
    assert list(december.expenses.values_list("description", flat=True)) == ["SHELL OIL 57442"]
