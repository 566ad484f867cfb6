"""Optimistic concurrency on expenses: a change made from a row or form another member has
changed since is refused with 409, the row as it is now and a message; nothing is overwritten.
(Issue 11, point 3: A edits "Water bill" while B marks it paid at 63.20.)"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses import services
from expenses.exceptions import ExpenseChanged
from expenses.models import Expense
from expenses.tests.factories import ExpenseFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def water(household):
    # A template's occurrence, so that it may be skipped too (Expense.can_skip).
    cycle = CycleFactory(
        household=household, start_date=datetime.date(2026, 1, 1), status=Cycle.Status.ACTIVE
    )
    template = ExpenseTemplateFactory(household=household, name="Water bill")
    return ExpenseFactory(
        cycle=cycle,
        description="Water bill",
        amount=Decimal("50.00"),
        planned_amount=Decimal("50.00"),
        currency="USD",
        date=datetime.date(2026, 1, 3),
        category=template.category,
        template=template,
        occurrence_date=datetime.date(2026, 1, 3),
    )


def _edit_form_as_shown(client, expense) -> dict:
    """The inline edit form's values, as member A's browser holds them."""
    body = client.get(reverse("cycles:expense_edit", args=[expense.pk]), **HTMX).content.decode()
    version = re.search(r'name="version" value="(\d+)"', body).group(1)
    return {
        "version": version,
        "date": expense.date.isoformat(),
        "description": expense.description,
        "category": str(expense.category_id),
        "payment_method": "",
        "amount": "50.00",
        "currency": expense.currency,
        "status": expense.status,
        "note": "",
    }


def _pay(client, expense, amount, version=None):
    data = {"amount": amount}
    if version is not None:
        data["version"] = version
    return client.post(reverse("cycles:expense_toggle_paid", args=[expense.pk]), data, **HTMX)


def test_a_stale_inline_edit_does_not_undo_another_members_payment(
    owner_client, member_client, water
):
    form = _edit_form_as_shown(owner_client, water)  # A opens the edit
    assert _pay(member_client, water, "63.20", version=1).status_code == 200  # B pays 63.20

    response = owner_client.post(  # A saves a description change from the stale form
        reverse("cycles:expense_edit", args=[water.pk]),
        {**form, "description": "Water bill (March)"},
        **HTMX,
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert f'id="expense-{water.pk}"' in body  # the current row replaces the stale one
    assert "63.20" in body and 'name="version" value="2"' in body
    assert 'hx-swap-oob="innerHTML"' in body and "Someone else changed this expense" in body
    water.refresh_from_db()
    assert (water.status, water.amount, water.description) == (
        "paid",
        Decimal("63.20"),
        "Water bill",
    )
    assert water.paid_on is not None and water.version == 2


def test_paying_from_a_stale_row_after_the_amount_changed_is_refused(
    owner_client, member_client, water
):
    row_version = water.version
    form = _edit_form_as_shown(member_client, water)
    member_client.post(  # B changes the amount to 80.00
        reverse("cycles:expense_edit", args=[water.pk]), {**form, "amount": "80.00"}, **HTMX
    )

    response = _pay(owner_client, water, "50.00", version=row_version)  # A's row still says 50

    assert response.status_code == 409
    assert "80.00" in response.content.decode()
    water.refresh_from_db()
    assert (water.status, water.amount) == ("planned", Decimal("80.00"))


@pytest.mark.parametrize("action", ["expense_skip", "expense_delete"])
def test_skipping_or_deleting_from_a_stale_row_is_refused(owner_client, water, action):
    services.update_expense(expense=water, updated_by=None, description="Water (changed)")

    response = owner_client.post(reverse(f"cycles:{action}", args=[water.pk]), {"version": 1})

    assert response.status_code == 409
    assert "Someone else changed this expense" in response.content.decode()
    water.refresh_from_db()
    assert water.status == "planned" and water.description == "Water (changed)"


def test_a_plain_form_post_from_a_stale_row_shows_the_cycle_page_with_409(
    owner_client, member_client, water
):
    _pay(member_client, water, "63.20", version=1)
    response = owner_client.post(
        reverse("cycles:expense_toggle_paid", args=[water.pk]), {"amount": "50", "version": 1}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this expense" in body and "Water bill" in body


def test_the_current_version_writes_and_moves_the_version_on(owner_client, water):
    response = _pay(owner_client, water, "63.20", version=1)
    assert response.status_code == 200
    assert 'name="version" value="2"' in response.content.decode()
    assert Expense.objects.get(pk=water.pk).version == 2


def test_every_service_refuses_an_expected_version_that_is_not_the_stored_one(water):
    for write in (
        lambda v: services.update_expense(
            expense=water, updated_by=None, expected_version=v, note="x"
        ),
        lambda v: services.toggle_paid(expense=water, by=None, expected_version=v),
        lambda v: services.skip_expense(expense=water, by=None, expected_version=v),
        lambda v: services.delete_expense(expense=water, by=None, expected_version=v),
    ):
        with pytest.raises(ExpenseChanged) as error:
            write(7)
        assert error.value.version == 1 and error.value.status == 409
    assert Expense.objects.get(pk=water.pk).version == 1


def test_a_garbage_version_is_a_422_not_a_500(owner_client, water):
    response = owner_client.post(
        reverse("cycles:expense_skip", args=[water.pk]), {"version": "abc"}, **HTMX
    )
    assert response.status_code == 422


def test_a_row_shown_before_a_bank_import_paid_it_is_stale(owner_client, water):
    # The import's record_payment is a write like any other: the version moves on.
    paid = services.record_payment(
        expense=water, by=None, actual_amount=Decimal("61.80"), paid_on=water.date
    )
    assert paid.version == 2 == Expense.objects.get(pk=water.pk).version

    response = owner_client.post(
        reverse("cycles:expense_skip", args=[water.pk]), {"version": 1}, **HTMX
    )

    assert response.status_code == 409
    assert "61.80" in response.content.decode()
    water.refresh_from_db()
    assert water.status == "paid"
