"""Filtered totals on the cycle page: with the expense table filtered, the totals of what is
filtered (count, planned, paid, not paid yet, base currency) stand beside the cycle's totals,
and an add, edit, payment, skip or delete made while filtered brings them back out of band in
the same response — read with the table's own filter form from the page's URL."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cycles.tests.factories import CycleFactory
from expenses.models import Expense
from expenses.tests.factories import CategoryFactory, ExpenseFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def food(household):
    return CategoryFactory(household=household, name="Food")


@pytest.fixture
def rent(household):
    return CategoryFactory(household=household, name="Rent")


@pytest.fixture
def expenses(cycle, food, rent):
    """Food: 30.00 paid and 12.50 planned; rent: 900.00 planned."""
    return {
        "food_paid": ExpenseFactory(
            cycle=cycle,
            category=food,
            amount=Decimal("30.00"),
            status=Expense.Status.PAID,
            paid_on=cycle.start_date,
        ),
        "food_planned": ExpenseFactory(cycle=cycle, category=food, amount=Decimal("12.50")),
        "rent": ExpenseFactory(cycle=cycle, category=rent, amount=Decimal("900.00")),
    }


def _detail(cycle, query=""):
    return reverse("cycles:detail", args=[cycle.pk]) + (f"?{query}" if query else "")


def filtered(body: str) -> dict[str, str] | None:
    """The filtered totals shown (by data-filtered name), or None when there are none."""
    match = re.search(r'<section id="filtered-totals".*?</section>', body, flags=re.S)
    if match is None:
        return None
    return {
        name: " ".join(value.split())
        for name, value in re.findall(
            r'data-filtered="(\w+)">([^<]*)</div>', match.group(0), flags=re.S
        )
    }


def is_oob(body: str) -> bool:
    return bool(re.search(r'id="filtered-totals"[^>]*hx-swap-oob="true"', body, flags=re.S))


def while_filtered(cycle, query: str) -> dict:
    """An HTMX request from the cycle page showing `query` in its URL."""
    return {
        "HTTP_HX_REQUEST": "true",
        "HTTP_HX_CURRENT_URL": "http://testserver" + _detail(cycle, query),
    }


FOOD_TOTALS = {"count": "2 expenses", "planned": "42.50 USD", "paid": "30.00 USD"}


def test_the_filtered_page_shows_the_totals_of_what_is_filtered(
    owner_client, cycle, food, expenses
):
    body = owner_client.get(_detail(cycle, f"category={food.pk}")).content.decode()
    assert filtered(body) == {**FOOD_TOTALS, "remaining": "12.50 USD"}
    # Beside the cycle's totals, which stay the whole cycle's.
    assert body.index('id="cycle-totals"') < body.index('id="filtered-totals"')
    assert re.search(r'data-total="planned">942\.50 USD<', body)


def test_the_unfiltered_page_has_only_an_empty_place_for_them(owner_client, cycle, expenses):
    body = owner_client.get(_detail(cycle)).content.decode()
    assert filtered(body) is None
    assert '<div id="filtered-totals" hidden></div>' in body


def test_filtering_over_htmx_brings_the_totals_out_of_band(
    owner_client, cycle, food, expenses, htmx_headers
):
    response = owner_client.get(_detail(cycle, "status=planned"), **htmx_headers)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="expense-table">')
    assert is_oob(body)
    assert filtered(body) == {
        "count": "2 expenses",
        "planned": "912.50 USD",
        "paid": "0.00 USD",
        "remaining": "912.50 USD",
    }
    cleared = owner_client.get(_detail(cycle), **htmx_headers).content.decode()
    assert filtered(cleared) is None
    assert re.search(r'<div id="filtered-totals" hidden\s+hx-swap-oob="true"', cleared)


def test_adding_while_filtered_updates_the_filtered_totals(owner_client, cycle, food, expenses):
    data = {
        "date": "2026-01-10",
        "description": "Bread",
        "category": str(food.pk),
        "payment_method": "",
        "amount": "7.50",
        "currency": "USD",
        "status": "planned",
        "note": "",
    }
    response = owner_client.post(
        reverse("cycles:expense_add", args=[cycle.pk]),
        data,
        **while_filtered(cycle, f"category={food.pk}"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert is_oob(body)
    assert filtered(body) == {
        "count": "3 expenses",
        "planned": "50.00 USD",
        "paid": "30.00 USD",
        "remaining": "20.00 USD",
    }
    assert Expense.objects.filter(cycle=cycle, category=food).count() == 3


def test_editing_while_filtered_updates_the_filtered_totals(owner_client, cycle, food, expenses):
    expense = expenses["food_planned"]
    data = {
        "date": "2026-01-02",
        "description": expense.description,
        "category": str(food.pk),
        "payment_method": "",
        "amount": "20.00",
        "currency": "USD",
        "status": "planned",
        "note": "",
    }
    response = owner_client.post(
        reverse("cycles:expense_edit", args=[expense.pk]),
        data,
        **while_filtered(cycle, f"category={food.pk}"),
    )
    assert response.status_code == 200, response.content[:500]
    assert filtered(response.content.decode())["planned"] == "50.00 USD"
    expense.refresh_from_db()
    assert expense.amount == Decimal("20.00")


def test_paying_while_filtered_updates_the_filtered_totals(owner_client, cycle, food, expenses):
    expense = expenses["food_planned"]
    response = owner_client.post(
        reverse("cycles:expense_toggle_paid", args=[expense.pk]),
        {},
        **while_filtered(cycle, f"category={food.pk}&status="),
    )
    assert response.status_code == 200
    totals = filtered(response.content.decode())
    assert totals["paid"] == "42.50 USD" and totals["remaining"] == "0.00 USD"
    expense.refresh_from_db()
    assert expense.status == Expense.Status.PAID


def test_skipping_while_filtered_updates_the_filtered_totals(
    owner_client, household, cycle, rent, expenses
):
    template = ExpenseTemplateFactory(household=household, category=rent)
    occurrence = ExpenseFactory(
        cycle=cycle,
        category=rent,
        amount=Decimal("50.00"),
        template=template,
        occurrence_date=cycle.start_date,
    )
    response = owner_client.post(
        reverse("cycles:expense_skip", args=[occurrence.pk]),
        **while_filtered(cycle, f"category={rent.pk}"),
    )
    assert response.status_code == 200
    # Still listed (skipped), out of the sums.
    assert filtered(response.content.decode())["count"] == "2 expenses"
    assert filtered(response.content.decode())["planned"] == "900.00 USD"
    occurrence.refresh_from_db()
    assert occurrence.status == Expense.Status.SKIPPED


def test_deleting_while_filtered_updates_the_filtered_totals(owner_client, cycle, food, expenses):
    response = owner_client.post(
        reverse("cycles:expense_delete", args=[expenses["food_paid"].pk]),
        **while_filtered(cycle, f"category={food.pk}"),
    )
    assert response.status_code == 200
    assert filtered(response.content.decode()) == {
        "count": "1 expense",
        "planned": "12.50 USD",
        "paid": "0.00 USD",
        "remaining": "12.50 USD",
    }
    assert not Expense.objects.filter(pk=expenses["food_paid"].pk).exists()


def test_a_change_on_an_unfiltered_page_sends_no_filtered_totals(
    owner_client, cycle, expenses, htmx_headers
):
    response = owner_client.post(
        reverse("cycles:expense_delete", args=[expenses["rent"].pk]),
        **while_filtered(cycle, "sort=-date"),
    )
    assert response.status_code == 200
    assert 'id="filtered-totals"' not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/cycles/search/?category={food}", "/cycles/{other}/?category={food}", "not a url"],
)
def test_filters_of_another_page_are_not_used(owner_client, household, cycle, food, expenses, url):
    other = CycleFactory(household=household)
    headers = {
        "HTTP_HX_REQUEST": "true",
        "HTTP_HX_CURRENT_URL": url.format(food=food.pk, other=other.pk),
    }
    response = owner_client.post(
        reverse("cycles:expense_delete", args=[expenses["rent"].pk]), **headers
    )
    assert response.status_code == 200
    assert 'id="filtered-totals"' not in response.content.decode()


def test_a_filter_the_form_does_not_offer_is_ignored(
    owner_client, cycle, expenses, other_household
):
    theirs = CategoryFactory(household=other_household)
    response = owner_client.post(
        reverse("cycles:expense_delete", args=[expenses["rent"].pk]),
        **while_filtered(cycle, f"category={theirs.pk}&member=abc"),
    )
    assert response.status_code == 200
    assert 'id="filtered-totals"' not in response.content.decode()


@pytest.mark.parametrize("count", [5, 400])
def test_the_filtered_page_runs_as_many_queries_as_the_unfiltered_one(
    owner_client, cycle, food, owner, count, django_assert_max_num_queries
):
    Expense.objects.bulk_create(
        Expense(
            cycle=cycle,
            description=f"E{n}",
            amount=Decimal("1.00"),
            currency="USD",
            date=cycle.start_date,
            category=food,
            base_amount=Decimal("1.00"),
            rate=Decimal(1),
            rate_source="same",
            created_by=owner,
        )
        for n in range(count)
    )
    owner_client.get(_detail(cycle))  # warm: the session's idle expiry is refreshed hourly
    # 10, and two for who owes whom (sharing: the cycle's shares and settlements).
    with django_assert_max_num_queries(12):
        response = owner_client.get(_detail(cycle, f"category={food.pk}&status=planned"))
    assert filtered(response.content.decode())["count"] == f"{count} expenses"
