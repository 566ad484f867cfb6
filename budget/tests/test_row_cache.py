"""Rows of the cycle page are kept rendered (expenses/templatetags/expense_rows.py) under a key
of everything they show: a kept row is never stale, never holds a CSRF token, and never serves
another household."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from expenses.models import Expense
from expenses.templatetags import expense_rows
from expenses.tests.factories import CategoryFactory, ExpenseFactory, PaymentMethodFactory

pytestmark = pytest.mark.django_db

TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


@pytest.fixture
def expense(cycle, owner):
    return ExpenseFactory(
        cycle=cycle,
        description="Groceries",
        category=CategoryFactory(household=cycle.household, name="Food"),
        payment_method=PaymentMethodFactory(household=cycle.household, name="Visa"),
        created_by=owner,
    )


def _row(client, expense) -> str:
    html = client.get(reverse("cycles:detail", args=[expense.cycle_id])).content.decode()
    start = html.index(f'<tr id="expense-{expense.pk}"')
    return html[start : html.index("</tr>", start)]


def test_a_kept_row_shows_every_change_to_what_it_shows(owner_client, expense, owner):
    assert "Food" in _row(owner_client, expense)
    expense.category.name = "Groceries and food"
    expense.category.save()
    assert "Groceries and food" in _row(owner_client, expense)
    expense.payment_method.name = "Debit card"
    expense.payment_method.save()
    assert "Debit card" in _row(owner_client, expense)
    owner.first_name = "Olivia"
    owner.save()
    assert "Olivia" in _row(owner_client, expense)
    # Written behind the model's back, as the rate fill and the totals triggers do: no version
    # bump, no signal; the row still shows it.
    Expense.objects.filter(pk=expense.pk).update(base_amount=Decimal("9.99"))
    assert "9.99" in _row(owner_client, expense)
    Expense.objects.filter(pk=expense.pk).update(description="Market")
    assert "Market" in _row(owner_client, expense)


def test_the_row_changes_with_the_format_the_household_picked(owner_client, expense, household):
    Expense.objects.filter(pk=expense.pk).update(amount=Decimal("1234.50"))
    assert "1,234.50" in _row(owner_client, expense)
    household.format_locale = "de_DE"
    household.save()
    assert "1.234,50" in _row(owner_client, expense)


def test_each_request_gets_its_own_csrf_token_and_none_is_kept(owner, expense):
    expense_rows.ROWS.clear()
    tokens = []
    for _ in range(2):
        client = Client(enforce_csrf_checks=True)
        client.force_login(owner)
        row = _row(client, expense)
        [token] = TOKEN_INPUT.findall(row)
        tokens.append(token)
        # The token in the row is accepted for a real post from that client.
        response = client.post(
            reverse("cycles:expense_toggle_paid", args=[expense.pk]),
            {"csrfmiddlewaretoken": token, "version": Expense.objects.get(pk=expense.pk).version},
        )
        assert response.status_code in (200, 302)
    assert len(set(tokens)) == 2
    for before, after in expense_rows.ROWS.values():
        kept = before + (after or "")
        assert all(token not in kept for token in tokens)


def test_rows_are_kept_per_household(owner_client, expense, household):
    expense_rows.ROWS.clear()
    _row(owner_client, expense)
    assert len(expense_rows.ROWS) == 1
    assert all(key[0][0] == household.pk for key in expense_rows.ROWS)


def test_a_refused_paid_amount_is_never_kept(owner_client, expense):
    expense_rows.ROWS.clear()
    response = owner_client.post(
        reverse("cycles:expense_toggle_paid", args=[expense.pk]),
        {"amount": "not money", "version": expense.version},
    )
    assert response.status_code == 422
    assert 'value="not money"' in response.content.decode()
    assert all("not money" not in before for before, _ in expense_rows.ROWS.values())


def test_the_cache_keeps_at_most_its_size():
    cache = expense_rows.RowCache(size=3)
    for number in range(5):
        cache.put((number,), ("row", None))
    assert len(cache) == 3
    assert cache.get((0,)) is None
    assert cache.get((4,)) == ("row", None)


# What the row template reads from an expense, besides its columns: properties computed from
# its columns only, and the relations whose shown values are in the key.
FROM_COLUMNS = {
    "pk",
    "is_paid",
    "is_skipped",
    "can_skip",
    "awaits_rate",
    "has_manual_rate",
    "differs_from_plan",
    "amount_for_input",
    "get_status_display",
    "added_by_name",
}
RELATIONS_IN_KEY = {"category", "payment_method", "created_by", "updated_by"}


def test_the_key_holds_everything_the_row_template_reads():
    template = Path(settings.BASE_DIR, "templates", expense_rows.ROW_TEMPLATE).read_text()
    read = set(re.findall(r"\bexpense\.(\w+)", template))
    columns = {field.attname for field in Expense._meta.concrete_fields}
    unknown = read - columns - FROM_COLUMNS - RELATIONS_IN_KEY
    assert not unknown, f"the row shows {unknown}: add them to expense_rows._Rows.key"
