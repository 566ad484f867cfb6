"""An expense row of the cycle page stays within 1 KB of HTML (the page lists fifty at a time,
and a household's first visit is measured by `make bench`): naming each button with its expense
(issue 25, item 14) must not make it heavier. The add row proposes the status the service
gives a new expense of its date."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db

ROW_BUDGET = 1024


def _row(body: str, expense) -> str:
    match = re.search(rf'<tr id="expense-{expense.pk}" data-status.*?</tr>', body, re.S)
    assert match, f"no row for {expense.description}"
    return match.group(0)


@pytest.fixture
def running_cycle(household):
    today = timezone.localdate()
    return CycleFactory(
        household=household,
        start_date=today - datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=30),
    )


def test_every_kind_of_row_stays_within_1_kb(owner_client, owner, household, running_cycle):
    """Demo-like rows: a planned template occurrence paid from an account (the heaviest: pay
    field, Skip), a paid one, a skipped one, a plain planned one."""
    utilities = CategoryFactory(household=household, name="Utilities")
    card = PaymentMethodFactory(household=household, name="Checking account")
    electricity = ExpenseTemplateFactory(household=household, name="Electricity")
    day = running_cycle.start_date + datetime.timedelta(days=2)
    # Ids as a household with a hundred thousand expenses has them: every id is in a row
    # several times (its row, its description, its form and the buttons' names and URLs).
    rows = [
        ExpenseFactory(
            pk=123_456 + offset,
            cycle=running_cycle,
            category=utilities,
            payment_method=card,
            template=template,
            description=description,
            amount=Decimal("1450.00"),
            status=status,
            paid_on=day if status == Expense.Status.PAID else None,
            date=day + datetime.timedelta(days=offset),
            created_by=owner,
        )
        for offset, (description, status, template) in enumerate(
            (
                ("Electricity", Expense.Status.PLANNED, electricity),
                ("Electricity", Expense.Status.PAID, None),
                ("Electricity", Expense.Status.SKIPPED, electricity),
                ("Water bill", Expense.Status.PLANNED, None),
            )
        )
    ]
    body = owner_client.get(reverse("cycles:detail", args=[running_cycle.pk])).content.decode()
    for expense in rows:
        row = _row(body, expense)
        assert len(row.encode()) <= ROW_BUDGET, (expense.status, len(row.encode()), row)
        # What the row shows: its expense, and buttons named after it.
        assert f'<span id="d{expense.pk}">{expense.description}</span>' in row
        assert f'aria-labelledby="l-edit d{expense.pk}">Edit</a>' in row
    planned = _row(body, rows[0])
    assert 'aria-labelledby="l-skip' in planned and 'aria-labelledby="l-pay' in planned
    # The words each name starts with are on the page once.
    for label in ("l-pay", "l-paid", "l-restore", "l-edit", "l-skip", "l-delete"):
        assert body.count(f'id="{label}"') == 1
    assert Expense.objects.filter(cycle=running_cycle).count() == 4


def _add_row_status(body: str) -> str:
    select = re.search(r'<select[^>]*id="expense-add-form-status".*?</select>', body, re.S)
    select = select.group(0)
    return re.search(r'<option value="(\w+)" selected>', select).group(1)


def test_the_add_row_proposes_paid_while_the_cycle_runs(owner_client, running_cycle):
    body = owner_client.get(reverse("cycles:detail", args=[running_cycle.pk])).content.decode()
    assert _add_row_status(body) == "paid"
    assert f'data-today="{timezone.localdate().isoformat()}"' in body


def test_the_add_row_proposes_planned_in_a_cycle_still_ahead(owner_client, household):
    ahead = timezone.localdate() + datetime.timedelta(days=60)
    cycle = CycleFactory(
        household=household, start_date=ahead, end_date=ahead + datetime.timedelta(days=30)
    )
    body = owner_client.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    assert _add_row_status(body) == "planned"


def test_an_overlong_word_may_wrap_and_an_ordinary_one_stays_whole(
    owner_client, household, running_cycle
):
    """The row's text gets a line-break opportunity (<wbr>) every 20 characters of a word longer
    than that, so the table wraps it, and none inside an ordinary word ("Electricity")."""
    category = CategoryFactory(household=household, name="Electricity")
    long_word = "Supercalifragilistic" * 5 + "&co"
    expense = ExpenseFactory(cycle=running_cycle, category=category, description=long_word)
    body = owner_client.get(reverse("cycles:detail", args=[running_cycle.pk])).content.decode()
    row = _row(body, expense)
    shown = re.search(rf'<span id="d{expense.pk}">(.*?)</span>', row).group(1)
    assert shown == "<wbr>".join(["Supercalifragilistic"] * 5) + "<wbr>&amp;co"
    assert "<td>Electricity</td>" in row
    assert Expense.objects.get(pk=expense.pk).description == long_word
